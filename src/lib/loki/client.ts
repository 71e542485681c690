/**
 * Loki's HTTP API (api-facts.md §3, §10): the tenant header, JSON answers, and errors that are plain
 * text (pkg/util/server/error.go; 2.8 labels the same text application/json, so the status decides,
 * never the content type). A 400 is the user's query or limit: exit 2 with Loki's words as they
 * are. A 401 `no org id` means the tenant header is missing: say which config key sets it.
 *
 * Queries get a timeout of their own (`queryTimeoutMs`, default 60 s, Loki's own query_timeout):
 * a 30-day range takes seconds to tens of seconds on a real Loki, while connecting keeps the
 * endpoint's short timeout. Pushes go to `pushUrl` when the config names one (the write path of
 * a simple-scalable Loki, or its gateway).
 */
import {clientForEndpoint, isHttpError, parseJsonBody, type HttpClient, type RequestOptions} from '../clients/http/index.js'
import type {HydraConfig, ResolvedEndpoint} from '../config/resolve.js'
import {parseDuration} from '../config/units.js'
import {formatDuration} from '../format.js'
import {AuthError, OperationError, UserError} from '../errors.js'

export type LokiEndpoint = ResolvedEndpoint & {tenant?: string; pushUrl?: string; queryTimeoutMs?: number}

export const DEFAULT_QUERY_TIMEOUT_MS = 60_000

export interface LokiClientOptions {
  /** X-Scope-OrgID instead of the config's tenant (hydra logs --org-id, as logcli's) */
  orgId?: string
  /** overrides the endpoint's queryTimeoutMs */
  queryTimeoutMs?: number
  /** the flag that sets the query timeout, named in the timeout message */
  queryTimeoutFlag?: string
  http?: HttpClient
}

export interface LokiBuildInfo {
  version: string
  /** 2 or 3; undefined when Loki does not say (a gateway hiding the endpoint, a dev build) */
  major?: number
}

export interface LokiCallOptions {
  signal?: AbortSignal
  /** this call is a query: the query timeout applies and a timeout names the flag */
  query?: boolean
  timeoutMs?: number
}

export class LokiClient {
  readonly http: HttpClient
  readonly tenant?: string
  readonly queryTimeoutMs: number
  private readonly pushHttp?: HttpClient
  private buildInfoPromise?: Promise<LokiBuildInfo | undefined>
  private splitPromise?: Promise<number | undefined>

  constructor(
    readonly endpoint: LokiEndpoint,
    private readonly options: LokiClientOptions = {},
  ) {
    this.tenant = options.orgId ?? endpoint.tenant
    this.queryTimeoutMs = options.queryTimeoutMs ?? endpoint.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
    // the tenant travels as X-Scope-OrgID on every call (Loki's auth_enabled: true, the default)
    const headers = {...endpoint.headers, ...(this.tenant ? {'X-Scope-OrgID': this.tenant} : {})}
    this.http = options.http ?? clientForEndpoint(endpoint, {headers})
    if (endpoint.pushUrl && endpoint.pushUrl !== endpoint.baseUrl) this.pushHttp = clientForEndpoint({...endpoint, baseUrl: endpoint.pushUrl}, {headers})
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  get pushBaseUrl(): string {
    return this.pushHttp?.baseUrl ?? this.baseUrl
  }

  get headers(): Record<string, string> {
    return {...this.endpoint.headers, ...(this.tenant ? {'X-Scope-OrgID': this.tenant} : {})}
  }

  async getJson<T>(path: string, query: RequestOptions['query'], call: LokiCallOptions = {}): Promise<T> {
    const timeoutMs = call.timeoutMs ?? (call.query ? this.queryTimeoutMs : undefined)
    let res
    try {
      res = await this.http.request('GET', path, {query, okStatus: 'any', headers: {accept: 'application/json'}, signal: call.signal, timeoutMs, ...(call.query ? {retries: 0} : {})})
    } catch (error) {
      if (call.query && isHttpError(error) && error.failure === 'timeout' && !call.signal?.aborted) throw this.queryTimeoutError(error)
      throw error
    }
    if (res.status >= 400) throw lokiError(res.status, res.text(), this.baseUrl, this.tenant)
    const body = parseJsonBody<{status?: string; data?: T}>(res)
    // labels with no stream in the window come back as {"status":"success"} without data (§10)
    return body.data as T
  }

  queryTimeoutError(cause: unknown): OperationError {
    const flag = this.options.queryTimeoutFlag ?? '--query-timeout'
    return new OperationError('loki_query_timeout', `Loki at ${this.baseUrl} did not finish the query within ${formatDuration(this.queryTimeoutMs)} (the query timeout, ${flag})`, {
      hint: `a wide range is slow on Loki (30 days can take tens of seconds): raise ${flag} (or services.loki.queryTimeout), or narrow the range or the selector`,
      cause,
    })
  }

  /** GET /loki/api/v1/status/buildinfo (no envelope, no tenant needed); cached; undefined if Loki will not say. */
  buildInfo(signal?: AbortSignal): Promise<LokiBuildInfo | undefined> {
    this.buildInfoPromise ??= (async () => {
      try {
        const res = await this.http.request('GET', '/loki/api/v1/status/buildinfo', {okStatus: 'any', signal, headers: {accept: 'application/json'}})
        if (res.status !== 200) return undefined
        const info = parseJsonBody<{version?: unknown}>(res)
        return typeof info.version === 'string' ? parseBuildVersion(info.version) : undefined
      } catch (error) {
        if (isHttpError(error) && (error.failure === 'not_json' || error.failure === 'html')) return undefined
        throw error
      }
    })()
    return this.buildInfoPromise
  }

  /** GET /ready: 200 `ready`, or 503 with why (api-facts.md §3). */
  async readiness(signal?: AbortSignal): Promise<{status: number; text: string}> {
    const res = await this.http.request('GET', '/ready', {okStatus: 'any', signal, retries: 0})
    return {status: res.status, text: res.text().trim()}
  }

  /** GET /config (the running config as YAML), or undefined when Loki or a gateway in front will not show it. */
  async runningConfig(signal?: AbortSignal): Promise<string | undefined> {
    const res = await this.http.request('GET', '/config', {okStatus: 'any', signal, retries: 0})
    return res.status === 200 ? res.text() : undefined
  }

  /**
   * The query frontend's split_queries_by_interval in ms (0: no splitting), from the running config;
   * cached; undefined when Loki or a gateway in front will not show it.
   */
  splitIntervalMs(signal?: AbortSignal): Promise<number | undefined> {
    this.splitPromise ??= this.runningConfig(signal).then(
      (yaml) => (yaml === undefined ? undefined : splitIntervalSetting(yaml)),
      () => undefined,
    )
    return this.splitPromise
  }

  /** POST /loki/api/v1/push, the JSON form, to the push URL; Loki answers 204. */
  async push(streams: {stream: Record<string, string>; values: [string, string][]}[], signal?: AbortSignal): Promise<void> {
    const http = this.pushHttp ?? this.http
    const res = await http.request('POST', '/loki/api/v1/push', {json: {streams}, okStatus: 'any', signal})
    if (res.status >= 300) throw lokiError(res.status, res.text(), http.baseUrl, this.tenant, 'push')
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.pushHttp?.close()])
  }
}

