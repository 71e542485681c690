import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {takeSnapshot} from '../../lib/prometheus/tsdb.js'
import {renderSnapshot} from '../../lib/prometheus/tsdb-render.js'

export default class TsdbSnapshot extends HydraCommand<typeof TsdbSnapshot> {
  static override summary = 'take a Prometheus TSDB snapshot'
  static override description = `Calls POST /api/v1/admin/tsdb/snapshot and prints the snapshot's name and where it lands on the Prometheus host: <storage.tsdb.path>/snapshots/<name> (hard links to the current blocks, so it takes little space until the blocks are compacted away). Needs --web.enable-admin-api. On VictoriaMetrics: /snapshot/create, in <-storageDataPath>/snapshots/<name>.

${EXIT_CODES_HELP}
  (tsdb snapshot: 1 when the admin API is disabled or the call fails)`
  static override examples = ['<%= config.bin %> tsdb snapshot', '<%= config.bin %> tsdb snapshot --skip-head --json']
  static override flags = {
    'skip-head': Flags.boolean({summary: 'leave out the in-memory head block (the last ~2h of samples)'}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const result = await takeSnapshot(prom, {skipHead: this.flags['skip-head']})
      this.print(renderSnapshot(result))
      return result
    } finally {
      await prom.close()
    }
  }
}
