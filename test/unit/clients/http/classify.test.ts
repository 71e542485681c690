import {describe, expect, it} from 'vitest'

import {classifyError, isRetryable, statusError, transportError, type TransportFailure} from '../../../../src/lib/clients/http/classify.js'
import {HttpAuthError, HttpError, httpError} from '../../../../src/lib/clients/http/errors.js'
import type {HttpResponse} from '../../../../src/lib/clients/http/types.js'

const err = (code: string, message = code) => Object.assign(new Error(message), {code})

function res(status: number, text: string, statusText = '', contentType?: string): HttpResponse {
  return {status, statusText, headers: contentType ? {'content-type': contentType} : {}, body: Buffer.from(text), text: () => text, url: 'http://127.0.0.1:9090/x', elapsedMs: 2, method: 'GET'}
}

function failure(over: Partial<TransportFailure>): TransportFailure {
  return {
    method: 'GET',
    url: new URL('http://127.0.0.1:9090/api'),
    error: undefined,
    progress: {headersReceived: false, received: 0},
    timedOut: false,
    cancelled: false,
    elapsedMs: 10,
    budgetMs: 5000,
    connectTimeoutMs: 3000,
    ...over,
  }
}

describe('classify', () => {
  it('maps node/undici codes, nested causes and aggregate errors', () => {
    expect(classifyError(err('ECONNREFUSED'))).toBe('refused')
    expect(classifyError(err('UND_ERR_CONNECT_TIMEOUT'))).toBe('connect_timeout')
    expect(classifyError(err('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout')
    expect(classifyError(err('ENOTFOUND'))).toBe('dns')
    expect(classifyError(err('CERT_HAS_EXPIRED'))).toBe('tls')
    expect(classifyError(new TypeError('fetch failed', {cause: err('ECONNRESET')}))).toBe('reset')
    expect(classifyError(new AggregateError([err('EHOSTUNREACH')]))).toBe('unreachable')
    expect(classifyError(httpError({failure: 'html', url: 'http://x/', method: 'GET', status: 401}))).toBe('html')
    expect(classifyError(42)).toBe('network')
  })

  it('statusError: an auth error for 401/403 with a hint, an HttpError otherwise', () => {
    const denied = statusError(res(401, 'invalid token', 'Unauthorized'))
    expect(denied).toBeInstanceOf(HttpAuthError)
    expect(denied.summary).toBe('HTTP 401 Unauthorized: invalid token')
    expect(denied.hint).toMatch(/refused the credentials/)
    expect(statusError(res(403, '')).hint).toMatch(/lack a permission/)
    const html = statusError(res(502, '<html><title>Bad Gateway</title></html>', 'Bad Gateway'))
    expect(html).toBeInstanceOf(HttpError)
    expect(html.summary).toBe('HTTP 502 Bad Gateway: HTML page "Bad Gateway"')
  })

  it('isRetryable: resets, truncation and 502/503/504 only', () => {
    const e = (failure: 'reset' | 'truncated' | 'refused' | 'http_status', status?: number) => httpError({failure, url: 'http://x/', method: 'GET', status})
    expect(isRetryable(e('reset'))).toBe(true)
    expect(isRetryable(e('truncated'))).toBe(true)
    expect(isRetryable(e('refused'))).toBe(false)
    expect(isRetryable(e('http_status', 503))).toBe(true)
    expect(isRetryable(e('http_status', 500))).toBe(false)
    expect(isRetryable(e('http_status', 401))).toBe(false)
  })

  it('transportError: summaries name the phase and the budget', () => {
    expect(transportError(failure({timedOut: true})).summary).toBe('timed out after 5s (no response)')
    expect(transportError(failure({timedOut: true, progress: {headersReceived: true, received: 2048}})).summary).toBe('timed out after 5s (reading the body, 2KiB so far)')
    expect(transportError(failure({cancelled: true, elapsedMs: 1500})).summary).toBe('timed out: cancelled by the caller after 1.5s (no response)')
    const ct = transportError(failure({error: err('UND_ERR_CONNECT_TIMEOUT')}))
    expect([ct.failure, ct.summary]).toEqual(['connect_timeout', 'connect timed out after 3s'])
    expect(transportError(failure({error: err('ECONNREFUSED')})).hint).toBe('nothing is listening on 127.0.0.1:9090: is the service running, on this port?')
    const cut = transportError(failure({error: err('ECONNRESET'), progress: {headersReceived: true, received: 10, contentLength: 100}}))
    expect([cut.failure, cut.summary]).toEqual(['truncated', 'response cut off: got 10 of 100 bytes'])
  })
})
