/**
 * `hydra logs`: Loki query_range with the runbook's queries as presets, corrected (api-facts.md §3,
 * §7): the Docker driver labels streams `container_name`, not `container` or `job`, and `level` is
 * no label without a parser; Loki 3 puts the detected level in `detected_level`.
 */
import type {HydraConfig} from '../config/resolve.js'
import {UserError} from '../errors.js'
import {formatLocalTime} from '../output/time.js'
import {formatSeries, parseSampleValue, type QueryRow} from '../prometheus/query.js'
import type {LokiClient} from './client.js'

export interface LogPreset {
  name: string
  description: string
  /** the runbook's query it replaces */
  replaces: string
  query: (cfg: HydraConfig) => string
}

function tabbyContainer(cfg: HydraConfig): string {
  return cfg.apps.find((a) => a.kind === 'tabbyapi')?.container ?? 'tabbyapi'
}

export const LOG_PRESETS: LogPreset[] = [
  {
    name: 'tabbyapi',
    description: "all of TabbyAPI's logs",
    replaces: '{container="tabbyapi"}',
    query: (cfg) => `{container_name="${tabbyContainer(cfg)}"}`,
  },
  {
    name: 'errors',
    description: 'error lines from any container (Loki 3 detects the level of each line)',
    replaces: '{job="docker"} |= "error" | level="error"',
    query: () => '{container_name=~".+"} | detected_level="error"',
  },
  {
    name: 'inference',
    description: "TabbyAPI's completion requests",
    replaces: '{container="tabbyapi"} |~ "POST /v1/completions"',
    query: (cfg) => `{container_name="${tabbyContainer(cfg)}"} |~ "POST /v1/(chat/)?completions"`,
  },
]

export function presetQuery(name: string, cfg: HydraConfig): string {
  const p = LOG_PRESETS.find((x) => x.name === name)
  if (!p) throw new UserError(`no preset ${JSON.stringify(name)}`, {hint: `presets: ${LOG_PRESETS.map((x) => x.name).join(', ')}`})
  return p.query(cfg)
}

export interface LokiStream {
  stream: Record<string, string>
  values: [string, string][]
}

export type LokiQueryData =
  | {resultType: 'streams'; result: LokiStream[]; stats?: unknown}
  | {resultType: 'matrix'; result: {metric: Record<string, string>; values: [number, string][]}[]; stats?: unknown}
  | {resultType: 'vector'; result: {metric: Record<string, string>; value: [number, string]}[]; stats?: unknown}

export interface LogEntry {
  /** nanoseconds since the epoch, as Loki sent it (a string: it does not fit a double) */
  ns: string
  /** local time with the full nanosecond fraction */
  time: string
  labels: Record<string, string>
  line: string
}

export type Direction = 'forward' | 'backward'

/** "1569266497240578000" → local time with all nine fraction digits. Pure apart from the time zone. */
export function formatNanos(ns: string): string {
  const big = BigInt(ns)
  const ms = Number(big / 1_000_000n)
  const fraction = (big % 1_000_000_000n).toString().padStart(9, '0')
  // formatLocalTime writes milliseconds; the nanoseconds Loki keeps replace them
  return formatLocalTime(new Date(ms)).replace(/\.\d{3} /, `.${fraction} `)
}

/**
 * Streams → one list of entries in the query's direction (backward: newest first), by nanosecond
 * timestamp compared exactly (BigInt), ties kept in stream order. Pure.
 */
export function mergeStreams(streams: LokiStream[], direction: Direction): LogEntry[] {
  const all: {ns: bigint; labels: Record<string, string>; line: string; raw: string; order: number}[] = []
  let order = 0
  for (const s of streams) for (const [ns, line] of s.values) all.push({ns: BigInt(ns), raw: ns, labels: s.stream, line, order: order++})
  all.sort((a, b) => (a.ns === b.ns ? a.order - b.order : (a.ns < b.ns) === (direction === 'forward') ? -1 : 1))
  return all.map((e) => ({ns: e.raw, time: formatNanos(e.raw), labels: e.labels, line: e.line}))
}

/** The labels every stream shares (shown once) and, per entry, the ones that differ. Pure. */
export function commonLabels(streams: {stream: Record<string, string>}[]): Record<string, string> {
  if (streams.length === 0) return {}
  const [first, ...rest] = streams
  const common: Record<string, string> = {}
  for (const [k, v] of Object.entries(first!.stream)) if (rest.every((s) => s.stream[k] === v)) common[k] = v
  return common
}

