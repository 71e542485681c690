/**
 * One HTTP exchange on undici's dispatch API (Dispatcher.dispatch with a handler: the layer undici's
 * own `request` is built on), and the per-call state every attempt of a call shares.
 *
 * The body is gathered straight from the handler's chunks: no Readable stream, no AbortSignal and
 * no async resource per request. At 1,000 dashboards that machinery was some 80-100 ms of the main
 * thread of a backup (issue 14 item 8). What a request does and how it fails are unchanged: the
 * same undici errors (connect and headers timeouts, sockets closed mid-body) reach classify.ts,
 * and the same size cap and length checks apply.
 */
import {STATUS_CODES} from 'node:http'

import type {Dispatcher} from 'undici'

import {formatBytes} from '../../format.js'
import {redact, safeUrl} from '../../secrets.js'
import {tooLargeError, type AttemptProgress} from './classify.js'
import {isHttpError, type HttpFailure, type HttpFailureCause} from './errors.js'
import type {HttpResponse} from './types.js'

/** Per-call state shared by every attempt. */
export interface CallContext {
  method: string
  url: URL
  start: number
  deadline: number
  budgetMs: number
  /** why the call was stopped (its deadline, the caller's signal); undefined while it runs */
  abortReason?: unknown
  /** stop the attempt under way, or wake the wait before a retry */
  onAbort?: (reason: unknown) => void
  /** our own total deadline fired */
  timedOut: boolean
  /** the caller's signal fired */
  cancelled: boolean
}

function abortedError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError')
}

/** Stop the call: the attempt under way fails at once with `reason`, and no other starts. */
export function abortCall(ctx: CallContext, reason: unknown): void {
  if (ctx.abortReason !== undefined) return
  ctx.abortReason = reason ?? abortedError()
  ctx.onAbort?.(ctx.abortReason)
}

/** Wait before a retry; the call's deadline or the caller's signal ends the wait early. */
export function sleep(ms: number, ctx: CallContext): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      ctx.onAbort = undefined
      resolve()
    }
    const timer = setTimeout(done, ms)
    ctx.onAbort = done
  })
}

/** Classify a failure of this attempt (the client's transportError). */
export type ToFailure = (error: unknown, progress: AttemptProgress, forced?: HttpFailureCause) => HttpFailure

/**
 * One request and its whole response, under the call's deadline (ctx): the deadline or the
 * caller's signal fails it at once (a request still queued for a connection is stopped as soon as
 * undici starts it), a body past maxBodyBytes (declared or received) fails it, and a body shorter
 * than its Content-Length is 'truncated'.
 */
export function exchange(
  ctx: CallContext,
  dispatcher: Dispatcher,
  request: {headers: Record<string, string>; body: string | Buffer | undefined; maxBodyBytes: number},
  toFailure: ToFailure,
): Promise<HttpResponse> {
  const progress: AttemptProgress = {headersReceived: false, received: 0}
  const max = request.maxBodyBytes
  const remaining = Math.max(1, Math.ceil(ctx.deadline - performance.now()))
  return new Promise<HttpResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined
    let settled = false
    let status = 0
    let headers: Record<string, string> = {}
    let chunks: Buffer[] = []
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      ctx.onAbort = undefined
      chunks = []
      reject(isHttpError(error) ? error : toFailure(error, progress))
    }
    const tooLarge = (what?: string): HttpFailure => tooLargeError(ctx.method, ctx.url, performance.now() - ctx.start, max, status, headers['content-type'], what)
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: (c) => {
        controller = c
        if (settled) c.abort((ctx.abortReason ?? abortedError()) as Error)
      },
      onResponseStart: (c, statusCode, responseHeaders) => {
        if (settled || statusCode < 200) return // 1xx: informational, the response follows
        status = statusCode
        progress.headersReceived = true
        headers = flattenHeaders(responseHeaders)
        const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length'])
        const expectBody = ctx.method !== 'HEAD' && statusCode !== 204 && statusCode !== 304
        if (expectBody && declared !== undefined && Number.isFinite(declared)) progress.contentLength = declared
        if (progress.contentLength !== undefined && progress.contentLength > max) {
          const error = tooLarge(`declares ${formatBytes(progress.contentLength)}`)
          fail(error)
          c.abort(error)
        }
      },
      onResponseData: (c, chunk) => {
        if (settled) return
        progress.received += chunk.length
        if (progress.received > max) {
          const error = tooLarge()
          fail(error)
          c.abort(error)
          return
        }
        chunks.push(chunk)
      },
      onResponseEnd: () => {
        if (settled) return
        if (progress.contentLength !== undefined && progress.received < progress.contentLength) {
          fail(toFailure(undefined, progress, 'truncated'))
          return
        }
        settled = true
        ctx.onAbort = undefined
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
        chunks = []
        resolve(response(status, headers, body, ctx, Math.round(performance.now() - ctx.start)))
      },
      onResponseError: (_c, error) => fail(error),
    }
    if (ctx.abortReason !== undefined) {
      fail(ctx.abortReason)
      return
    }
    ctx.onAbort = (reason) => {
      fail(reason)
      controller?.abort(reason as Error)
    }
    try {
      dispatcher.dispatch(
        {
          origin: ctx.url.origin,
          path: `${ctx.url.pathname}${ctx.url.search}`,
          method: ctx.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body ?? null,
          // also bounded by the total deadline, so that nothing outlives it even if our timer is late
          headersTimeout: remaining,
          bodyTimeout: remaining,
        },
        handler,
      )
    } catch (error) {
      fail(error)
    }
  })
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
