/**
 * The one HTTP client every service module uses (design.md §4): undici with a dispatcher per
 * client, a connect timeout and a total deadline per call (covering headers, body and retries),
 * retries for idempotent requests only, lazy auth, TLS options, a body size cap, and failures
 * mapped to a small set of causes with short, secret-free summaries.
 *
 * undici is imported only here; other modules import this one lazily on command paths.
 */
import {readFileSync} from 'node:fs'
import {STATUS_CODES} from 'node:http'
import {createRequire} from 'node:module'
import {rootCertificates} from 'node:tls'

import {Agent, request as undiciRequest} from 'undici'

import type {ResolvedEndpoint} from '../config/resolve.js'
import type {AuthConfig, TlsConfig} from '../config/schema.js'
import {ExitCode, OperationError, UserError, type ExitCodeValue} from '../errors.js'
import {redact, registerSecret, resolveSecret, safeUrl} from '../secrets.js'

export type HttpFailureCause =
  | 'refused'
  | 'timeout'
  | 'connect_timeout'
  | 'dns'
  | 'unreachable'
  | 'tls'
  | 'reset'
  | 'http_status'
  | 'not_json'
  | 'html'
  | 'truncated'
  | 'too_large'
  | 'network'

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
const DEFAULT_RETRIES = 2
const DEFAULT_CONNECT_TIMEOUT_MS = 3000
const BODY_SNIPPET_CHARS = 512
const SUMMARY_LINE_CHARS = 200
/** a retry that cannot get at least this long before the deadline is not worth starting */
const MIN_ATTEMPT_MS = 50

export interface HttpErrorInit {
  failure: HttpFailureCause
  url: string
  method: string
  status?: number
  body?: string
  contentType?: string
  elapsedMs?: number
  /** defaults to a generic phrase for the failure */
  summary?: string
  hint?: string
  cause?: unknown
}

export class HttpError extends OperationError {
  readonly failure: HttpFailureCause
  /** safeUrl(): no credentials, secrets redacted */
  readonly url: string
  readonly method: string
  readonly status?: number
  /** first 512 chars of the response body, redacted (for http_status/not_json/html) */
  readonly body?: string
  readonly contentType?: string
  readonly elapsedMs: number
  /** one short human phrase, e.g. "connection refused", "HTTP 503 Service Unavailable: …" */
  readonly summary: string

  constructor(init: HttpErrorInit) {
    const url = safeUrl(init.url)
    const method = init.method.toUpperCase()
    const summary = redact(init.summary ?? DEFAULT_SUMMARY[init.failure])
    const elapsedMs = Math.round(init.elapsedMs ?? 0)
    super(`http_${init.failure}`, `${method} ${url}: ${summary}`, {
      hint: init.hint === undefined ? undefined : redact(init.hint),
      cause: init.cause,
      details: {
        failure: init.failure,
        method,
        url,
        ...(init.status === undefined ? {} : {status: init.status}),
        ...(init.contentType === undefined ? {} : {contentType: init.contentType}),
        elapsedMs,
      },
    })
    this.failure = init.failure
    this.url = url
    this.method = method
    this.status = init.status
    this.body = init.body === undefined ? undefined : redact(init.body.slice(0, BODY_SNIPPET_CHARS))
    this.contentType = init.contentType
    this.elapsedMs = elapsedMs
    this.summary = summary
    // A refused login is exit 4 (design.md §2), whichever command it bubbles out of.
    if (this.isAuth()) (this as {exitCode: ExitCodeValue}).exitCode = ExitCode.AUTH
  }

  /** status 401 or 403 */
  isAuth(): boolean {
    return this.status === 401 || this.status === 403
  }
}

const DEFAULT_SUMMARY: Record<HttpFailureCause, string> = {
  refused: 'connection refused',
  timeout: 'timed out',
  connect_timeout: 'connect timed out',
  dns: 'cannot resolve host',
  unreachable: 'host unreachable',
  tls: 'TLS handshake failed',
  reset: 'connection reset',
  http_status: 'unexpected HTTP status',
  not_json: 'expected JSON',
  html: 'expected JSON, got an HTML page',
  truncated: 'response cut off',
  too_large: 'response too large',
  network: 'network error',
}

