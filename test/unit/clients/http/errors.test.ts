import {describe, expect, it} from 'vitest'

import {errorCode, errorCodeOf, errorMessage, HttpAuthError, HttpError, httpError, isAuthStatus} from '../../../../src/lib/clients/http/errors.js'
import {AuthError, ExitCode} from '../../../../src/lib/errors.js'
import {forgetSecrets, registerSecret} from '../../../../src/lib/secrets.js'

describe('http errors', () => {
  it('isAuthStatus: 401 and 403 only', () => {
    expect([200, 400, 401, 403, 404, 500, undefined].map(isAuthStatus)).toEqual([false, false, true, true, false, false, false])
  })

  it('an HttpAuthError is an AuthError (exit 4) with the same fields and JSON as an HttpError', () => {
    const init = {failure: 'http_status' as const, url: 'http://u:p@127.0.0.1:3000/api/search', method: 'get', status: 401, body: 'nope', elapsedMs: 3.7}
    const auth = new HttpAuthError(init)
    const plain = new HttpError(init)
    expect(auth).toBeInstanceOf(AuthError)
    expect(auth.exitCode).toBe(ExitCode.AUTH)
    expect(plain.exitCode).toBe(ExitCode.FAILURE)
    for (const e of [auth, plain]) {
      expect(e.url).toBe('http://127.0.0.1:3000/api/search')
      expect(e.method).toBe('GET')
      expect(e.elapsedMs).toBe(4)
      expect(e.summary).toBe('unexpected HTTP status')
    }
    expect({...auth.toJSON(), exitCode: 0}).toEqual({...plain.toJSON(), exitCode: 0})
  })

  it('error codes: http_<cause>, a bad status http_status (not http_http_status), an auth refusal the same', () => {
    expect(['refused', 'timeout', 'http_status', 'not_json', 'html'].map((f) => errorCodeOf(f as Parameters<typeof errorCodeOf>[0]))).toEqual(['http_refused', 'http_timeout', 'http_status', 'http_not_json', 'http_html'])
    expect(httpError({failure: 'http_status', url: 'http://127.0.0.1/', method: 'GET', status: 500}).code).toBe('http_status')
    expect(httpError({failure: 'http_status', url: 'http://127.0.0.1/', method: 'GET', status: 401}).toJSON()).toMatchObject({code: 'http_status', exitCode: 4})
  })

  it('httpError picks the class from the status; the body is redacted and clipped', () => {
    registerSecret('s3cret-token')
    try {
      const e = httpError({failure: 'http_status', url: 'http://127.0.0.1/', method: 'GET', status: 403, body: `token s3cret-token ${'x'.repeat(1000)}`})
      expect(e).toBeInstanceOf(HttpAuthError)
      expect(e.body).not.toContain('s3cret-token')
      expect(e.body!.length).toBeLessThanOrEqual(512)
      expect(httpError({failure: 'refused', url: 'http://127.0.0.1/', method: 'GET'})).toBeInstanceOf(HttpError)
    } finally {
      forgetSecrets()
    }
  })

  it('errorCode and errorMessage read anything thrown', () => {
    expect(errorCode(Object.assign(new Error('x'), {code: 'ECONNREFUSED'}))).toBe('ECONNREFUSED')
    expect(errorCode({code: 7})).toBeUndefined()
    expect(errorCode(null)).toBeUndefined()
    expect(errorMessage(new Error('boom'))).toBe('boom')
    expect(errorMessage('text')).toBe('')
  })
})
