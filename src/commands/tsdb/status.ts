import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {formatBytes, formatDuration} from '../../lib/format.js'
import {renderTable} from '../../lib/output/table.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {tsdbStatus} from '../../lib/prometheus/tsdb.js'

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
      if (!this.jsonEnabled()) {
        const h = report.head
        this.print(`${report.backend.name} ${report.prometheus}${report.dataDir ? ` (data in ${report.dataDir})` : ''}`)
        if (h) this.print(`head: ${h.series} series, ${h.chunks} chunks${h.minTime ? `, ${h.minTime} to ${h.maxTime} (${formatDuration(h.spanMs ?? 0)})` : ', no samples yet'}`)
        else this.print(`series: ${report.series} (no head block: ${report.backend.name} reports its whole index)`)
        const r = report.retention
        const actual = r.actual
          ? `${r.actual.text}${r.actual.sizeBytes === undefined ? '' : ` = ${formatBytes(r.actual.sizeBytes)}`} (from ${r.actual.source})`
          : 'not reported'
        const expected = [r.expected.time, r.expected.size].filter(Boolean).join(' / ') || 'not set in the config'
        this.print(`retention: ${actual}; config expects ${expected}: ${this.style(r.ok ? 'green' : 'red', r.ok ? 'ok' : 'MISMATCH')}`)
        for (const m of r.mismatches) this.print(`  ${m}`)
        if (!r.ok) this.print(`  fix: ${report.retentionFix}`)
        const admin = report.adminApiEnabled
        if (report.admin) this.print(`admin: ${report.admin}`)
        else this.print(`admin API: ${admin === undefined ? 'unknown (flags not served)' : admin ? 'enabled' : 'disabled (tsdb snapshot, delete-series and compact need --web.enable-admin-api)'}`)
        if (report.topSeriesByMetric.length > 0) {
          this.print('')
          this.print(renderTable([{header: 'metric', value: (m: {metric: string; series: number}) => m.metric}, {header: 'series', value: (m) => String(m.series)}], report.topSeriesByMetric, {tty: this.term.isTTY}))
        }
      }
      return report
    } finally {
      await prom.close()
    }
  }
}