export interface HttpClientOptions {
  /** e.g. http://127.0.0.2:9090 or https://host/prefix (path prefix kept) */
  baseUrl: string
  /** TOTAL budget per call, across retries */
  timeoutMs: number
  /** default min(timeoutMs, 3000) */
  connectTimeoutMs?: number
  headers?: Record<string, string>
  /** resolved lazily on the first request, so services that need no auth never require the secret */
  auth?: AuthConfig
  tls?: TlsConfig
  /** default 32 MiB; exceeding it aborts the request with failure 'too_large' */
  maxBodyBytes?: number
  /** default 2; only for GET/HEAD */
  retries?: number
  /** default `hydra/<version>` */
  userAgent?: string
  /** what this client talks to (e.g. the endpoint id "grafana"), used in secret-missing messages */
  name?: string
}

export interface RequestOptions {
  /** arrays → repeated params (match[]=a&match[]=b); undefined values are left out */
  query?: Record<string, string | number | boolean | string[] | undefined>
  headers?: Record<string, string>
  body?: string | Buffer
  /** serialised, with content-type application/json */
  json?: unknown
  /** application/x-www-form-urlencoded; arrays → repeated fields */
  form?: Record<string, string | string[]>
  /** overrides the client's total timeout for this call */
  timeoutMs?: number
  /** overrides the client's retries (still only GET/HEAD) */
  retries?: number
  /** default: 2xx is ok, anything else throws HttpError('http_status'); 'any' never throws on status */
  okStatus?: number[] | 'any'
  /** external cancellation → failure 'timeout' */
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  /** standard reason phrase for the status */
  statusText: string
  /** lower-case names; repeated headers joined with ", " */
  headers: Record<string, string>
  body: Buffer
  text(): string
  /** safe URL */
  url: string
  elapsedMs: number
  /** the request method (lets parseJsonBody name it in errors) */
  method?: string
}

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

interface AttemptProgress {
  headersReceived: boolean
  received: number
  contentLength?: number
}

export class HttpClient {
  readonly baseUrl: string
  private readonly options: HttpClientOptions
  private dispatcher?: Agent
  /** undefined: not resolved yet; null: no auth */
  private authorization?: string | null

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
      ctx.controller.abort(new DOMException(`timed out after ${formatMs(budgetMs)}`, 'TimeoutError'))
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
        let failure: HttpError
        try {
          const res = await this.attempt(ctx, dispatcher, headers, body)
          if (isOkStatus(res.status, options.okStatus)) return res
          failure = statusError(res)
        } catch (error) {
          if (!(error instanceof HttpError)) throw error
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
    if (!dispatcher) return
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
    try {
      const res = await undiciRequest(ctx.url, {
        dispatcher,
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
        throw this.tooLarge(ctx, max, res.statusCode, contentType, `declares ${formatBytes(progress.contentLength)}`)
      }
      const chunks: Buffer[] = []
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        progress.received += chunk.length
        if (progress.received > max) {
          res.body.destroy()
          throw this.tooLarge(ctx, max, res.statusCode, contentType)
        }
        chunks.push(chunk)
      }
      if (progress.contentLength !== undefined && progress.received < progress.contentLength) {
        throw this.transportError(ctx, undefined, progress, 'truncated')
      }
      const buffer = Buffer.concat(chunks)
      return {
        status: res.statusCode,
        statusText: STATUS_CODES[res.statusCode] ?? '',
        headers: resHeaders,
        body: buffer,
        text: () => buffer.toString('utf8'),
        url: safeUrl(ctx.url),
        elapsedMs: Math.round(performance.now() - ctx.start),
        method: ctx.method,
      }
    } catch (error) {
      if (error instanceof HttpError) throw error
      throw this.transportError(ctx, error, progress)
    }
  }

