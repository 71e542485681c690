/**
 * The HTTP transport (design.md §4): undici with a dispatcher per client, a connect timeout and a
 * total deadline per call (covering headers, body and retries), retries for idempotent requests
 * only, lazy auth, TLS options and a body size cap. Failures are classified in classify.ts.
 *
 * undici is loaded only here (through undici.ts); other modules import the client lazily on command paths.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {rootCertificates} from 'node:tls'

import type {Agent as UndiciAgent} from 'undici'

import type {ResolvedEndpoint} from '../../config/resolve.js'
import {UserError} from '../../errors.js'
import {formatDuration} from '../../format.js'
import {safeUrl} from '../../secrets.js'
import {authorizationHeader} from './auth.js'
import {isRetryable, statusError, transportError, type AttemptProgress} from './classify.js'
import {errorCode, isHttpError, type HttpFailure, type HttpFailureCause} from './errors.js'
import {parseJsonBody} from './body.js'
import {abortCall, exchange, sleep, type CallContext} from './exchange.js'
import {sharedAgent} from './shared.js'
import {loadUndici, useBaselineWasmCompiler} from './undici.js'
import type {HttpClientOptions, HttpResponse, RequestOptions} from './types.js'

const {Agent} = loadUndici()
type Agent = UndiciAgent

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
const DEFAULT_RETRIES = 2
const DEFAULT_CONNECT_TIMEOUT_MS = 3000
/** a retry that cannot get at least this long before the deadline is not worth starting */
const MIN_ATTEMPT_MS = 50

export class HttpClient {
  readonly baseUrl: string
  private readonly options: HttpClientOptions
  private dispatcher?: Agent
  /** the dispatcher belongs to a withSharedConnections scope, not to this client */
  private sharedDispatcher = false
  /** undefined: not resolved yet; null: no auth */
  private authorization?: string | null
  /** user agent, authorization and the client's configured headers (lower-case), once resolved */
  private clientHeaders?: Record<string, string>

  constructor(options: HttpClientOptions) {
    let parsed: URL
    try {
      parsed = new URL(options.baseUrl)
    } catch {
      throw new UserError(`invalid base URL: ${safeUrl(options.baseUrl)}`, {code: 'http_bad_url'})
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new UserError(`invalid base URL ${safeUrl(options.baseUrl)}: expected http:// or https://`, {code: 'http_bad_url'})
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.options = options
  }

  get(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', path, options)
  }

  async getText(path: string, options?: RequestOptions): Promise<string> {
    return (await this.request('GET', path, options)).text()
  }

  async getJson<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request('GET', path, {...options, headers: {accept: 'application/json', ...options.headers}})
    return parseJsonBody<T>(res)
  }

  async postJson<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request('POST', path, {...options, headers: {accept: 'application/json', ...options.headers}})
    return parseJsonBody<T>(res)
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    method = method.toUpperCase()
    const url = this.buildUrl(path, options.query)
    const budgetMs = Math.max(1, options.timeoutMs ?? this.options.timeoutMs)
    const start = performance.now()
    const ctx: CallContext = {
      method,
      url,
      start,
      deadline: start + budgetMs,
      budgetMs,
      timedOut: false,
      cancelled: false,
    }
    if (options.signal?.aborted) {
      throw this.transportError(ctx, options.signal.reason, {headersReceived: false, received: 0}, 'timeout', true)
    }

    const timer = setTimeout(() => {
      ctx.timedOut = true
      abortCall(ctx, new DOMException(`timed out after ${formatDuration(budgetMs)}`, 'TimeoutError'))
    }, budgetMs)
    const onExternalAbort = (): void => {
      ctx.cancelled = true
      abortCall(ctx, options.signal?.reason)
    }
    options.signal?.addEventListener('abort', onExternalAbort, {once: true})

