import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {COMPACTION_EXPLANATION, compactTsdb} from '../../lib/prometheus/tsdb.js'
import {renderCompact} from '../../lib/prometheus/tsdb-render.js'

export default class TsdbCompact extends HydraCommand<typeof TsdbCompact> {
  static override summary = 'clean TSDB tombstones (what "force compaction" can really do)'
  static override description = `${COMPACTION_EXPLANATION}

This command calls POST /api/v1/admin/tsdb/clean_tombstones (optionally after a snapshot) and reports what was done. It never calls the non-existent /api/v1/admin/tsdb/compact. Needs Prometheus started with --web.enable-admin-api. On VictoriaMetrics, which keeps no tombstones, it starts a forced merge (/internal/force_merge) instead; Thanos Query and Mimir have no such API (exit 1, said plainly).

${EXIT_CODES_HELP}
  (tsdb compact: 1 when the admin API is disabled or the call fails)`
  static override examples = ['<%= config.bin %> tsdb compact', '<%= config.bin %> tsdb compact --snapshot', '<%= config.bin %> tsdb compact --json']
  static override flags = {
    snapshot: Flags.boolean({summary: 'take a TSDB snapshot first'}),
    'skip-head': Flags.boolean({summary: 'with --snapshot: leave out the in-memory head block', dependsOn: ['snapshot']}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const result = await compactTsdb(prom, {snapshot: this.flags.snapshot, skipHead: this.flags['skip-head']})
      this.print(renderCompact(result))
      return result
    } finally {
      await prom.close()
    }
  }
}
