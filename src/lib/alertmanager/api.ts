/**
 * Alertmanager API v2 (api-facts.md §4): alerts and silences. Errors are plain strings, not JSON.
 */
import {clientForEndpoint, httpError, parseJsonBody, type HttpClient} from '../clients/http/index.js'
import type {ResolvedEndpoint} from '../config/resolve.js'

/** GET /api/v2/alerts item (gettableAlert in api/v2/openapi.yaml). */
export interface AmAlert {
  labels: Record<string, string>
  annotations?: Record<string, string>
  receivers?: {name: string}[]
  fingerprint: string
  startsAt: string
  updatedAt?: string
  endsAt?: string
  generatorURL?: string
  status: {state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[]; mutedBy?: string[]}
}

/** GET /api/v2/silences item (gettableSilence). */
export interface AmSilence {
  id: string
  status: {state: 'expired' | 'active' | 'pending'}
  updatedAt?: string
  matchers: {name: string; value: string; isRegex: boolean; isEqual?: boolean}[]
  startsAt: string
  endsAt: string
  createdBy: string
  comment: string
}

/** An error body in one short line: Alertmanager's quoted string as it is, an HTML page by its title. */
export function errorText(body: string): string {
  const text = body.trim()
  if (/^<(!doctype|html|head|body)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    return `an HTML page${title ? ` ("${title}")` : ''}`
  }
  return text.replace(/^"(.*)"$/, '$1').slice(0, 200)
}

/** Per-call limits: the caller's cancellation and timeout (e.g. a doctor run's deadline). */
export interface CallOptions {
  signal?: AbortSignal
  timeoutMs?: number
  retries?: number
}

export class AlertmanagerClient {
  readonly http: HttpClient
  constructor(readonly endpoint: ResolvedEndpoint, http?: HttpClient) {
    this.http = http ?? clientForEndpoint(endpoint)
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  private async get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', path, undefined, options)
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown, options: CallOptions = {}): Promise<T> {
    const res = await this.http.request(method, path, {okStatus: 'any', headers: {accept: 'application/json'}, ...(json === undefined ? {} : {json}), ...options})
    if (res.status >= 400) {
      const err = httpError({
        failure: 'http_status',
        url: res.url,
        method,
        status: res.status,
        body: res.text(),
        // Alertmanager's errors are a bare (JSON-quoted) string: show it as it is; an HTML page
        // (a proxy's error or login page) by its title only
        summary: `HTTP ${res.status}: ${errorText(res.text())}`,
        ...(res.status === 401 || res.status === 403
          ? {
              hint: this.endpoint.auth
                ? `the credential services.alertmanager.auth names was refused: check that it is current and allowed to ${method === 'GET' ? 'read' : 'change'} ${path}`
                : 'the config gives Alertmanager no credential: Alertmanager asks for one only with --web.config.file, so a proxy or login in front of it probably does; point services.alertmanager.url past it, or add services.alertmanager.auth',
            }
          : {}),
      })
      throw err
    }
    // DELETE /api/v2/silence/{id} answers 200 with an empty body
    if (method === 'DELETE' && res.text().trim() === '') return undefined as T
    return parseJsonBody<T>(res)
  }

  /** POST a JSON body (e.g. a silence); Alertmanager's 400/422 come back as HttpError with its text. */
  postJson<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body)
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path)
  }

  alerts(): Promise<AmAlert[]> {
    return this.get<AmAlert[]>('/api/v2/alerts')
  }

  /** Every silence Alertmanager knows (active, pending and expired ones still retained). */
  silences(options: CallOptions = {}): Promise<AmSilence[]> {
    return this.get<AmSilence[]>('/api/v2/silences', options)
  }

  async close(): Promise<void> {
    await this.http.close()
  }
}

export function describeMatchers(s: AmSilence): string {
  return s.matchers.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${JSON.stringify(m.value)}`).join(', ')
}