/** "3.4.2" → {version, major: 3}; "v2.9.10" → 2; "main-abc" → no major. Pure. */
export function parseBuildVersion(version: string): LokiBuildInfo {
  const m = /^v?(\d+)\.\d+/.exec(version.trim())
  return {version, ...(m ? {major: Number(m[1])} : {})}
}

/**
 * split_queries_by_interval from Loki's /config YAML, in ms: limits_config's (2.x and 3.x; defaults
 * 30m and 1h), else 2.x's older query_range one; undefined if absent or not a duration. Pure.
 */
export async function splitIntervalSetting(configYaml: string): Promise<number | undefined> {
  const {parse} = await import('yaml')
  let doc: {limits_config?: {split_queries_by_interval?: unknown}; query_range?: {split_queries_by_interval?: unknown}} | null
  try {
    doc = parse(configYaml) as typeof doc
  } catch {
    return undefined
  }
  const read = (v: unknown) => (typeof v === 'string' ? parseDuration(v) : undefined)
  const limits = read(doc?.limits_config?.split_queries_by_interval)
  const legacy = read(doc?.query_range?.split_queries_by_interval)
  return limits || legacy || (limits ?? legacy)
}

/** Loki's plain-text error → a hydra error with the right exit code. Pure. */
export function lokiError(status: number, body: string, baseUrl: string, tenant: string | undefined, what: 'query' | 'push' = 'query'): Error {
  const text = body.trim()
  if (status === 401 && /no org id/i.test(text)) {
    return new AuthError(`Loki at ${baseUrl} answered 401 "no org id": it runs multi-tenant (auth_enabled: true) and hydra sent no X-Scope-OrgID header`, {
      code: 'loki_no_tenant',
      hint: tenant
        ? 'the tenant header was sent but did not reach Loki: check a proxy in front of it'
        : 'set services.loki.tenant in the hydra config to the tenant your log shippers use (Loki with auth_enabled: false uses "fake")',
    })
  }
  if (status === 401 || status === 403) return new AuthError(`Loki at ${baseUrl} refused the request (HTTP ${status}): ${text.slice(0, 300)}`)
  if (/multiple org IDs present/i.test(text)) return multiTenantOffError(baseUrl, tenant ?? '', `Loki answered HTTP ${status} "${text.slice(0, 100)}"`)
  if (status === 400) {
    if (what === 'push') return new OperationError('loki_push_rejected', `Loki at ${baseUrl} rejected the push: ${text.slice(0, 1000)}`)
    return new UserError(`Loki rejected the query: ${text.slice(0, 1000)}`, {code: 'loki_bad_request', hint: 'fix the LogQL or the limits; see https://grafana.com/docs/loki/latest/query/'})
  }
  if (status === 504) return new OperationError('loki_timeout', `Loki at ${baseUrl} timed out: ${text.slice(0, 300)}`, {hint: 'ask for a shorter range or a narrower selector'})
  return new OperationError('loki_http', `Loki at ${baseUrl} answered HTTP ${status} to the ${what}: ${text.slice(0, 300)}`)
}

/** A multi-tenant X-Scope-OrgID (`a|b`) sent to a Loki whose multi-tenant queries are off. Exit 2: the configs disagree. */
export function multiTenantOffError(baseUrl: string, tenant: string, evidence: string): UserError {
  const first = tenant.split('|')[0] || 'a'
  return new UserError(
    `the tenant "${tenant}" asks Loki for a multi-tenant query, but Loki at ${baseUrl} runs with querier.multi_tenant_queries_enabled: false (${evidence}); Loki 2.x answers such a query with an empty result, 3.x with 500 "multiple org IDs present"`,
    {
      code: 'loki_multi_tenant_off',
      hint: `set querier: {multi_tenant_queries_enabled: true} in Loki's config and restart it, or ask one tenant: --org-id ${first}`,
    },
  )
}

export function requireLoki(cfg: HydraConfig): LokiEndpoint {
  if (!cfg.loki) throw new UserError('the config has no services.loki', {hint: 'add services.loki (node and port, or url) to the hydra config'})
  return cfg.loki
}
