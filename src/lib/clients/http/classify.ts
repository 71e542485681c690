/**
 * Failure classification: which cause a thrown transport error or an unwanted status is, what to
 * say about it, and whether another attempt may help. Pure functions, no I/O.
 */
import {formatBytes, formatDuration} from '../../format.js'
import {clip, firstLine, htmlTitle, looksLikeHtml, responseError} from './body.js'
import {errorCode, errorMessage, HttpAuthError, HttpError, httpError, type HttpFailure, type HttpFailureCause} from './errors.js'
import type {HttpResponse} from './types.js'

const SUMMARY_LINE_CHARS = 200

/** Classify any thrown error from undici/node into an HttpFailureCause. */
export function classifyError(err: unknown): HttpFailureCause {
  const seen = new Set<unknown>()
  const visit = (e: unknown, depth: number): HttpFailureCause | undefined => {
    if (e === null || e === undefined || typeof e !== 'object' || seen.has(e) || depth > 6) return undefined
    seen.add(e)
    if (e instanceof HttpError || e instanceof HttpAuthError) return e.failure
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
export function isRetryable(e: HttpFailure): boolean {
  if (e.failure === 'reset' || e.failure === 'truncated') return true
  return e.failure === 'http_status' && e.status !== undefined && RETRYABLE_STATUS.has(e.status)
}

/** The error for a response whose status the caller did not accept. 401/403 → an auth error. */
export function statusError(res: HttpResponse): HttpFailure {
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

/** How far one attempt got before it failed. */
export interface AttemptProgress {
  headersReceived: boolean
  received: number
  contentLength?: number
}

export interface TransportFailure {
  method: string
  url: URL
  /** the error undici or node threw (undefined when `forced`) */
  error: unknown
  progress: AttemptProgress
  /** a cause known without looking at the error (e.g. our own deadline fired) */
  forced?: HttpFailureCause
  /** our total deadline fired (→ timeout) */
  timedOut: boolean
  /** the caller's signal fired (→ timeout, "cancelled by the caller") */
  cancelled: boolean
  elapsedMs: number
  budgetMs: number
  connectTimeoutMs: number
}

/** Turn a transport-level failure into an HttpError with a precise summary and hint. */
export function transportError(f: TransportFailure): HttpFailure {
  const {error, progress, forced, url} = f
  let failure: HttpFailureCause = forced ?? (f.timedOut || f.cancelled ? 'timeout' : classifyError(error))
  if ((failure === 'reset' || failure === 'truncated' || failure === 'network') && progress.headersReceived && !forced) {
    const short = progress.contentLength !== undefined && progress.received < progress.contentLength
    if (failure !== 'network' || short) failure = progress.received > 0 || short ? 'truncated' : 'reset'
  }
  const code = errorCode(error)
  const host = url.host
  let summary: string
  let hint: string | undefined
  switch (failure) {
    case 'timeout': {
      const phase = !progress.headersReceived
        ? 'no response'
        : progress.contentLength === undefined
          ? `reading the body, ${formatBytes(progress.received)} so far`
          : `reading the body, ${progress.received} of ${progress.contentLength} bytes`
      summary = f.cancelled
        ? `timed out: cancelled by the caller after ${formatDuration(f.elapsedMs)} (${phase})`
        : `timed out after ${formatDuration(f.budgetMs)} (${phase})`
      hint = f.cancelled ? undefined : `the server did not answer in time; check its load, or raise --timeout`
      break
    }
    case 'connect_timeout':
      summary = `connect timed out after ${formatDuration(f.connectTimeoutMs)}`
      hint = `nothing answered the TCP connect to ${host}: is the host up, or is a firewall dropping packets?`
      break
    case 'refused':
      summary = 'connection refused'
      hint = `nothing is listening on ${host}: is the service running, on this port?`
      break
    case 'dns':
      summary = code === 'EAI_AGAIN' ? `DNS lookup of ${url.hostname} failed temporarily` : `cannot resolve host ${url.hostname}`
      hint = 'check the host name in the config, or use an IP address'
      break
    case 'unreachable':
      summary = code === 'ENETUNREACH' || code === 'ENETDOWN' ? 'network unreachable' : 'host unreachable'
      hint = `check the address of ${url.hostname} and this machine's routes`
      break
    case 'tls':
      summary = `TLS handshake failed: ${firstLine(errorMessage(error) || 'unknown error')}${code && !errorMessage(error).includes(code) ? ` (${code})` : ''}`
      hint =
        url.protocol === 'https:'
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
  return httpError({failure, url: url.toString(), method: f.method, elapsedMs: f.elapsedMs, summary, hint, cause: error})
}

/** The body exceeded the client's size cap. */
export function tooLargeError(
  method: string,
  url: URL,
  elapsedMs: number,
  max: number,
  status: number,
  contentType: string | undefined,
  what?: string,
): HttpFailure {
  return httpError({
    failure: 'too_large',
    url: url.toString(),
    method,
    status,
    contentType,
    elapsedMs,
    summary: `response larger than the ${formatBytes(max)} limit${what ? ` (${what})` : ''}`,
    hint: 'ask for less (a narrower query, a smaller limit or time range)',
  })
}
