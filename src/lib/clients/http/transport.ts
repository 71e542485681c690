/**
 * The HTTP transport (design.md §4): undici with a dispatcher per client, a connect timeout and a
 * total deadline per call (covering headers, body and retries), retries for idempotent requests
 * only, lazy auth, TLS options and a body size cap. Failures are classified in classify.ts.
 *
 * undici is loaded only here (through undici.ts); other modules import the client lazily on command paths.
 */
import {readFileSync} from 'node:fs'
import {STATUS_CODES} from 'node:http'
import {createRequire} from 'node:module'
import {rootCertificates} from 'node:tls'

import type {Agent as UndiciAgent} from 'undici'

import type {ResolvedEndpoint} from '../../config/resolve.js'
import {UserError} from '../../errors.js'
import {formatBytes, formatDuration} from '../../format.js'
import {redact, safeUrl} from '../../secrets.js'
import {authorizationHeader} from './auth.js'
import {isRetryable, statusError, tooLargeError, transportError, type AttemptProgress} from './classify.js'
import {errorCode, isHttpError, type HttpFailure, type HttpFailureCause} from './errors.js'
import {parseJsonBody, readBody} from './body.js'
import {sharedAgent} from './shared.js'
import {loadUndici} from './undici.js'
import type {HttpClientOptions, HttpResponse, RequestOptions} from './types.js'

const {Agent, request: dispatcherRequest} = loadUndici()
type Agent = UndiciAgent

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
const DEFAULT_RETRIES = 2
const DEFAULT_CONNECT_TIMEOUT_MS = 3000
/** a retry that cannot get at least this long before the deadline is not worth starting */
const MIN_ATTEMPT_MS = 50

/** Per-call state shared by every attempt. */
interface CallContext {
  method: string
  url: URL
  start: number
  deadline: number
  budgetMs: number
  controller: AbortController
  /** our own total deadline fired */
  timedOut: boolean
  /** the caller's signal fired */
  cancelled: boolean
}

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
      controller: new AbortController(),
      timedOut: false,
      cancelled: false,
    }
    if (options.signal?.aborted) {
      throw this.transportError(ctx, options.signal.reason, {headersReceived: false, received: 0}, 'timeout', true)
    }

    const timer = setTimeout(() => {
      ctx.timedOut = true
      ctx.controller.abort(new DOMException(`timed out after ${formatDuration(budgetMs)}`, 'TimeoutError'))
    }, budgetMs)
    const onExternalAbort = (): void => {
      ctx.cancelled = true
      ctx.controller.abort(options.signal?.reason)
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
        await sleep(delay, ctx.controller.signal)
        if (ctx.controller.signal.aborted) {
          throw this.transportError(ctx, ctx.controller.signal.reason, {headersReceived: false, received: 0}, 'timeout')
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

  private async attempt(
    ctx: CallContext,
    dispatcher: Agent,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
  ): Promise<HttpResponse> {
    const progress: AttemptProgress = {headersReceived: false, received: 0}
    const max = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const remaining = Math.max(1, Math.ceil(ctx.deadline - performance.now()))
    const tooLarge = (status: number, contentType: string | undefined, what?: string) =>
      tooLargeError(ctx.method, ctx.url, performance.now() - ctx.start, max, status, contentType, what)
    try {
      const res = await dispatcherRequest.call(dispatcher, {
        origin: ctx.url.origin,
        path: `${ctx.url.pathname}${ctx.url.search}`,
        method: ctx.method as 'GET',
        headers,
        body,
        signal: ctx.controller.signal,
        // also bounded by the total deadline, so that nothing outlives it even if our timer is late
        headersTimeout: remaining,
        bodyTimeout: remaining,
      })
      progress.headersReceived = true
      const resHeaders = flattenHeaders(res.headers)
      const contentType = resHeaders['content-type']
      const declared = resHeaders['content-length'] === undefined ? undefined : Number(resHeaders['content-length'])
      const expectBody = ctx.method !== 'HEAD' && res.statusCode !== 204 && res.statusCode !== 304
      if (expectBody && declared !== undefined && Number.isFinite(declared)) progress.contentLength = declared

      if (progress.contentLength !== undefined && progress.contentLength > max) {
        res.body.destroy()
        throw tooLarge(res.statusCode, contentType, `declares ${formatBytes(progress.contentLength)}`)
      }
      const buffer = await readBody(res.body, max, progress, () => tooLarge(res.statusCode, contentType))
      if (progress.contentLength !== undefined && progress.received < progress.contentLength) {
        throw this.transportError(ctx, undefined, progress, 'truncated')
      }
      return response(res.statusCode, resHeaders, buffer, ctx, Math.round(performance.now() - ctx.start))
    } catch (error) {
      if (isHttpError(error)) throw error
      throw this.transportError(ctx, error, progress)
    }
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

/** The response callers see, with its safe URL (no credentials, no known secret). */
function response(status: number, headers: Record<string, string>, body: Buffer, ctx: CallContext, elapsedMs: number): HttpResponse {
  return {
    status,
    statusText: STATUS_CODES[status] ?? '',
    headers,
    body,
    // made again on each call, not kept: a string kept for the response's life raised the peak RSS of a 5,000-dashboard backup by ~10 MiB
    text: () => body.toString('utf8'),
    // safeUrl parses the URL again to take credentials out; without any, redacting its text is the same
    url: ctx.url.username || ctx.url.password ? safeUrl(ctx.url) : redact(ctx.url.href),
    elapsedMs,
    method: ctx.method,
  }
}

/** Header names lower-case, repeated headers joined with ", ". undici's own object when it already is that (names lower-case, no repeats). */
export function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  let plain = true
  for (const k in h) {
    const v = h[k]
    if (typeof v !== 'string' || k !== k.toLowerCase()) {
      plain = false
      break
    }
  }
  if (plain) return h as Record<string, string>
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
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
