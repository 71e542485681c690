/** `hydra tsdb status` for a person: head, retention against the config, admin API, top metrics. Pure. */
import {formatBytes, formatDuration} from '../format.js'
import {renderTable} from '../output/table.js'
import type {Styler} from '../output/terminal.js'
import type {TsdbStatusReport} from './tsdb.js'

export function renderTsdbStatus(report: TsdbStatusReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const out: string[] = []
  const h = report.head
  out.push(`${report.backend.name} ${report.prometheus}${report.dataDir ? ` (data in ${report.dataDir})` : ''}`)
  if (h) out.push(`head: ${h.series} series, ${h.chunks} chunks${h.minTime ? `, ${h.minTime} to ${h.maxTime} (${formatDuration(h.spanMs ?? 0)})` : ', no samples yet'}`)
  else out.push(`series: ${report.series} (no head block: ${report.backend.name} reports its whole index)`)
  const r = report.retention
  const actual = r.actual ? `${r.actual.text}${r.actual.sizeBytes === undefined ? '' : ` = ${formatBytes(r.actual.sizeBytes)}`} (from ${r.actual.source})` : 'not reported'
  const expected = [r.expected.time, r.expected.size].filter(Boolean).join(' / ') || 'not set in the config'
  out.push(`retention: ${actual}; config expects ${expected}: ${style(r.ok ? 'green' : 'red', r.ok ? 'ok' : 'MISMATCH')}`)
  for (const m of r.mismatches) out.push(`  ${m}`)
  if (!r.ok) out.push(`  fix: ${report.retentionFix}`)
  const admin = report.adminApiEnabled
  if (report.admin) out.push(`admin: ${report.admin}`)
  else out.push(`admin API: ${admin === undefined ? 'unknown (flags not served)' : admin ? 'enabled' : 'disabled (tsdb snapshot, delete-series and compact need --web.enable-admin-api)'}`)
  if (report.topSeriesByMetric.length > 0) {
    out.push('')
    out.push(renderTable([{header: 'metric', value: (m: {metric: string; series: number}) => m.metric}, {header: 'series', value: (m) => String(m.series)}], report.topSeriesByMetric, {tty}))
  }
  return out.join('\n')
}
