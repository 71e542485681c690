import {Readable} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {clip, firstLine, htmlTitle, isTruncatedJson, looksLikeHtml, parseJsonBody, readBody} from '../../../../src/lib/clients/http/body.js'
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

describe('readBody', () => {
  const tooLarge = () => new Error('too large')

  it('reads every piece, counting the bytes; stops past the cap with the cap\'s error', async () => {
    const progress = {received: 0}
    expect((await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 10, progress, tooLarge)).toString()).toBe('abcd')
    expect(progress.received).toBe(4)
    await expect(readBody(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10, {received: 0}, tooLarge)).rejects.toThrow('too large')
  })

  it('a stream that fails, fails the read; one closed before its end is a premature close', async () => {
    const failing = new Readable({read() {}})
    const read = readBody(failing, 10, {received: 0}, tooLarge)
    failing.destroy(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}))
    await expect(read).rejects.toMatchObject({code: 'ECONNRESET'})
    const closing = new Readable({read() {}})
    const cut = readBody(closing, 10, {received: 0}, tooLarge)
    closing.push('ab')
    closing.destroy()
    await expect(cut).rejects.toMatchObject({code: 'ERR_STREAM_PREMATURE_CLOSE'})
  })

  it('a stream already failed or destroyed before the read never leaves it waiting', async () => {
    const errored = new Readable({read() {}})
    errored.on('error', () => {})
    errored.destroy(new Error('gone'))
    await new Promise((r) => setImmediate(r))
    await expect(readBody(errored, 10, {received: 0}, tooLarge)).rejects.toThrow('gone')
    const destroyed = new Readable({read() {}})
    destroyed.destroy()
    await new Promise((r) => setImmediate(r))
    await expect(readBody(destroyed, 10, {received: 0}, tooLarge)).rejects.toMatchObject({code: 'ERR_STREAM_PREMATURE_CLOSE'})
  })
})
