/** The tsdb commands for a person: status (head, retention against the config, admin API, top metrics), delete-series, compact, snapshot. Pure. */
import {counted, formatBytes, formatDuration} from '../format.js'
import {renderTable} from '../output/table.js'
import type {Styler} from '../output/terminal.js'
import {formatSeries} from './query.js'
import type {CleanTombstonesResult, DeleteSeriesResult, SnapshotResult, TsdbStatusReport} from './tsdb.js'

export function renderTsdbStatus(report: TsdbStatusReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const out: string[] = []
  const h = report.head
  out.push(`${report.backend.name} ${report.prometheus}${report.dataDir ? ` (data in ${report.dataDir})` : ''}`)
  if (h) out.push(`head: ${h.series} series, ${counted(h.chunks, 'chunk')}${h.minTime ? `, ${h.minTime} to ${h.maxTime} (${formatDuration(h.spanMs ?? 0)})` : ', no samples yet'}`)
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

/** `hydra tsdb delete-series`: how many series match, the first few, then what was done (or would be). */
export function renderDeleteSeries(result: DeleteSeriesResult): string {
  const out = [`${result.seriesCount} series match ${result.match.join(' or ')}`]
  for (const {__name__: name, ...labels} of result.series) out.push(`  ${formatSeries(name, labels)}`)
  if (result.seriesCount > result.series.length) out.push(`  … and ${result.seriesCount - result.series.length} more`)
  if (result.deleted) out.push(`deleted. ${result.next ?? ''}`)
  else if (result.seriesCount > 0) out.push('nothing deleted (dry run): add --yes to delete them')
  return out.join('\n')
}

/** `hydra tsdb compact`: that Prometheus compacts by itself, the snapshot if one was taken, what was done. */
export function renderCompact(result: CleanTombstonesResult): string {
  const out: string[] = []
  if (result.action !== 'force_merge') out.push('Prometheus compacts its blocks by itself in the background; there is no endpoint to force it.')
  if (result.snapshot) out.push(`snapshot: ${result.snapshot.name}${result.snapshot.path ? ` in ${result.snapshot.path}` : ''}`)
  out.push(result.done ?? `tombstones cleaned on ${result.prometheus} (POST /api/v1/admin/tsdb/clean_tombstones)`)
  return out.join('\n')
}

/** `hydra tsdb snapshot`: the snapshot's name and where it lies on the server's host. */
export function renderSnapshot(result: SnapshotResult): string {
  return [`snapshot ${result.name}`, result.path ? `on the server's host in ${result.path}` : "in <data dir>/snapshots/ on the server's host (its flags are not served, so the path is unknown)"].join('\n')
}
