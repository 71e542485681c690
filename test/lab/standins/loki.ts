// A stand-in for Grafana Loki 3.4.2 or 2.8.0, kept for what real Loki cannot be made to do on demand;
// the lab itself runs real Loki (../loki-real.ts) and test/integration/loki-contract.test.ts proves
// this answers as real 3.4.2 and 2.8.0 do wherever hydra depends on it, version differences
// included (content types, detected_level and service_name, multi-tenant answers, limit errors).
// It speaks the documented HTTP API of
// api-facts.md §3: /ready (readyHandler in pkg/loki/loki.go), and the query API: query_range,
// query (metric queries only), labels, label/<name>/values, push (JSON). Streams answer with
// nanosecond string timestamps; errors are plain text (pkg/util/server/error.go); tenancy is on
// (auth_enabled: true, the default): every API call needs X-Scope-OrgID, else 401 `no org id`.
// The LogQL it evaluates is the subset of ./logql.ts; it refuses the rest with a 400.
import type {ServerResponse} from 'node:http'

import {LAB_LOKI_STREAMS, LOKI_TENANT} from '../loki-seed.js'
import {goError, readBody, send, TEXT, type RequestContext, Standin, type StandinOptions} from './standin.js'
import {evaluateLogQuery, evaluateMetric, LogqlError, matches, parseQuery, parseLogQuery, type StoredEntry, type StoredStream} from './logql.js'

export const LOKI_NOT_READY_DEFAULT = 'Ingester not ready: waiting for 15s after being ready'
/** the tenant of the seeded lines; the lab's hydra config must send it as services.loki.tenant */
export const LOKI_LAB_TENANT = LOKI_TENANT

export const LOKI_STANDIN_VERSIONS = ['3.4.2', '2.8.0'] as const
export type LokiStandinVersion = (typeof LOKI_STANDIN_VERSIONS)[number]

/** /loki/api/v1/status/buildinfo of the lab-bin builds (../shared/lab-bin/README.md) */
const BUILD_INFO: Record<LokiStandinVersion, {version: string; revision: string; branch: string}> = {
  '3.4.2': {version: '3.4.2', revision: '4fa045d380', branch: 'v3.4.2'},
  '2.8.0': {version: '2.8.0', revision: '90888a0cc7', branch: 'v2.8.0'},
}

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

/** limit: default 100; Loki refuses more than max_entries_limit_per_query (5000; 2.x names it max_entries_limit). */
function parseLimit(value: string | null, v3: boolean): number {
  if (value === null || value === '') return 100
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new BadRequest('limit must be a positive value')
  if (n > 5000) throw new BadRequest(`max entries limit per query exceeded, limit > ${v3 ? 'max_entries_limit_per_query' : 'max_entries_limit'} (${n} > 5000)`)
  return n
}

/** Go's time.Duration String() for whole nanoseconds: 800h0m0s, 1h2m3.5s, 250ms. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s'
  if (ns < 1_000_000_000n) {
    const [unit, div] = ns < 1000n ? ['ns', 1n] : ns < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n]
    return `${fraction(ns, div as bigint)}${unit}`
  }
  const h = ns / HOUR_NS
  const m = (ns % HOUR_NS) / 60_000_000_000n
  const sec = fraction(ns % 60_000_000_000n, 1_000_000_000n)
  return h > 0n ? `${h}h${m}m${sec}s` : m > 0n ? `${m}m${sec}s` : `${sec}s`
}

function fraction(n: bigint, div: bigint): string {
  const whole = n / div
  const rest = n % div
  if (rest === 0n) return whole.toString()
  return `${whole}.${rest.toString().padStart(div.toString().length - 1, '0').replace(/0+$/, '')}`
}

/** limits_config.max_query_length: 721h (30d1h); 3.x prints it as a Prometheus duration, 2.x as Go's. */
const MAX_QUERY_LENGTH_NS = 721n * HOUR_NS

