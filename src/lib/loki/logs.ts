/**
 * `hydra logs`: Loki query_range with the runbook's queries as presets, corrected (api-facts.md §3,
 * §7): the Docker driver labels streams `container_name`, not `container` or `job`, and `level` is
 * no label without a parser; Loki 3 puts the detected level in `detected_level`.
 */
import type {HydraConfig} from '../config/resolve.js'
import {UserError} from '../errors.js'
import {formatLocalTime} from '../output/time.js'
import {formatSeries, parseSampleValue, type QueryRow} from '../prometheus/query.js'
import type {LokiBuildInfo, LokiClient} from './client.js'

export interface LogPreset {
  name: string
  description: string
  /** the runbook's query it replaces */
  replaces: string
  /** the query for this Loki (its major version when known: 3 has detected_level, 2 does not) */
  query: (cfg: HydraConfig, loki?: LokiBuildInfo) => string
}

function tabbyContainer(cfg: HydraConfig): string {
  return cfg.apps.find((a) => a.kind === 'tabbyapi')?.container ?? 'tabbyapi'
}

/**
 * Loki 3 stores each line's level as structured metadata `detected_level` (discover_log_levels,
 * on by default): a level field (logfmt or JSON), else a level word in the line.
 */
export const ERRORS_QUERY_V3 = '{container_name=~".+"} | detected_level="error"'
/**
 * Loki 2 has no detected_level (`| detected_level="error"` parses but matches nothing, api-facts.md
 * §10): the same idea as line filters, which need no parser and so hold for logfmt, JSON and plain
 * lines alike: an error word, unless a level field says the line is something else.
 */
export const ERRORS_QUERY_V2 =
  '{container_name=~".+"} |~ `(?i)(err|fatal|crit|panic|emerg)` !~ `(?i)(level|lvl|severity)"?\\s*[=:]\\s*"?(info|debug|trace|warn)`'

export const LOG_PRESETS: LogPreset[] = [
  {
    name: 'tabbyapi',
    description: "all of TabbyAPI's logs",
    replaces: '{container="tabbyapi"}',
    query: (cfg) => `{container_name="${tabbyContainer(cfg)}"}`,
  },
  {
    name: 'errors',
    description: "error lines from any container (Loki 3: its detected_level; Loki 2 or unknown: line filters)",
    replaces: '{job="docker"} |= "error" | level="error"',
    query: (_cfg, loki) => ((loki?.major ?? 0) >= 3 ? ERRORS_QUERY_V3 : ERRORS_QUERY_V2),
  },
  {
    name: 'inference',
    description: "TabbyAPI's completion requests",
    replaces: '{container="tabbyapi"} |~ "POST /v1/completions"',
    query: (cfg) => `{container_name="${tabbyContainer(cfg)}"} |~ "POST /v1/(chat/)?completions"`,
  },
]

export function findPreset(name: string): LogPreset {
  const p = LOG_PRESETS.find((x) => x.name === name)
  if (!p) throw new UserError(`no preset ${JSON.stringify(name)}`, {hint: `presets: ${LOG_PRESETS.map((x) => x.name).join(', ')}`})
  return p
}

export function presetQuery(name: string, cfg: HydraConfig, loki?: LokiBuildInfo): string {
  return findPreset(name).query(cfg, loki)
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
  /** how far back from the end; ignored when startMs or startNs is given */
  sinceMs?: number
  /** end of the window, ms since the epoch; default now */
  endMs?: number
  /** start and end as nanosecond epochs (RFC 3339 --from/--to keep their nanoseconds) */
  startNs?: bigint
  endNs?: bigint
  /** lines in all (logcli's --limit); 0: every line in the window */
  limit: number
  /** lines per request (logcli's --batch); default min(limit, 1000) */
  batch?: number
  direction: Direction
  /** cancels the query (doctor's deadline) */
  signal?: AbortSignal
  /** overrides the query timeout for each request */
  timeoutMs?: number
  /** each batch of entries as it arrives (streaming output) */
  onBatch?: (entries: LogEntry[]) => void
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
  /** requests sent (more than one when --limit is above --batch) */
  requests: number
  /** why an empty answer may not mean "no such lines" (never a silent empty answer) */
  note?: string
}

export const MAX_LIMIT = 5000
export const DEFAULT_BATCH = 1000

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms)) * 1_000_000n
}

/** The query window in nanoseconds. Pure. */
export function queryWindow(options: Pick<LogsOptions, 'sinceMs' | 'endMs' | 'startNs' | 'endNs'>, nowMs: number): {start: bigint; end: bigint} {
  const end = options.endNs ?? msToNs(options.endMs ?? nowMs)
  if (options.startNs !== undefined) return {start: options.startNs, end}
  if (options.sinceMs === undefined || options.sinceMs <= 0) throw new UserError('--since must be a positive duration, e.g. 1h')
  return {start: end - msToNs(options.sinceMs), end}
}

const entryKey = (e: LogEntry) => `${e.ns}\u0000${JSON.stringify(e.labels)}\u0000${e.line}`