  private tooLarge(ctx: CallContext, max: number, status: number, contentType: string | undefined, what?: string): HttpError {
    return new HttpError({
      failure: 'too_large',
      url: ctx.url.toString(),
      method: ctx.method,
      status,
      contentType,
      elapsedMs: performance.now() - ctx.start,
      summary: `response larger than the ${formatBytes(max)} limit${what ? ` (${what})` : ''}`,
      hint: 'ask for less (a narrower query, a smaller limit or time range)',
    })
  }

  /** Turn a transport-level failure into an HttpError with a precise summary. */
  private transportError(
    ctx: CallContext,
    error: unknown,
    progress: AttemptProgress,
    forced?: HttpFailureCause,
    cancelled = ctx.cancelled,
  ): HttpError {
    let failure: HttpFailureCause = forced ?? (ctx.timedOut || ctx.cancelled ? 'timeout' : classifyError(error))
    if ((failure === 'reset' || failure === 'truncated' || failure === 'network') && progress.headersReceived && !forced) {
      const short = progress.contentLength !== undefined && progress.received < progress.contentLength
      if (failure !== 'network' || short) failure = progress.received > 0 || short ? 'truncated' : 'reset'
    }
    const elapsedMs = performance.now() - ctx.start
    const code = errorCode(error)
    const host = ctx.url.host
    let summary: string
    let hint: string | undefined
    switch (failure) {
      case 'timeout': {
        const phase = !progress.headersReceived
          ? 'no response'
          : progress.contentLength === undefined
            ? `reading the body, ${formatBytes(progress.received)} so far`
            : `reading the body, ${progress.received} of ${progress.contentLength} bytes`
        summary = cancelled
          ? `timed out: cancelled by the caller after ${formatMs(elapsedMs)} (${phase})`
          : `timed out after ${formatMs(ctx.budgetMs)} (${phase})`
        hint = cancelled ? undefined : `the server did not answer in time; check its load, or raise --timeout`
        break
      }
      case 'connect_timeout':
        summary = `connect timed out after ${formatMs(this.connectTimeoutMs(ctx.budgetMs))}`
        hint = `nothing answered the TCP connect to ${host}: is the host up, or is a firewall dropping packets?`
        break
      case 'refused':
        summary = 'connection refused'
        hint = `nothing is listening on ${host}: is the service running, on this port?`
        break
      case 'dns':
        summary =
          code === 'EAI_AGAIN' ? `DNS lookup of ${ctx.url.hostname} failed temporarily` : `cannot resolve host ${ctx.url.hostname}`
        hint = 'check the host name in the config, or use an IP address'
        break
      case 'unreachable':
        summary = code === 'ENETUNREACH' || code === 'ENETDOWN' ? 'network unreachable' : 'host unreachable'
        hint = `check the address of ${ctx.url.hostname} and this machine's routes`
        break
      case 'tls':
        summary = `TLS handshake failed: ${firstLine(errorMessage(error) || 'unknown error')}${code && !errorMessage(error).includes(code) ? ` (${code})` : ''}`
        hint =
          ctx.url.protocol === 'https:'
            ? 'trust the server certificate with tls.caFile (or, knowingly, tls.insecureSkipVerify: true); check tls.serverName'
            : undefined
        break
      case 'truncated':
        summary =
          progress.contentLength === undefined
            ? `response cut off after ${formatBytes(progress.received)} (connection closed)`
            : `response cut off: got ${progress.received} of ${progress.contentLength} bytes`
        break
      case 'reset':
        summary = progress.headersReceived
          ? 'connection closed before the response body arrived'
          : code === 'ECONNRESET'
            ? 'connection reset before a response arrived'
            : 'server closed the connection without responding'
        break
      default:
        summary = `network error: ${firstLine(errorMessage(error) || String(error))}${code ? ` (${code})` : ''}`
    }
    return new HttpError({failure, url: ctx.url.toString(), method: ctx.method, elapsedMs, summary, hint, cause: error})
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
    this.dispatcher = new Agent({
      connect: {
        timeout: connectTimeout,
        ...(ca ? {ca} : {}),
        ...(tls?.insecureSkipVerify ? {rejectUnauthorized: false} : {}),
        ...(tls?.serverName ? {servername: tls.serverName} : {}),
      },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    })
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

  private buildHeaders(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {'user-agent': this.options.userAgent ?? defaultUserAgent()}
    const authorization = this.resolveAuthorization()
    if (authorization) headers.authorization = authorization
    for (const source of [this.options.headers, options.headers]) {
      for (const [k, v] of Object.entries(source ?? {})) headers[k.toLowerCase()] = v
    }
    return headers
  }

  private resolveAuthorization(): string | null {
    if (this.authorization !== undefined) return this.authorization
    const a = this.options.auth
    if (!a) {
      this.authorization = null
      return null
    }
    const who = this.options.name ?? new URL(this.baseUrl).host
    const hasPassword = a.passwordEnv !== undefined || a.passwordFile !== undefined
    const type = a.type ?? (hasPassword || a.username ? 'basic' : 'bearer')
    if (type === 'basic') {
      const password = resolveSecret({env: a.passwordEnv, file: a.passwordFile}, `${who} password`)
      const pair = `${a.username ?? ''}:${password}`
      const encoded = Buffer.from(pair).toString('base64')
      // the encoded pair is what a server would echo back; redact() only knows the bare password
      registerSecret(pair)
      registerSecret(encoded)
      this.authorization = `Basic ${encoded}`
    } else {
      const token = resolveSecret({env: a.tokenEnv, file: a.tokenFile}, `${who} bearer token`)
      this.authorization = `Bearer ${token}`
    }
    return this.authorization
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

/**
 * Parse a JSON body, classifying failures: an HTML page → 'html', a body cut off mid-document →
 * 'truncated', anything else → 'not_json'. A 204 No Content gives `undefined`.
 */
export function parseJsonBody<T>(res: HttpResponse): T {
  if (res.status === 204) return undefined as T
  const text = res.text().replace(/^\uFEFF/, '')
  const contentType = res.headers['content-type']
  const fail = (failure: HttpFailureCause, summary: string, hint?: string): HttpError => responseError(res, failure, text, summary, hint)
  if (text.trim() === '') throw fail('not_json', `expected JSON, got an empty body (HTTP ${res.status})`)
  try {
    return JSON.parse(text) as T
  } catch (error) {
    if (looksLikeHtml(text, contentType)) {
      const title = htmlTitle(text)
      throw fail(
        'html',
        `expected JSON, got an HTML page${title ? ` (${title})` : ''}`,
        'the URL may point at a web UI, a login page or a proxy: check the URL and path prefix',
      )
    }
    if (isTruncatedJson(text, errorMessage(error))) {
      throw fail('truncated', `response cut off: JSON ends mid-document after ${formatBytes(res.body.length)}`)
    }
    const what = contentType ? contentType.split(';')[0]!.trim() : 'no content type'
    throw fail('not_json', `expected JSON, got ${what}: ${clip(firstLine(text), 80)}`)
  }
}

/** Classify any thrown error from undici/node into an HttpFailureCause. */
export function classifyError(err: unknown): HttpFailureCause {
  const seen = new Set<unknown>()
  const visit = (e: unknown, depth: number): HttpFailureCause | undefined => {
    if (e === null || e === undefined || typeof e !== 'object' || seen.has(e) || depth > 6) return undefined
    seen.add(e)
    if (e instanceof HttpError) return e.failure
    const byCode = classifyCode(errorCode(e), errorMessage(e), (e as {name?: unknown}).name)
    if (byCode) return byCode
    // happy-eyeballs connects fail with an AggregateError of each address's error
    const errors = (e as {errors?: unknown}).errors
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const c = visit(inner, depth + 1)
        if (c) return c
      }
    }
    return visit((e as {cause?: unknown}).cause, depth + 1)
  }
  return visit(err, 0) ?? 'network'
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
])

