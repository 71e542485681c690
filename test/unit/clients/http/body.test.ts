import {describe, expect, it} from 'vitest'

import {clip, firstLine, htmlTitle, isTruncatedJson, looksLikeHtml, parseJsonBody} from '../../../../src/lib/clients/http/body.js'
import {HttpAuthError, HttpError} from '../../../../src/lib/clients/http/errors.js'
import type {HttpResponse} from '../../../../src/lib/clients/http/types.js'

function res(text: string, status = 200, contentType?: string): HttpResponse {
  const body = Buffer.from(text)
  return {status, statusText: '', headers: contentType ? {'content-type': contentType} : {}, body, text: () => text, url: 'http://127.0.0.1/x', elapsedMs: 1, method: 'GET'}
}

function thrown(f: () => unknown): HttpError | HttpAuthError {
  try {
    f()
  } catch (error) {
    if (error instanceof HttpError || error instanceof HttpAuthError) return error
    throw error
  }
  throw new Error('expected a throw')
}

describe('body sniffing', () => {
  it('parses JSON (BOM allowed) and gives undefined for 204', () => {
    expect(parseJsonBody(res('\uFEFF{"a":1}'))).toEqual({a: 1})
    expect(parseJsonBody(res('', 204))).toBeUndefined()
  })

  it('names an HTML page by its title', () => {
    const e = thrown(() => parseJsonBody(res('<!DOCTYPE html><html><title>Sign in &amp; go</title></html>')))
    expect(e.failure).toBe('html')
    expect(e.summary).toBe('expected JSON, got an HTML page (Sign in & go)')
  })

  it('a document cut off is truncated, with its size', () => {
    const e = thrown(() => parseJsonBody(res('{"data":[1,2,')))
    expect(e.failure).toBe('truncated')
    expect(e.summary).toBe('response cut off: JSON ends mid-document after 13B')
  })

  it('empty and other bodies are not_json; a 401 body stays an auth error', () => {
    expect(thrown(() => parseJsonBody(res(' '))).summary).toBe('expected JSON, got an empty body (HTTP 200)')
    expect(thrown(() => parseJsonBody(res('hello\nworld', 200, 'text/plain; charset=utf-8'))).summary).toBe('expected JSON, got text/plain: hello')
    expect(thrown(() => parseJsonBody(res('denied', 401)))).toBeInstanceOf(HttpAuthError)
  })

  it('helpers', () => {
    expect(looksLikeHtml('x', 'text/html; charset=utf-8')).toBe(true)
    expect(looksLikeHtml('  <html>', undefined)).toBe(true)
    expect(looksLikeHtml('{"a":1}', 'application/json')).toBe(false)
    expect(htmlTitle('<title> a\n  b </title>')).toBe('a b')
    expect(htmlTitle('<p>no title</p>')).toBeUndefined()
    expect(isTruncatedJson('{"a":', 'Unexpected end of JSON input')).toBe(true)
    expect(isTruncatedJson('{"a":1}x', 'Unexpected non-whitespace character after JSON at position 7')).toBe(false)
    expect(firstLine('\n\n  second  \nthird')).toBe('second')
    expect(clip('abcdef', 4)).toBe('abc…')
    expect(clip('abc', 4)).toBe('abc')
  })
})

