/**
 * The HTTP client's error model: every failure is a cause from a small set plus a short,
 * secret-free summary. A refused credential (401/403) is an AuthError (exit 4, the same type SSH
 * uses) carrying the same HTTP fields; everything else is an HttpError (exit 1). Build them with
 * httpError(), which picks the class from the status, so that no exit code is changed after the fact.
 */
import {AuthError, ExitCode, HydraError} from '../../errors.js'
import {redact, safeUrl} from '../../secrets.js'

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

const BODY_SNIPPET_CHARS = 512

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

/** What every HTTP failure carries, auth refusals included. */
export interface HttpFailureFields {
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
  /** status 401 or 403 */
  isAuth(): boolean
}

export const DEFAULT_SUMMARY: Record<HttpFailureCause, string> = {
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

export function isAuthStatus(status: number | undefined): boolean {
  return status === 401 || status === 403
}

/** The error `code` of a failure: http_<cause> (http_refused, http_timeout, http_not_json, …); a bad status is http_status, not http_http_status. */
export function errorCodeOf(failure: HttpFailureCause): string {
  return failure.startsWith('http_') ? failure : `http_${failure}`
}

/** The normalised fields and the HydraError constructor arguments of one failure. */
function prepare(init: HttpErrorInit) {
  const url = safeUrl(init.url)
  const method = init.method.toUpperCase()
  const summary = redact(init.summary ?? DEFAULT_SUMMARY[init.failure])
  const elapsedMs = Math.round(init.elapsedMs ?? 0)
  const fields = {
    failure: init.failure,
    url,
    method,
    status: init.status,
    body: init.body === undefined ? undefined : redact(init.body.slice(0, BODY_SNIPPET_CHARS)),
    contentType: init.contentType,
    elapsedMs,
    summary,
  }
  const options = {
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
  }
  return {code: errorCodeOf(init.failure), message: `${method} ${url}: ${summary}`, fields, options}
}

// The HTTP fields of both error classes below are declared once, in HttpFailureFields (declaration
// merging: each class is also that interface); the constructors set them from prepare().
/** An HTTP call failed (transport, status, body). Exit 1. */
export interface HttpError extends HttpFailureFields {}
export class HttpError extends HydraError {
  constructor(init: HttpErrorInit) {
    const p = prepare(init)
    super(p.code, p.message, {...p.options, exitCode: ExitCode.FAILURE})
    Object.assign(this, p.fields)
  }

  isAuth(): boolean {
    return isAuthStatus(this.status)
  }
}

/** The server refused the credentials (HTTP 401/403). An AuthError, exit 4, with the HTTP fields. */
export interface HttpAuthError extends HttpFailureFields {}
export class HttpAuthError extends AuthError {
  constructor(init: HttpErrorInit) {
    const p = prepare(init)
    super(p.message, {...p.options, code: p.code})
    Object.assign(this, p.fields)
  }

  isAuth(): boolean {
    return true
  }
}

/** Any failure of the HTTP client. */
export type HttpFailure = HttpError | HttpAuthError

/** A 401/403 → HttpAuthError, anything else → HttpError. */
export function httpError(init: HttpErrorInit): HttpFailure {
  return isAuthStatus(init.status) ? new HttpAuthError(init) : new HttpError(init)
}

export function isHttpError(error: unknown): error is HttpFailure {
  return error instanceof HttpError || error instanceof HttpAuthError
}

/** The `code` of a Node/undici error, if it has one. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as {code?: unknown} | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** The `message` of anything thrown, or "". */
export function errorMessage(e: unknown): string {
  const message = (e as {message?: unknown} | null | undefined)?.message
  return typeof message === 'string' ? message : ''
}