function classifyCode(code: string | undefined, message: string, name: unknown): HttpFailureCause | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
    case 'EAI_FAIL':
      return 'dns'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable'
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'connect_timeout'
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
    case 'UND_ERR_ABORT':
      return 'timeout'
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'truncated'
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset'
    case 'EPROTO':
      return /ssl|tls/i.test(message) ? 'tls' : undefined
    default:
  }
  if (code && (TLS_CODES.has(code) || /^(CERT_|ERR_TLS_|ERR_SSL_)/.test(code))) return 'tls'
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout'
  return undefined
}

const RETRYABLE_STATUS = new Set([502, 503, 504])

/** Worth another try for an idempotent request: the server may answer the next time. */
function isRetryable(e: HttpError): boolean {
  if (e.failure === 'reset' || e.failure === 'truncated') return true
  return e.failure === 'http_status' && e.status !== undefined && RETRYABLE_STATUS.has(e.status)
}

function isOkStatus(status: number, ok: RequestOptions['okStatus']): boolean {
  if (ok === 'any') return true
  if (ok) return ok.includes(status)
  return status >= 200 && status < 300
}

function statusError(res: HttpResponse): HttpError {
  const text = res.text()
  const contentType = res.headers['content-type']
  const reason = res.statusText ? ` ${res.statusText}` : ''
  let detail = ''
  if (looksLikeHtml(text, contentType)) {
    const title = htmlTitle(text)
    detail = title ? `HTML page "${title}"` : 'an HTML page'
  } else {
    detail = clip(firstLine(text), SUMMARY_LINE_CHARS)
  }
  const hint =
    res.status === 401
      ? 'the server refused the credentials: check auth in the config and the secret it names'
      : res.status === 403
        ? 'the credentials lack a permission this needs'
        : undefined
  return responseError(res, 'http_status', text, `HTTP ${res.status}${reason}${detail ? `: ${detail}` : ''}`, hint)
}

