/**
 * Body sniffing: what a response body is (JSON, an HTML page, a document cut off) and the short
 * phrases that describe it (pure functions).
 */
import {formatBytes} from '../../format.js'
import {errorMessage, httpError, type HttpFailure, type HttpFailureCause} from './errors.js'
import type {HttpResponse} from './types.js'

/**
 * Parse a JSON body, classifying failures: an HTML page → 'html', a body cut off mid-document →
 * 'truncated', anything else → 'not_json'. A 204 No Content gives `undefined`.
 */
export function parseJsonBody<T>(res: HttpResponse): T {
  if (res.status === 204) return undefined as T
  const raw = res.text()
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
  try {
    // the common case first: a document that parses (an empty body does not, and is named below)
    return JSON.parse(text) as T
  } catch (error) {
    const contentType = res.headers['content-type']
    const fail = (failure: HttpFailureCause, summary: string, hint?: string): HttpFailure => responseError(res, failure, text, summary, hint)
    if (text.trim() === '') throw fail('not_json', `expected JSON, got an empty body (HTTP ${res.status})`)
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

/** An error about a response that arrived: its URL, method, status, body and timing. */
export function responseError(res: HttpResponse, failure: HttpFailureCause, text: string, summary: string, hint?: string): HttpFailure {
  return httpError({
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

export function looksLikeHtml(text: string, contentType: string | undefined): boolean {
  if (contentType && /\btext\/html\b|application\/xhtml/i.test(contentType)) return true
  return /^\s*<(!doctype\s+html|html|head|body|title)\b/i.test(text)
}

/** The page's <title>, entities decoded, whitespace collapsed, at most 100 characters. */
export function htmlTitle(text: string): string | undefined {
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

/** Did JSON.parse fail because the document ends early? */
export function isTruncatedJson(text: string, message: string): boolean {
  if (/unexpected end|unterminated/i.test(message)) return true
  // V8 names the position; a failure at the very end of a non-empty document means it was cut off
  const m = /at position (\d+)/.exec(message)
  return m !== null && Number(m[1]) >= text.trimEnd().length
}

export function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim()
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