export interface LogsOptions {
  query: string
  sinceMs: number
  /** end of the window, ms since the epoch; default now */
  endMs?: number
  limit: number
  direction: Direction
  /** cancels the query (doctor's deadline) */
  signal?: AbortSignal
  timeoutMs?: number
}

export interface LogsResult {
  loki: string
  query: string
  start: string
  end: string
  direction: Direction
  limit: number
  resultType: LokiQueryData['resultType']
  entries: LogEntry[]
  streams: number
  commonLabels: Record<string, string>
  /** metric queries */
  rows?: QueryRow[]
  /** the limit was reached: there may be more lines */
  limited: boolean
}

export const MAX_LIMIT = 5000

function msToNs(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString()
}

export async function queryLogs(loki: LokiClient, options: LogsOptions, nowMs = Date.now()): Promise<LogsResult> {
  if (options.query.trim() === '') throw new UserError('the LogQL query is empty', {hint: 'give a query, e.g. \'{container_name="tabbyapi"}\', or --preset'})
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new UserError(`--limit must be a positive number, not ${options.limit}`)
  if (options.sinceMs <= 0) throw new UserError('--since must be a positive duration, e.g. 1h')
  const endMs = options.endMs ?? nowMs
  const start = msToNs(endMs - options.sinceMs)
  const end = msToNs(endMs)
  const data = await loki.getJson<LokiQueryData>('/loki/api/v1/query_range', {
    query: options.query,
    start,
    end,
    limit: options.limit,
    direction: options.direction,
  }, {signal: options.signal, timeoutMs: options.timeoutMs})
  const base = {loki: loki.baseUrl, query: options.query, start, end, direction: options.direction, limit: options.limit, resultType: data.resultType}
  if (data.resultType === 'streams') {
    const entries = mergeStreams(data.result, options.direction)
    return {...base, entries, streams: data.result.length, commonLabels: commonLabels(data.result), limited: entries.length >= options.limit}
  }
  const rows: QueryRow[] =
    data.resultType === 'matrix'
      ? data.result.map((s) => {
          const last = s.values.at(-1) ?? [0, 'NaN']
          const nums = s.values.map((v) => parseSampleValue(v[1]))
          return {labels: s.metric, value: parseSampleValue(last[1]), raw: last[1], time: last[0], min: Math.min(...nums), max: Math.max(...nums), points: s.values.length}
        })
      : data.result.map((s) => ({labels: s.metric, value: parseSampleValue(s.value[1]), raw: s.value[1], time: s.value[0]}))
  return {...base, entries: [], streams: 0, commonLabels: {}, rows, limited: false}
}

/** One log line for humans: time, the labels that differ from the common ones, the line. Pure. */
export function formatEntry(e: LogEntry, common: Record<string, string>): string {
  const own = Object.fromEntries(Object.entries(e.labels).filter(([k, v]) => common[k] !== v))
  const labels = Object.keys(own).length > 0 ? ` ${formatSeries(undefined, own)}` : ''
  return `${e.time}${labels} ${e.line}`
}

export interface LabelsOptions {
  /** the label whose values to list; omit for the label names */
  name?: string
  sinceMs: number
  /** restrict to streams of this selector */
  query?: string
}

export interface LabelsResult {
  loki: string
  name?: string
  values: string[]
}

const LABEL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/

export async function lokiLabels(loki: LokiClient, options: LabelsOptions, nowMs = Date.now()): Promise<LabelsResult> {
  if (options.name !== undefined && !LABEL_NAME_RE.test(options.name)) {
    throw new UserError(`${JSON.stringify(options.name)} is not a label name`, {hint: 'label names are letters, digits and _, not starting with a digit'})
  }
  const query = {start: msToNs(nowMs - options.sinceMs), end: msToNs(nowMs), ...(options.query ? {query: options.query} : {})}
  const path = options.name ? `/loki/api/v1/label/${options.name}/values` : '/loki/api/v1/labels'
  const values = (await loki.getJson<string[] | null>(path, query)) ?? []
  return {loki: loki.baseUrl, ...(options.name ? {name: options.name} : {}), values: [...values].sort()}
}