/** An HttpError about a response that arrived: its URL, method, status, body and timing. */
function responseError(res: HttpResponse, failure: HttpFailureCause, text: string, summary: string, hint?: string): HttpError {
  return new HttpError({
    failure,
    url: res.url,
    method: res.method ?? 'GET',
    status: res.status,
    body: text,
    contentType: res.headers['content-type'],
    elapsedMs: res.elapsedMs,
    summary,
    hint,
  })
}

function buildBody(options: RequestOptions, headers: Record<string, string>): string | Buffer | undefined {
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

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}

function looksLikeHtml(text: string, contentType: string | undefined): boolean {
  if (contentType && /\btext\/html\b|application\/xhtml/i.test(contentType)) return true
  return /^\s*<(!doctype\s+html|html|head|body|title)\b/i.test(text)
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)
  const title = m?.[1]
    ?.replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
  return title ? clip(title, 100) : undefined
}

function isTruncatedJson(text: string, message: string): boolean {
  if (/unexpected end|unterminated/i.test(message)) return true
  // V8 names the position; a failure at the very end of a non-empty document means it was cut off
  const m = /at position (\d+)/.exec(message)
  return m !== null && Number(m[1]) >= text.trimEnd().length
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

function errorCode(e: unknown): string | undefined {
  const code = (e as {code?: unknown} | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

function errorMessage(e: unknown): string {
  const message = (e as {message?: unknown} | null | undefined)?.message
  return typeof message === 'string' ? message : ''
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim()
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** 5000 → "5s", 1500 → "1.5s", 250 → "250ms" */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  return `${Number((ms / 1000).toFixed(1))}s`
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${Number((n / 1024).toFixed(1))} KiB`
  return `${Number((n / 1024 / 1024).toFixed(1))} MiB`
}

let userAgent: string | undefined
function defaultUserAgent(): string {
  if (userAgent) return userAgent
  let version = '0.0.0'
  try {
    // src/lib/clients/ and dist/lib/clients/ are both three levels under the package root
    const pkg = createRequire(import.meta.url)('../../../package.json') as {version?: string}
    if (pkg.version) version = pkg.version
  } catch {
    // a missing package.json only costs the version in the user agent
  }
  userAgent = `hydra/${version}`
  return userAgent
}
