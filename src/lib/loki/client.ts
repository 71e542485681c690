/**
 * Loki's HTTP API (api-facts.md §3): the tenant header, JSON answers, and errors that are plain
 * text (pkg/util/server/error.go). A 400 is the user's query or limit: exit 2 with Loki's words as
 * they are. A 401 `no org id` means the tenant header is missing: say which config key sets it.
 */
import {clientForEndpoint, parseJsonBody, type HttpClient, type RequestOptions} from '../clients/http.js'
import type {HydraConfig, ResolvedEndpoint} from '../config/resolve.js'
import {AuthError, OperationError, UserError} from '../errors.js'

export type LokiEndpoint = ResolvedEndpoint & {tenant?: string}

export class LokiClient {
  readonly http: HttpClient
  constructor(readonly endpoint: LokiEndpoint, http?: HttpClient) {
    // the tenant travels as X-Scope-OrgID on every call (Loki's auth_enabled: true, the default)
    const headers = {...endpoint.headers, ...(endpoint.tenant ? {'X-Scope-OrgID': endpoint.tenant} : {})}
    this.http = http ?? clientForEndpoint(endpoint, {headers})
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  async getJson<T>(path: string, query: RequestOptions['query'], options: Pick<RequestOptions, 'signal' | 'timeoutMs'> = {}): Promise<T> {
    const res = await this.http.request('GET', path, {...options, query, okStatus: 'any', headers: {accept: 'application/json'}})
    if (res.status >= 400) throw lokiError(res.status, res.text(), this.baseUrl, Boolean(this.endpoint.tenant))
    const body = parseJsonBody<{status?: string; data: T}>(res)
    return body.data
  }

  async close(): Promise<void> {
    await this.http.close()
  }
}

/** Loki's plain-text error → a hydra error with the right exit code. Pure. */
export function lokiError(status: number, body: string, baseUrl: string, tenantSent: boolean): Error {
  const text = body.trim()
  if (status === 401 && /no org id/i.test(text)) {
    return new AuthError(`Loki at ${baseUrl} answered 401 "no org id": it runs multi-tenant (auth_enabled: true) and hydra sent no X-Scope-OrgID header`, {
      code: 'loki_no_tenant',
      hint: tenantSent
        ? 'the tenant header was sent but did not reach Loki: check a proxy in front of it'
        : 'set services.loki.tenant in the hydra config to the tenant your log shippers use (Loki with auth_enabled: false uses "fake")',
    })
  }
  if (status === 401 || status === 403) return new AuthError(`Loki at ${baseUrl} refused the request (HTTP ${status}): ${text.slice(0, 300)}`)
  if (status === 400) {
    return new UserError(`Loki rejected the query: ${text.slice(0, 1000)}`, {code: 'loki_bad_request', hint: 'fix the LogQL or the limits; see https://grafana.com/docs/loki/latest/query/'})
  }
  if (status === 504) return new OperationError('loki_timeout', `Loki at ${baseUrl} timed out: ${text.slice(0, 300)}`, {hint: 'ask for a shorter --since or a narrower selector'})
  return new OperationError('loki_http', `Loki at ${baseUrl} answered HTTP ${status}: ${text.slice(0, 300)}`)
}

export function requireLoki(cfg: HydraConfig): LokiEndpoint {
  if (!cfg.loki) throw new UserError('the config has no services.loki', {hint: 'add services.loki (node and port, or url) to the hydra config'})
  return cfg.loki
}