/**
 * Loki 3's discover_log_levels (distributor, @v3.4.2): a JSON line ({…}) or a logfmt line (has `=`)
 * gives its level/lvl/severity field's value (unknown if none or not a level); any other line is
 * searched for level words, in Loki's order (info, then error, warn, critical, debug).
 */
export function detectLevel(line: string): string {
  const t = line.trim()
  let value: string | undefined
  if (t.startsWith('{') && t.endsWith('}')) {
    value = /"(?:level|lvl|severity|LEVEL|Level|SEVERITY|Severity)"\s*:\s*"([^"]*)"/.exec(t)?.[1]
  } else if (t.includes('=')) {
    value = /(?:^|\s)(?:level|lvl|severity|LEVEL|Level|SEVERITY|Severity)=("?)([^"\s]*)\1/.exec(t)?.[2]
  } else {
    if (/info:|INFO:|info|INFO/.test(line)) return 'info'
    if (/err:|ERR:|error|ERROR/.test(line)) return 'error'
    if (/warn:|WARN:|warning|WARNING/.test(line)) return 'warn'
    if (/CRITICAL:|critical:/.test(line)) return 'critical'
    if (/debug:|DEBUG:/.test(line)) return 'debug'
    return 'unknown'
  }
  switch ((value ?? '').toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace'
    case 'debug':
    case 'dbg':
      return 'debug'
    case 'info':
    case 'inf':
      return 'info'
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn'
    case 'error':
    case 'err':
      return 'error'
    case 'critical':
      return 'critical'
    case 'fatal':
      return 'fatal'
    default:
      return 'unknown'
  }
}

/** Loki 3's discover_service_name (limits.go @v3.4.2): the first of these labels, else unknown_service. */
const SERVICE_NAME_FROM = ['service', 'app', 'application', 'app_name', 'name', 'app_kubernetes_io_name', 'container', 'container_name', 'k8s_container_name', 'component', 'workload', 'job', 'k8s_job_name']
export function withServiceName(labels: Record<string, string>): Record<string, string> {
  if (labels.service_name !== undefined) return labels
  const from = SERVICE_NAME_FROM.find((k) => labels[k] !== undefined)
  return {...labels, service_name: from ? labels[from]! : 'unknown_service'}
}


export class LokiStandin extends Standin {
  readonly what: string
  readonly version: LokiStandinVersion
  /** 3.x: detected_level and service_name, text/plain errors, 500 for `a|b` without the setting */
  private readonly v3: boolean
  ready = true
  notReadyMessage = LOKI_NOT_READY_DEFAULT
  /** querier.multi_tenant_queries_enabled: off by default, as in Loki; then `a|b` is 500 multiple org IDs present */
  multiTenantQueries = false

  /** tenant → streams; Loki keeps every tenant's data apart */
  private readonly tenants = new Map<string, StoredStream[]>()
  /** the tenant the seeded log lines belong to (what services.loki.tenant should say) */
  readonly seedTenant: string

  constructor(options: Partial<StandinOptions> & {tenant?: string; version?: LokiStandinVersion} = {}) {
    super({name: 'loki', node: 'hydra-storage', host: '127.0.0.2', port: 3100, ...options})
    this.version = options.version ?? '3.4.2'
    this.v3 = this.version.startsWith('3.')
    this.what = `Grafana Loki ${this.version} (stand-in, api-facts.md §3, §10)`
    this.seedTenant = options.tenant ?? LOKI_LAB_TENANT
    // Loki answers with http.Error in both cases: text/plain, a trailing newline
    this.get('/ready', ({res}) => (this.ready ? goError(res, 200, 'ready') : goError(res, 503, this.notReadyMessage)))
    this.get('/loki/api/v1/query_range', (ctx) => this.api(ctx, (streams) => this.queryRange(ctx, streams)))
    this.get('/loki/api/v1/query', (ctx) => this.api(ctx, (streams) => this.queryInstant(ctx, streams)))
    this.get('/loki/api/v1/labels', (ctx) => this.api(ctx, (streams) => this.labels(ctx, streams)))
    this.get(/^\/loki\/api\/v1\/label\/(?<name>[^/]+)\/values$/, (ctx) => this.api(ctx, (streams) => this.labels(ctx, streams, ctx.params.name)))
    this.post('/loki/api/v1/push', (ctx) => this.push(ctx))
    // no tenant needed, no envelope (pkg/loki/version_handler.go)
    this.get('/loki/api/v1/status/buildinfo', ({res}) => send(res, 200, JSON.stringify({...BUILD_INFO[this.version], buildUser: '', buildDate: '', goVersion: ''}), 'application/json'))
    // the running config as YAML; hydra reads querier.multi_tenant_queries_enabled (default false)
    this.get('/config', ({res}) => send(res, 200, `target: all\nauth_enabled: true\nquerier:\n  multi_tenant_queries_enabled: ${this.multiTenantQueries}\n`, 'text/plain; charset=utf-8'))
    this.seed(BigInt(Date.now()) * 1_000_000n)
  }

