import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {timeFlag} from '../../flags.js'
import {ZONELESS_TIME} from '../../lib/config/units.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {deleteSeries} from '../../lib/prometheus/tsdb.js'
import {renderDeleteSeries} from '../../lib/prometheus/tsdb-render.js'

export default class TsdbDeleteSeries extends HydraCommand<typeof TsdbDeleteSeries> {
  static override summary = 'delete series from the Prometheus TSDB (only with --yes)'
  static override description = `Counts and shows the series the selectors match (/api/v1/series) first. Without --yes nothing is deleted: it says what would be. With --yes it calls POST /api/v1/admin/tsdb/delete_series; the data is then only marked deleted until tombstones are cleaned (hydra tsdb compact). Needs --web.enable-admin-api.

${EXIT_CODES_HELP}
  (tsdb delete-series: 1 when the admin API is disabled or the call fails)`
  static override examples = [
    `<%= config.bin %> tsdb delete-series --match 'up{job="old"}'`,
    `<%= config.bin %> tsdb delete-series --match 'node_cpu_seconds_total{instance="10.0.0.9:9100"}' --start 2026-01-01T00:00:00Z --end 2026-01-02T00:00:00Z --yes`,
  ]
  static override flags = {
    match: Flags.string({summary: 'series selector (repeatable)', multiple: true, required: true}),
    start: timeFlag({summary: `only samples from this time: RFC 3339 (${ZONELESS_TIME}), now, a duration ago such as 7d, or unix seconds`}),
    end: timeFlag({summary: 'only samples up to this time'}),
    yes: Flags.boolean({summary: 'really delete (without it: a dry run)'}),
  }

  async run() {
    const time = (ms?: number) => (ms === undefined ? undefined : String(ms / 1000))
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const result = await deleteSeries(prom, {match: this.flags.match, start: time(this.flags.start), end: time(this.flags.end), yes: this.flags.yes})
      this.print(renderDeleteSeries(result))
      return result
    } finally {
      await prom.close()
    }
  }
}
