// A stand-in for Grafana Loki 3 (no Debian package), speaking the documented HTTP API of
// api-facts.md §3: /ready (readyHandler in pkg/loki/loki.go), and the query API: query_range,
// query (metric queries only), labels, label/<name>/values, push (JSON). Streams answer with
// nanosecond string timestamps; errors are plain text (pkg/util/server/error.go); tenancy is on
// (auth_enabled: true, the default): every API call needs X-Scope-OrgID, else 401 `no org id`.
// The LogQL it evaluates is the subset of ./logql.ts; it refuses the rest with a 400.
import {goError, readBody, sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'
import {evaluateLogQuery, evaluateMetric, LogqlError, matches, parseQuery, parseLogQuery, type StoredEntry, type StoredStream} from './logql.js'

export const LOKI_NOT_READY_DEFAULT = 'Ingester not ready: waiting for 15s after being ready'
/** the tenant of the seeded lines; the lab's hydra config must send it as services.loki.tenant */
export const LOKI_LAB_TENANT = 'hydra'

/** [seconds ago, nanoseconds added, line]: TabbyAPI logs through uvicorn, level words upper case. */
export const LAB_TABBY_LINES: readonly (readonly [number, number, string])[] = [
  [1500, 101_202_303, 'INFO:     Started server process [1]'],
  [1499, 404_505_606, 'INFO:     Uvicorn running on http://0.0.0.0:5000 (Press CTRL+C to quit)'],
  [1200, 707_808_909, 'INFO:     127.0.0.1:51234 - "POST /v1/completions HTTP/1.1" 200'],
  [900, 123_456_789, 'INFO:     127.0.0.1:51236 - "POST /v1/chat/completions HTTP/1.1" 200'],
  [600, 987_654_321, 'ERROR:    Exception in ASGI application: CUDA out of memory. Tried to allocate 2.00 GiB'],
  [300, 555_000_001, 'WARNING:  generation took 31.2s, over the 30s budget'],
  [60, 1, 'INFO:     127.0.0.1:51240 - "GET /health HTTP/1.1" 200'],
]

/** Loki's own logfmt lines (pkg/util/log). */
export const LAB_LOKI_LINES: readonly (readonly [number, number, string])[] = [
  [1400, 250_000_000, 'level=info ts=2026-01-01T00:00:00Z caller=main.go:108 msg="Starting Loki" version=3.4.2'],
  [1000, 750_000_123, 'level=warn ts=2026-01-01T00:06:40Z caller=ingester.go:412 msg="flush queue is long" length=120'],
  [700, 999_999_999, 'level=error ts=2026-01-01T00:11:40Z caller=flush.go:143 msg="failed to flush chunks" err="context deadline exceeded"'],
  [120, 42, 'level=info ts=2026-01-01T00:21:40Z caller=table_manager.go:271 msg="uploading tables"'],
]

const HOUR_NS = 3_600_000_000_000n

class BadRequest extends Error {}

const maxBig = (a: bigint, b: bigint) => (a > b ? a : b)

function stats(entries: number): unknown {
  return {summary: {totalEntriesReturned: entries, execTime: 0.001}}
}

function nsToSeconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000
}

/** loghttp's parseTimestamp: float seconds, integer seconds (<= 10 digits) or nanoseconds, or RFC3339Nano. */
export function parseLokiTime(value: string | null, def: bigint): bigint {
  if (value === null || value === '') return def
  if (value.includes('.') && /^\d+\.\d+$/.test(value)) {
    const [s, f] = value.split('.') as [string, string]
    return BigInt(s) * 1_000_000_000n + BigInt(f.padEnd(9, '0').slice(0, 9))
  }
  if (/^-?\d+$/.test(value)) return value.length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value)
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new BadRequest(`invalid parameter: cannot parse "${value}" to a valid timestamp`)
  const frac = /\.(\d+)/.exec(value)?.[1] ?? ''
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9) || '0')
}

