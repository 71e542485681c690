import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {tsdbStatus} from '../../lib/prometheus/tsdb.js'
import {renderTsdbStatus} from '../../lib/prometheus/tsdb-render.js'

export default class TsdbStatus extends HydraCommand<typeof TsdbStatus> {
  static override summary = 'show TSDB series, retention and admin API state (Prometheus or VictoriaMetrics)'
  static override description = `Head series, chunks and time range (/api/v1/status/tsdb), the metrics with the most series, the retention the server runs with (/api/v1/status/runtimeinfo and /flags) compared with services.prometheus.retention in the config, and whether the TSDB admin API (--web.enable-admin-api) is on. Note that Prometheus reads 10GB as 10GiB (base 2): the two match. On VictoriaMetrics: its total series and top metrics, and its -retentionPeriod (it has no size limit); Thanos Query and Mimir offer no TSDB status (exit 1, said plainly).

${EXIT_CODES_HELP}
  (tsdb status: 1 when the retention differs from the config)`
  static override examples = ['<%= config.bin %> tsdb status', '<%= config.bin %> tsdb status --top 25', '<%= config.bin %> tsdb status --json']
  static override flags = {
    // --limit means lines everywhere else (logs); the old spelling still works, with a warning
    top: Flags.integer({summary: 'how many metrics to list by series count (1-10000)', default: 10, aliases: ['limit'], deprecateAliases: true}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const report = await tsdbStatus(prom, this.cluster, {limit: this.flags.top})
      this.print(renderTsdbStatus(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await prom.close()
    }
  }
}
