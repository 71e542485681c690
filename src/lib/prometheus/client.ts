/**
 * A thin Prometheus HTTP API client: the JSON envelope of docs/querying/api.md, its errorType,
 * and the plain-text 503 "Service Unavailable" a server answers on /api/v1/* until it is ready.
 */
import {clientForEndpoint, isHttpError, parseJsonBody, type HttpClient, type HttpResponse, type RequestOptions} from '../clients/http/index.js'
import type {ResolvedEndpoint} from '../config/resolve.js'
import {AuthError, HydraError, OperationError, UserError} from '../errors.js'

interface Envelope<T> {
  status: 'success' | 'error'
  data?: T
  errorType?: string
  error?: string
  warnings?: string[]
  infos?: string[]
}

/**
 * A rejected query or parameter: Prometheus' (and Thanos', Mimir's) `bad_data`, or VictoriaMetrics'
 * errorType that is the HTTP status itself, "400" or "422" (lib/httpserver/prometheus.go), which it
 * answers for every query it cannot parse or execute. Pure.
 */
export function isUsageErrorType(errorType: string): boolean {
  return errorType === 'bad_data' || errorType === '400' || errorType === '422'
}

/** Prometheus answered with its error envelope. A bad query is the user's to fix: exit 2. */
export class PrometheusApiError extends HydraError {
  constructor(
    readonly errorType: string,
    readonly apiError: string,
    readonly status: number,
    readonly path: string,
  ) {
    const usage = isUsageErrorType(errorType)
    super(`prometheus_${errorType}`, `Prometheus rejected ${path}: ${apiError} (${errorType}, HTTP ${status})`, {
      exitCode: usage ? 2 : 1,
      hint: errorType === 'unavailable' && apiError.includes('admin APIs disabled')
        ? 'start Prometheus with --web.enable-admin-api to allow TSDB admin calls'
        : undefined,
    })
  }
}

/** What every Prometheus API call of a domain function accepts: cancellation, a timeout, retries (GET only). */
export type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs' | 'retries'>

export interface PrometheusResult<T> {
  data: T
  warnings: string[]
}

export class PrometheusClient {
  readonly http: HttpClient
  constructor(readonly endpoint: ResolvedEndpoint, http?: HttpClient) {
    this.http = http ?? clientForEndpoint(endpoint)
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  /** GET (or POST, for long queries) an /api/v1 path and unwrap the envelope. */
  async api<T>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<PrometheusResult<T>> {
    const res = await this.http.request(method, path, {...options, okStatus: 'any'})
    return this.apiFromResponse<T>(res, path)
  }

  /** Unwrap the envelope of a response already fetched (admin calls POST a form and may answer 204). */
  apiFromResponse<T>(res: HttpResponse, path: string): PrometheusResult<T> {
    const method = res.method ?? 'GET'
    if (res.status === 401 || res.status === 403) {
      // one contract for every service: 401/403 is exit 4, with a hint that fits the config
      throw new AuthError(`Prometheus at ${this.baseUrl} refused hydra: HTTP ${res.status} ${res.statusText} on ${method} ${path}`, {
        hint: this.endpoint.auth
          ? `the credential services.prometheus.auth names was refused: check that it is current and allowed to read ${path}`
          : 'the config gives Prometheus no credential: Prometheus asks for one only with --web.config.file, so a proxy or login in front of it probably does; point services.prometheus.url past it, or add services.prometheus.auth',
      })
    }
    if (res.status === 503 && !(res.headers['content-type'] ?? '').includes('json')) {
      throw new OperationError('prometheus_not_ready', `Prometheus at ${this.baseUrl} is not ready yet (HTTP 503: ${res.text().trim().slice(0, 120)})`, {
        hint: 'it is starting up, replaying its WAL, or shutting down; check again in a minute, and its logs if it stays so',
      })
    }
    if (res.status === 400 && !(res.headers['content-type'] ?? '').includes('json')) unsupportedOrPrefix(res, path, this.baseUrl)
    if (res.status === 502 && res.body.length === 0 && /\/api\/v1\/(rules|alerts)$/.test(path)) {
      // VictoriaMetrics proxies these to vmalert (-vmalert.proxyURL) and answers an empty 502 when it cannot reach it
      throw new OperationError('rule_engine_unreachable', `${this.baseUrl} could not reach the rule engine it proxies ${path} to (HTTP 502, empty body)`, {
        hint: 'on VictoriaMetrics: is vmalert running at the -vmalert.proxyURL it was started with? check vmalert and its log',
      })
    }
    let env: Envelope<T>
    try {
      env = parseJsonBody<Envelope<T>>(res)
    } catch (error) {
      if (isHttpError(error) && res.status >= 400) {
        throw new OperationError('prometheus_http', `${method} ${res.url}: HTTP ${res.status} ${res.statusText}: ${res.text().trim().split('\n')[0]?.slice(0, 200) ?? ''}`, {
          cause: error,
        })
      }
      throw error
    }
    if (env.status === 'error' || res.status >= 400) {
      throw new PrometheusApiError(env.errorType ?? 'unknown', env.error ?? res.statusText, res.status, path)
    }
    return {data: env.data as T, warnings: env.warnings ?? []}
  }

  async close(): Promise<void> {
    await this.http.close()
  }
}

/** The server does not offer this API at all (VictoriaMetrics' 400 "unsupported path requested"). */
export class UnsupportedPathError extends OperationError {
  constructor(
    readonly path: string,
    readonly url: string,
  ) {
    super('unsupported_by_backend', `VictoriaMetrics at ${url} does not serve ${path} (HTTP 400 "unsupported path requested")`)
  }
}

/** VictoriaMetrics' plain-text 400s: an API it lacks, or a request outside its -http.pathPrefix. */
function unsupportedOrPrefix(res: HttpResponse, path: string, baseUrl: string): void {
  const text = res.text()
  const prefix = /missing -http\.pathPrefix="([^"]*)"/.exec(text)
  if (prefix) {
    throw new UserError(`VictoriaMetrics at ${baseUrl} serves everything under -http.pathPrefix=${prefix[1]}, and the config does not`, {
      code: 'path_prefix_missing',
      hint: `set services.prometheus.pathPrefix: ${prefix[1]} (with node and port), or end services.prometheus.url with ${prefix[1]}`,
    })
  }
  if (/unsupported path requested/.test(text)) throw new UnsupportedPathError(path, baseUrl)
}

/** For callers that need to tell a bad query from a server problem. */
export function isBadQuery(err: unknown): boolean {
  return err instanceof PrometheusApiError && isUsageErrorType(err.errorType)
}

