/**
 * `hydra logs` output as logcli writes it (pkg/logcli/output): `--output default` (time, the labels
 * that differ from the common ones, the line), `raw` (the line alone), `jsonl` (one JSON object per
 * line: timestamp in RFC 3339 with nanoseconds, labels, line). And the times of --from/--to.
 * Pure functions.
 */
import {parseTimeArg} from '../config/units.js'
import {UserError} from '../errors.js'
import {counted, formatDuration} from '../format.js'
import {formatSeries, formatValue} from '../prometheus/query.js'
import type {CanaryResult} from './canary.js'
import type {LabelsResult, LogEntry} from './logs.js'
import type {LogsReport} from './run.js'

export const OUTPUT_MODES = ['default', 'raw', 'jsonl'] as const
export type OutputMode = (typeof OUTPUT_MODES)[number]

/** "1569266497240578000" → "2019-09-23T19:21:37.240578Z": Go's RFC3339Nano in UTC (trailing zeros dropped). */
export function rfc3339Nano(ns: string): string {
  const big = BigInt(ns)
  const seconds = big / 1_000_000_000n
  const fraction = (big % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  const iso = new Date(Number(seconds) * 1000).toISOString().replace(/\.000Z$/, '')
  return `${iso}${fraction ? `.${fraction}` : ''}Z`
}

export function renderEntry(e: LogEntry, mode: OutputMode, common: Record<string, string> = {}): string {
  if (mode === 'raw') return e.line
  if (mode === 'jsonl') return JSON.stringify({labels: e.labels, line: e.line, timestamp: rfc3339Nano(e.ns)})
  const own = Object.fromEntries(Object.entries(e.labels).filter(([k, v]) => common[k] !== v))
  const labels = Object.keys(own).length > 0 ? ` ${formatSeries(undefined, own)}` : ''
  return `${e.time}${labels} ${e.line}`
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** An RFC 3339 time, nanoseconds kept → nanoseconds since the epoch. `flag` names it in the error. */
/**
 * A time flag (--from, --to) to the nanosecond: everything the shared timeFlag takes (RFC 3339,
 * now, a duration ago such as 15m, unix seconds), with an RFC 3339 time's nine fraction digits kept.
 */
export function parseTimeNs(text: string, flag: string, nowMs: number): bigint {
  if (RFC3339.test(text.trim())) return parseRfc3339Ns(text, flag)
  return BigInt(Math.round(parseTimeArg(text, flag, nowMs))) * 1_000_000n
}

export function parseRfc3339Ns(text: string, flag: string): bigint {
  const m = RFC3339.exec(text.trim())
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`) : Number.NaN
  if (!m || Number.isNaN(ms)) {
    throw new UserError(`${flag} ${JSON.stringify(text)} is not an RFC 3339 time`, {hint: `e.g. ${flag} 2026-01-02T15:04:05Z or ${flag} 2026-01-02T16:04:05.5+01:00`})
  }
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'))
}

/**
 * The whole of `hydra logs` (not --follow) for a person: `lines` for stdout, and the notes for
 * stderr that go before and after them. `range` words the empty answer, e.g. "in the last 1h".
 */
export function renderLogs(result: LogsReport, mode: OutputMode, range: string): {before: string[]; lines: string[]; after: string[]} {
  const before: string[] = []
  const after: string[] = []
  let lines: string[]
  if (result.rows) lines = result.rows.map((r) => `${formatSeries(undefined, r.labels)} ${formatValue(r.value)}`)
  else if (result.entries.length === 0) lines = [`no log lines for ${result.query} ${range}`]
  else {
    if (mode === 'default' && Object.keys(result.commonLabels).length > 0) before.push(`${counted(result.entries.length, 'line')} from ${counted(result.streams, 'stream')}, all ${formatSeries(undefined, result.commonLabels)}`)
    lines = result.entries.map((e) => renderEntry(e, mode, result.commonLabels))
    if (result.limited) after.push(`(limit ${result.limit} reached: there may be more; raise --limit, 0 for all, or narrow the range)`)
  }
  if (result.note) after.push(`Note: ${result.note}`)
  return {before, lines, after}
}

/** `hydra loki labels`: one name (or value) a line, or what was not found in the window. */
export function renderLabels(result: LabelsResult, {sinceMs}: {sinceMs: number}): string {
  if (result.values.length > 0) return result.values.join('\n')
  const window = formatDuration(sinceMs)
  return result.name ? `no values of ${result.name} in the last ${window}` : `no labels in the last ${window}`
}

/** `hydra loki canary`: the verdict for stdout, and on failure the hint as a note for stderr. */
export function renderCanary(r: CanaryResult): {out: string; notes: string[]} {
  if (r.ok) return {out: `ok: pushed to ${r.pushUrl} in ${r.pushMs} ms, read back from ${r.queryUrl} after ${r.roundTripMs} ms (${r.attempts} ${r.attempts === 1 ? 'query' : 'queries'}), ${r.selector}`, notes: []}
  return {out: `FAIL: ${r.cause}`, notes: r.hint ? [`Hint: ${r.hint}`] : []}
}