export async function queryLogs(loki: LokiClient, options: LogsOptions, nowMs = Date.now()): Promise<LogsResult> {
  if (options.query.trim() === '') throw new UserError('the LogQL query is empty', {hint: 'give a query, e.g. \'{container_name="tabbyapi"}\', or --preset'})
  if (!Number.isInteger(options.limit) || options.limit < 0) throw new UserError(`--limit must be 0 (every line) or a positive number, not ${options.limit}`)
  const {start, end} = queryWindow(options, nowMs)
  if (end <= start) throw new UserError('the end of the range must come after its start', {hint: 'check --from/--to (RFC 3339, e.g. 2026-01-02T15:04:05Z)'})
  const batch = options.batch ?? Math.min(options.limit || DEFAULT_BATCH, DEFAULT_BATCH)
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`--batch must be a positive number, not ${batch}`)
  const base = {loki: loki.baseUrl, query: options.query, start: start.toString(), end: end.toString(), direction: options.direction, limit: options.limit}
  const want = options.limit === 0 ? Number.POSITIVE_INFINITY : options.limit
  const entries: LogEntry[] = []
  const streamKeys = new Set<string>()
  const allStreams: LokiStream[] = []
  let lo = start
  let hi = end
  let requests = 0
  let limited = false
  const fetchRange = (from: bigint, to: bigint, limit: number) => {
    requests++
    return loki.getJson<LokiQueryData>(
      '/loki/api/v1/query_range',
      {query: options.query, start: from.toString(), end: to.toString(), limit, direction: options.direction},
      {query: true, signal: options.signal, timeoutMs: options.timeoutMs},
    )
  }
  // logcli's batching: ask for up to `batch` lines at a time and move the window past the last
  // line received; lines at the boundary nanosecond come again and are dropped as seen
  for (;;) {
    // lines at the boundary nanosecond come again: ask for that many more
    const boundary = entries.at(-1)?.ns
    const seen = new Set(entries.filter((e) => e.ns === boundary).map(entryKey))
    const ask = Math.min(Math.min(batch, want - entries.length) + seen.size, MAX_LIMIT)
    let top = hi
    let data = await fetchRange(lo, top, ask)
    // Loki (2.8 to 3.4 at least) can answer a forward query cut by its limit wrongly when the window
    // spans one of its query splits: a later split's lines replace earlier ones. Within one split the
    // answer is right, so a cut answer that spans a split is asked again up to the split's end.
    if (options.direction === 'forward' && data.resultType === 'streams' && countEntries(data.result) >= ask) {
      const edge = await nextSplitEdge(loki, lo, hi, options.signal)
      if (edge !== undefined) data = await fetchRange(lo, (top = edge), ask)
    }
    if (data.resultType !== 'streams') {
      const rows: QueryRow[] =
        data.resultType === 'matrix'
          ? data.result.map((s) => {
              const last = s.values.at(-1) ?? [0, 'NaN']
              const nums = s.values.map((v) => parseSampleValue(v[1]))
              return {labels: s.metric, value: parseSampleValue(last[1]), raw: last[1], time: last[0], min: Math.min(...nums), max: Math.max(...nums), points: s.values.length}
            })
          : data.result.map((s) => ({labels: s.metric, value: parseSampleValue(s.value[1]), raw: s.value[1], time: s.value[0]}))
      return {...base, resultType: data.resultType, entries: [], streams: 0, commonLabels: {}, rows, limited: false, requests}
    }
    for (const s of data.result) {
      const key = JSON.stringify(s.stream)
      if (!streamKeys.has(key)) (streamKeys.add(key), allStreams.push(s))
    }
    const got = mergeStreams(data.result, options.direction)
    const fresh = got.filter((e) => !seen.has(entryKey(e))).slice(0, want - entries.length)
    entries.push(...fresh)
    if (fresh.length > 0) options.onBatch?.(fresh)
    if (entries.length >= want) {
      limited = true
      break
    }
    // fewer than asked: the window is exhausted (a split of it: go on past its end); nothing new: one
    // nanosecond holds more than a batch
    if (got.length < ask && top < hi) {
      lo = top
      continue
    }
    if (got.length < ask || fresh.length === 0) {
      limited = got.length >= ask
      break
    }
    const last = BigInt(entries.at(-1)!.ns)
    if (options.direction === 'backward') hi = last + 1n
    else lo = last
  }
  return {...base, resultType: 'streams', entries, streams: allStreams.length, commonLabels: commonLabels(allStreams), limited, requests}
}

function countEntries(streams: LokiStream[]): number {
  let n = 0
  for (const s of streams) n += s.values.length
  return n
}

/** Loki's default split when its config will not say: 30m (2.x) divides 1h (3.x), so both are kept. */
export const FALLBACK_SPLIT_MS = 1_800_000

/** The first of Loki's query split boundaries (multiples of split_queries_by_interval since the epoch) inside (lo, hi). */
export async function nextSplitEdge(loki: Pick<LokiClient, 'splitIntervalMs'>, lo: bigint, hi: bigint, signal?: AbortSignal): Promise<bigint | undefined> {
  const ms = (await loki.splitIntervalMs(signal)) ?? FALLBACK_SPLIT_MS
  if (ms <= 0) return undefined
  const step = msToNs(ms)
  const edge = (lo / step + 1n) * step
  return edge < hi ? edge : undefined
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
  signal?: AbortSignal
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
  const query = {start: msToNs(nowMs - options.sinceMs).toString(), end: msToNs(nowMs).toString(), ...(options.query ? {query: options.query} : {})}
  const path = options.name ? `/loki/api/v1/label/${options.name}/values` : '/loki/api/v1/labels'
  const values = (await loki.getJson<string[] | null | undefined>(path, query, {signal: options.signal})) ?? []
  return {loki: loki.baseUrl, ...(options.name ? {name: options.name} : {}), values: [...values].sort()}
}