function durationNs(text: string): bigint {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (!m) throw new BadRequest(`invalid parameter: cannot parse "${text}" to a valid duration`)
  const unit = {ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: HOUR_NS, d: 24n * HOUR_NS}[m[2] as 'ms']
  return BigInt(m[1]!) * unit
}

function durationOrSecondsNs(text: string): bigint {
  if (/^\d+(\.\d+)?$/.test(text)) return BigInt(Math.round(Number(text) * 1e9))
  return durationNs(text)
}

/** limit: default 100; Loki refuses more than max_entries_limit_per_query (5000). */
function parseLimit(value: string | null): number {
  if (value === null || value === '') return 100
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new BadRequest(`invalid parameter: limit must be a positive value`)
  if (n > 5000) throw new BadRequest(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${n} > 5000)`)
  return n
}

/** Loki 3's discover_log_levels: a logfmt/JSON level field, else the first level word in the line. */
export function detectLevel(line: string): string {
  const field = /(?:^|\s|")level"?[=:]\s*"?([A-Za-z]+)/.exec(line)?.[1]
  const word = field ?? /\b(CRITICAL|FATAL|ERROR|ERR|WARNING|WARN|INFO|DEBUG|TRACE)\b/i.exec(line)?.[1]
  if (!word) return 'unknown'
  const w = word.toLowerCase()
  if (w === 'err') return 'error'
  if (w === 'warning') return 'warn'
  if (w === 'fatal') return 'critical'
  return w
}

export class LokiStandin extends Standin {
  readonly what = 'Grafana Loki 3 (stand-in, api-facts.md §3)'
  ready = true
  notReadyMessage = LOKI_NOT_READY_DEFAULT

  /** tenant → streams; Loki keeps every tenant's data apart */
  private readonly tenants = new Map<string, StoredStream[]>()
  /** the tenant the seeded log lines belong to (what services.loki.tenant should say) */
  readonly seedTenant: string

  constructor(options: Partial<StandinOptions> & {tenant?: string} = {}) {
    super({name: 'loki', node: 'hydra-storage', host: '127.0.0.2', port: 3100, ...options})
    this.seedTenant = options.tenant ?? LOKI_LAB_TENANT
    // Loki answers with http.Error in both cases: text/plain, a trailing newline
    this.get('/ready', ({res}) => (this.ready ? goError(res, 200, 'ready') : goError(res, 503, this.notReadyMessage)))
    this.get('/loki/api/v1/query_range', (ctx) => this.api(ctx, (streams) => this.queryRange(ctx, streams)))
    this.get('/loki/api/v1/query', (ctx) => this.api(ctx, (streams) => this.queryInstant(ctx, streams)))
    this.get('/loki/api/v1/labels', (ctx) => this.api(ctx, (streams) => this.labels(ctx, streams)))
    this.get(/^\/loki\/api\/v1\/label\/(?<name>[^/]+)\/values$/, (ctx) => this.api(ctx, (streams) => this.labels(ctx, streams, ctx.params.name)))
    this.post('/loki/api/v1/push', (ctx) => this.push(ctx))
    this.seed(BigInt(Date.now()) * 1_000_000n)
  }

  /** A tenant header may name several tenants (`a|b`): their streams are queried together. */
  private streamsOf(tenant: string): StoredStream[] {
    return tenant.split('|').flatMap((t) => this.tenants.get(t) ?? [])
  }

  private api(ctx: RequestContext, handler: (streams: StoredStream[]) => void): void {
    const tenant = this.requireTenant(ctx)
    if (tenant === undefined) return
    try {
      handler(this.streamsOf(tenant))
    } catch (error) {
      if (error instanceof LogqlError || error instanceof BadRequest) goError(ctx.res, 400, error.message)
      else throw error
    }
  }

  private queryRange(ctx: RequestContext, streams: StoredStream[]): void {
    const p = ctx.url.searchParams
    const query = p.get('query') ?? ''
    const now = BigInt(Date.now()) * 1_000_000n
    const end = parseLokiTime(p.get('end'), now)
    const since = p.get('since')
    const start = parseLokiTime(p.get('start'), end - (since ? durationNs(since) : HOUR_NS))
    if (end < start) throw new BadRequest('end timestamp must not be before or equal to start time')
    const limit = parseLimit(p.get('limit'))
    const direction = p.get('direction') ?? 'backward'
    if (direction !== 'forward' && direction !== 'backward') throw new BadRequest(`invalid direction '${direction}'`)
    const parsed = parseQuery(query)
    if ('log' in parsed) {
      const hits = evaluateLogQuery(parsed.log, streams, start, end)
      // the `limit` newest (backward) or oldest (forward) entries over all streams, then grouped
      hits.sort((a, b) => (a.entry.ns === b.entry.ns ? 0 : (a.entry.ns < b.entry.ns) === (direction === 'forward') ? -1 : 1))
      const groups = new Map<string, {stream: Record<string, string>; values: [string, string][]}>()
      for (const h of hits.slice(0, limit)) {
        const key = JSON.stringify(Object.entries(h.labels).sort())
        const g = groups.get(key) ?? {stream: h.labels, values: []}
        g.values.push([h.entry.ns.toString(), h.entry.line])
        groups.set(key, g)
      }
      const result = [...groups.values()]
      sendJson(ctx.res, 200, {status: 'success', data: {resultType: 'streams', result, stats: stats(result.reduce((n, r) => n + r.values.length, 0))}})
      return
    }
    const stepParam = p.get('step')
    // Loki's default step: the range split into about 250 points, at least 1s
    const stepNs = stepParam ? durationOrSecondsNs(stepParam) : maxBig(1_000_000_000n, (end - start) / 250n)
    if (stepNs <= 0n) throw new BadRequest('zero or negative query resolution step widths are not accepted. Try a positive integer')
    const series = new Map<string, {metric: Record<string, string>; values: [number, string][]}>()
    for (let t = start; t <= end; t += stepNs) {
      for (const s of evaluateMetric(parsed.metric, streams, t)) {
        const key = JSON.stringify(Object.entries(s.metric).sort())
        const g = series.get(key) ?? {metric: s.metric, values: []}
        g.values.push([nsToSeconds(t), String(s.value)])
        series.set(key, g)
      }
    }
    sendJson(ctx.res, 200, {status: 'success', data: {resultType: 'matrix', result: [...series.values()], stats: stats(0)}})
  }

  private queryInstant(ctx: RequestContext, streams: StoredStream[]): void {
    const p = ctx.url.searchParams
    const parsed = parseQuery(p.get('query') ?? '')
    if ('log' in parsed) {
      throw new BadRequest('log queries are not supported as an instant query type, please change your query to a range query type')
    }
    const at = parseLokiTime(p.get('time'), BigInt(Date.now()) * 1_000_000n)
    const result = evaluateMetric(parsed.metric, streams, at).map((s) => ({metric: s.metric, value: [nsToSeconds(at), String(s.value)]}))
    sendJson(ctx.res, 200, {status: 'success', data: {resultType: 'vector', result, stats: stats(0)}})
  }

  private labels(ctx: RequestContext, streams: StoredStream[], name?: string): void {
    const p = ctx.url.searchParams
    const now = BigInt(Date.now()) * 1_000_000n
    const end = parseLokiTime(p.get('end'), now)
    const since = p.get('since')
    // the label endpoints look back 6h by default
    const start = parseLokiTime(p.get('start'), end - (since ? durationNs(since) : 6n * HOUR_NS))
    const selector = p.get('query') ? parseLogQuery(p.get('query')!).selector : []
    const values = new Set<string>()
    for (const s of streams) {
      if (!selector.every((m) => matches(m, s.labels[m.name]))) continue
      if (!s.entries.some((e) => e.ns >= start && e.ns < end)) continue
      if (name === undefined) for (const k of Object.keys(s.labels)) values.add(k)
      else if (s.labels[name] !== undefined) values.add(s.labels[name]!)
    }
    sendJson(ctx.res, 200, {status: 'success', data: [...values].sort()})
  }

  /** POST /loki/api/v1/push, the JSON form: {"streams":[{"stream":{…},"values":[["<ns>","line"(, {metadata})]]}]} → 204. */
  private async push(ctx: RequestContext): Promise<void> {
    const tenant = this.requireTenant(ctx)
    if (tenant === undefined) return
    if (!(ctx.req.headers['content-type'] ?? '').includes('json')) {
      goError(ctx.res, 415, "the hydra lab's Loki stand-in accepts only JSON pushes (Content-Type: application/json)")
      return
    }
    let body: {streams?: {stream: Record<string, string>; values: [string, string, Record<string, string>?][]}[]}
    try {
      body = JSON.parse(await readBody(ctx.req)) as typeof body
    } catch (error) {
      goError(ctx.res, 400, `failed to parse push request: ${(error as Error).message}`)
      return
    }
    for (const s of body.streams ?? []) {
      this.add(tenant, s.stream, s.values.map(([ns, line, metadata]) => ({ns: BigInt(ns), line, metadata: {detected_level: detectLevel(line), ...metadata}})))
    }
    ctx.res.writeHead(204).end()
  }

  /** Add entries to a tenant's stream with these labels (created when new). */
  add(tenant: string, labels: Record<string, string>, entries: StoredEntry[]): void {
    const streams = this.tenants.get(tenant) ?? []
    this.tenants.set(tenant, streams)
    const key = JSON.stringify(Object.entries(labels).sort())
    let stream = streams.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)
    if (!stream) {
      stream = {labels: {...labels}, entries: []}
      streams.push(stream)
    }
    stream.entries.push(...entries)
    stream.entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0))
  }

  /**
   * Log lines as the Loki Docker driver ships them (labels container_name, host, compose_*; no
   * `job`, no `level`), ending just before `nowNs`: TabbyAPI's uvicorn lines and Loki's own logfmt.
   * Nanosecond parts are non-zero, so a client that rounds to milliseconds shows it.
   */
  seed(nowNs: bigint): void {
    this.tenants.clear()
    const at = (secondsAgo: number, nanos: number) => nowNs - BigInt(secondsAgo) * 1_000_000_000n + BigInt(nanos)
    const entry = (ns: bigint, line: string): StoredEntry => ({ns, line, metadata: {detected_level: detectLevel(line)}})
    const tabby = {container_name: 'tabbyapi', host: 'hydra-ai', compose_project: 'ai', compose_service: 'tabbyapi'}
    const loki = {container_name: 'loki', host: 'hydra-storage', compose_project: 'monitoring', compose_service: 'loki'}
    for (const [labels, lines] of [
      [tabby, LAB_TABBY_LINES],
      [loki, LAB_LOKI_LINES],
    ] as const) {
      this.add(this.seedTenant, labels, lines.map(([ago, nanos, line]) => entry(at(ago, nanos), line)))
    }
  }

  override getState(): unknown {
    return {ready: this.ready, notReadyMessage: this.notReadyMessage}
  }

  override resetState(): void {
    this.ready = true
    this.notReadyMessage = LOKI_NOT_READY_DEFAULT
    this.seed(BigInt(Date.now()) * 1_000_000n)
  }

  override setState(patch: Record<string, unknown>): void {
    if (patch.ready !== undefined) this.ready = Boolean(patch.ready)
    if (typeof patch.notReadyMessage === 'string') this.notReadyMessage = patch.notReadyMessage
  }

  /** Loki's tenancy check (auth_enabled: true): 401 `no org id` without X-Scope-OrgID. */
  requireTenant(ctx: RequestContext): string | undefined {
    const tenant = ctx.req.headers['x-scope-orgid']
    if (typeof tenant === 'string' && tenant !== '') return tenant
    goError(ctx.res, 401, 'no org id')
    return undefined
  }
}