  /**
   * A tenant header may name several tenants (`a|b`): with multi_tenant_queries_enabled their
   * streams are queried together; without it 2.x takes `a|b` for one tenant that has nothing.
   */
  private streamsOf(tenant: string): StoredStream[] {
    if (!this.multiTenantQueries) return this.tenants.get(tenant) ?? []
    return tenant.split('|').flatMap((t) => this.tenants.get(t) ?? [])
  }

  /** A JSON answer: 3.x says `application/json; charset=UTF-8`, 2.x `application/json`. */
  private json(res: ServerResponse, value: unknown): void {
    send(res, 200, JSON.stringify(value), this.v3 ? 'application/json; charset=UTF-8' : 'application/json')
  }

  /**
   * Loki's WriteError (pkg/util/server/error.go), no trailing newline: 3.x text/plain and nosniff;
   * 2.x labels a 400 `application/json; charset=UTF-8` although the body is plain text (api-facts.md §10).
   */
  private error(res: ServerResponse, status: number, message: string): void {
    if (!this.v3 && status === 400) send(res, status, message, 'application/json; charset=UTF-8')
    else send(res, status, message, TEXT, {'X-Content-Type-Options': 'nosniff'})
  }

  private api(ctx: RequestContext, handler: (streams: StoredStream[]) => void): void {
    const tenant = this.requireTenant(ctx)
    if (tenant === undefined) return
    if (this.v3 && tenant.includes('|') && !this.multiTenantQueries) return this.error(ctx.res, 500, 'multiple org IDs present')
    try {
      handler(this.streamsOf(tenant))
    } catch (error) {
      if (error instanceof LogqlError || error instanceof BadRequest) this.error(ctx.res, 400, error.message)
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
    const limit = parseLimit(p.get('limit'), this.v3)
    const direction = p.get('direction') ?? 'backward'
    if (direction !== 'forward' && direction !== 'backward') throw new BadRequest(`invalid direction '${direction}'`)
    const parsed = parseQuery(query)
    if (end - start > MAX_QUERY_LENGTH_NS) {
      throw new BadRequest(`the query time range exceeds the limit (query length: ${goDuration(end - start)}, limit: ${this.v3 ? '30d1h' : goDuration(MAX_QUERY_LENGTH_NS)})`)
    }
    if ('log' in parsed) {
      const hits = evaluateLogQuery(parsed.log, streams, start, end)
      // the `limit` newest (backward) or oldest (forward) entries over all streams, then grouped
      hits.sort((a, b) => (a.entry.ns === b.entry.ns ? 0 : (a.entry.ns < b.entry.ns) === (direction === 'forward') ? -1 : 1))
      const groups = new Map<string, {stream: Record<string, string>; values: [string, string][]}>()
      for (const h of hits.slice(0, limit)) {
        // Loki 3 merges the structured metadata detected_level into each result's labels (api-facts.md §10)
        const labels = {...h.labels, ...(this.v3 && h.entry.metadata.detected_level ? {detected_level: h.entry.metadata.detected_level} : {})}
        const key = JSON.stringify(Object.entries(labels).sort())
        const g = groups.get(key) ?? {stream: labels as Record<string, string>, values: [] as [string, string][]}
        g.values.push([h.entry.ns.toString(), h.entry.line])
        groups.set(key, g)
      }
      const result = [...groups.values()]
      this.json(ctx.res, {status: 'success', data: {resultType: 'streams', result, stats: stats(result.reduce((n, r) => n + r.values.length, 0))}})
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
    this.json(ctx.res, {status: 'success', data: {resultType: 'matrix', result: [...series.values()], stats: stats(0)}})
  }

  private queryInstant(ctx: RequestContext, streams: StoredStream[]): void {
    const p = ctx.url.searchParams
    const parsed = parseQuery(p.get('query') ?? '')
    if ('log' in parsed) {
      throw new BadRequest('log queries are not supported as an instant query type, please change your query to a range query type')
    }
    const at = parseLokiTime(p.get('time'), BigInt(Date.now()) * 1_000_000n)
    const result = evaluateMetric(parsed.metric, streams, at).map((s) => ({metric: s.metric, value: [nsToSeconds(at), String(s.value)]}))
    this.json(ctx.res, {status: 'success', data: {resultType: 'vector', result, stats: stats(0)}})
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
    // Data []string `json:"data,omitempty"` (pkg/loghttp/labels.go): no key at all when empty
    this.json(ctx.res, values.size === 0 ? {status: 'success'} : {status: 'success', data: [...values].sort()})
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
      this.add(tenant, s.stream, s.values.map(([ns, line, metadata]) => this.entry(BigInt(ns), line, metadata)))
    }
    ctx.res.writeHead(204).end()
  }

  /** An entry as the distributor stores it: 3.x adds the structured metadata detected_level. */
  entry(ns: bigint, line: string, metadata: Record<string, string> = {}): StoredEntry {
    return {ns, line, metadata: this.v3 ? {detected_level: detectLevel(line), ...metadata} : {...metadata}}
  }

  /** Add entries to a tenant's stream with these labels (created when new; 3.x adds service_name). */
  add(tenant: string, given: Record<string, string>, entries: StoredEntry[]): void {
    const labels = this.v3 ? withServiceName(given) : given
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
   * The lab's lines (../loki-seed.ts, the same the real Lokis get), ending just before `nowNs`.
   * The stand-in's own tenant (`tenant` option) takes the lines of the lab's main tenant.
   */
  seed(nowNs: bigint): void {
    this.tenants.clear()
    for (const s of LAB_LOKI_STREAMS) {
      const tenant = s.tenant === LOKI_TENANT ? this.seedTenant : s.tenant
      this.add(tenant, s.labels, s.lines.map(([ago, nanos, line]) => this.entry(nowNs - BigInt(ago) * 1_000_000_000n + BigInt(nanos), line)))
    }
  }

  override getState(): unknown {
    return {ready: this.ready, notReadyMessage: this.notReadyMessage, multiTenantQueries: this.multiTenantQueries}
  }

  override resetState(): void {
    this.ready = true
    this.notReadyMessage = LOKI_NOT_READY_DEFAULT
    this.multiTenantQueries = false
    this.seed(BigInt(Date.now()) * 1_000_000n)
  }

  override setState(patch: Record<string, unknown>): void {
    if (patch.ready !== undefined) this.ready = Boolean(patch.ready)
    if (typeof patch.notReadyMessage === 'string') this.notReadyMessage = patch.notReadyMessage
    if (patch.multiTenantQueries !== undefined) this.multiTenantQueries = Boolean(patch.multiTenantQueries)
  }

  /** Loki's tenancy check (auth_enabled: true): 401 `no org id` without X-Scope-OrgID. */
  requireTenant(ctx: RequestContext): string | undefined {
    const tenant = ctx.req.headers['x-scope-orgid']
    if (typeof tenant === 'string' && tenant !== '') return tenant
    goError(ctx.res, 401, 'no org id')
    return undefined
  }
}