    try {
      const headers = this.buildHeaders(options)
      const body = buildBody(options, headers)
      const idempotent = method === 'GET' || method === 'HEAD'
      const retries = idempotent ? Math.max(0, options.retries ?? this.options.retries ?? DEFAULT_RETRIES) : 0
      const dispatcher = this.getDispatcher()

      for (let attempt = 0; ; attempt++) {
        let failure: HttpFailure
        try {
          const res = await this.attempt(ctx, dispatcher, headers, body)
          if (isOkStatus(res.status, options.okStatus)) return res
          failure = statusError(res)
        } catch (error) {
          if (!isHttpError(error)) throw error
          failure = error
        }
        if (!isRetryable(failure) || attempt >= retries) throw failure
        const delay = 100 * 2 ** attempt * (0.5 + Math.random())
        if (performance.now() + delay + MIN_ATTEMPT_MS >= ctx.deadline) throw failure
        await sleep(delay, ctx)
        if (ctx.abortReason !== undefined) {
          throw this.transportError(ctx, ctx.abortReason, {headersReceived: false, received: 0}, 'timeout')
        }
      }
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onExternalAbort)
    }
  }

  /** Close the client's connections. Requests already under way are given a second to finish. */
  async close(): Promise<void> {
    const dispatcher = this.dispatcher
    this.dispatcher = undefined
    // a shared agent (shared.ts) is closed by its scope, with the other clients' connections
    if (!dispatcher || this.sharedDispatcher) return
    let timer: NodeJS.Timeout | undefined
    const closed = await Promise.race([
      dispatcher.close().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 1000)
      }),
    ])
    clearTimeout(timer)
    if (!closed) await dispatcher.destroy()
  }

  /** One request (exchange.ts), its failures classified with this client's connect timeout. */
  private attempt(ctx: CallContext, dispatcher: Agent, headers: Record<string, string>, body: string | Buffer | undefined): Promise<HttpResponse> {
    return exchange(ctx, dispatcher, {headers, body, maxBodyBytes: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES}, (error, progress, forced) =>
      this.transportError(ctx, error, progress, forced),
    )
  }

  private transportError(
    ctx: CallContext,
    error: unknown,
    progress: AttemptProgress,
    forced?: HttpFailureCause,
    cancelled = ctx.cancelled,
  ): HttpFailure {
    return transportError({
      method: ctx.method,
      url: ctx.url,
      error,
      progress,
      forced,
      timedOut: ctx.timedOut,
      cancelled,
      elapsedMs: performance.now() - ctx.start,
      budgetMs: ctx.budgetMs,
      connectTimeoutMs: this.connectTimeoutMs(ctx.budgetMs),
    })
  }

  private connectTimeoutMs(budgetMs = this.options.timeoutMs): number {
    return Math.min(this.options.connectTimeoutMs ?? Math.min(this.options.timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS), budgetMs)
  }

  private getDispatcher(): Agent {
    if (this.dispatcher) return this.dispatcher
    useBaselineWasmCompiler()
    const tls = this.options.tls
    let ca: string[] | undefined
    if (tls?.caFile) {
      let pem: string
      try {
        pem = readFileSync(tls.caFile, 'utf8')
      } catch (error) {
        throw new UserError(`tls.caFile: cannot read ${tls.caFile} (${errorCode(error) ?? 'error'})`, {code: 'tls_ca_unreadable'})
      }
      // in addition to the default roots, not instead of them
      ca = [...rootCertificates, pem]
    }
    const connectTimeout = this.options.connectTimeoutMs ?? Math.min(this.options.timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS)
    const options = {
      connect: {
        timeout: connectTimeout,
        ...(ca ? {ca} : {}),
        ...(tls?.insecureSkipVerify ? {rejectUnauthorized: false} : {}),
        ...(tls?.serverName ? {servername: tls.serverName} : {}),
      },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    }
    // clients with the same transport options share one agent (one pool per origin) inside a scope
    const shared = sharedAgent(JSON.stringify([connectTimeout, tls?.caFile, tls?.insecureSkipVerify, tls?.serverName, this.options.timeoutMs]), () => new Agent(options))
    this.sharedDispatcher = shared !== undefined
    this.dispatcher = shared ?? new Agent(options)
    return this.dispatcher
  }

  private buildUrl(path: string, query: RequestOptions['query']): URL {
    const suffix = path === '' || path.startsWith('/') || path.startsWith('?') ? path : `/${path}`
    let url: URL
    try {
      url = new URL(this.baseUrl + suffix)
    } catch {
      throw new UserError(`invalid URL: ${safeUrl(this.baseUrl + suffix)}`, {code: 'http_bad_url'})
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, v)
      else url.searchParams.append(key, String(value))
    }
    return url
  }

  /** Every request's headers: the client's own (made once, on the first request), then the call's. */
  private buildHeaders(options: RequestOptions): Record<string, string> {
    if (!this.clientHeaders) {
      const headers: Record<string, string> = {'user-agent': this.options.userAgent ?? defaultUserAgent()}
      this.authorization ??= authorizationHeader(this.options.auth, this.options.name ?? new URL(this.baseUrl).host)
      if (this.authorization) headers.authorization = this.authorization
      for (const [k, v] of Object.entries(this.options.headers ?? {})) headers[k.toLowerCase()] = v
      this.clientHeaders = headers
    }
    // a fresh object each call: buildBody adds content-type to it
    const headers = {...this.clientHeaders}
    if (options.headers) for (const k in options.headers) headers[k.toLowerCase()] = options.headers[k]!
    return headers
  }
}

/** Build a client from a resolved config endpoint. */
export function clientForEndpoint(e: ResolvedEndpoint, overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    baseUrl: e.baseUrl,
    timeoutMs: e.timeoutMs,
    headers: e.headers,
    auth: e.auth,
    tls: e.tls,
    name: e.id,
    ...overrides,
  })
}

function isOkStatus(status: number, ok: RequestOptions['okStatus']): boolean {
  if (ok === 'any') return true
  if (ok) return ok.includes(status)
  return status >= 200 && status < 300
}

export function buildBody(options: RequestOptions, headers: Record<string, string>): string | Buffer | undefined {
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json'
    return JSON.stringify(options.json)
  }
  if (options.form !== undefined) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(options.form)) {
      if (Array.isArray(v)) for (const item of v) params.append(k, item)
      else params.append(k, v)
    }
    headers['content-type'] ??= 'application/x-www-form-urlencoded'
    return params.toString()
  }
  return options.body
}

let userAgent: string | undefined
function defaultUserAgent(): string {
  if (userAgent) return userAgent
  let version = '0.0.0'
  try {
    // src/lib/clients/http/ and dist/lib/clients/http/ are both four levels under the package root
    const pkg = createRequire(import.meta.url)('../../../../package.json') as {version?: string}
    if (pkg.version) version = pkg.version
  } catch {
    // a missing package.json only costs the version in the user agent
  }
  userAgent = `hydra/${version}`
  return userAgent
}

export {flattenHeaders} from './exchange.js'
