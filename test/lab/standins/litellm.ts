// A stand-in for the LiteLLM proxy (no Debian package), speaking the documented API of
// api-facts.md §6: /health/liveliness (alias /health/liveness) → "I'm alive!" and
// /health/readiness without a key (public routes); /health needs the master key as
// `Authorization: Bearer` and otherwise answers 401 as user_api_key_auth does.
import type {IncomingMessage} from 'node:http'

import {bearerToken, sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'

export interface LitellmStandinOptions extends Partial<StandinOptions> {
  /** the proxy's master key; /health accepts it as a Bearer token or x-litellm-api-key */
  masterKey?: string
}

const VERSION = '1.55.8'

export class LitellmStandin extends Standin {
  readonly what = 'LiteLLM proxy (stand-in, api-facts.md §6)'
  readonly masterKey?: string
  db: 'connected' | 'Not connected' = 'Not connected'
  healthy = true

  constructor(options: LitellmStandinOptions = {}) {
    super({name: 'litellm', node: 'hydra-storage', host: '127.0.0.2', port: 4000, ...options})
    this.masterKey = options.masterKey
    for (const path of ['/health/liveliness', '/health/liveness']) this.get(path, ({res}) => sendJson(res, 200, "I'm alive!"))
    this.get('/health/readiness', ({res}) =>
      this.healthy
        ? sendJson(res, 200, {
            status: this.db === 'connected' ? 'connected' : 'healthy',
            db: this.db,
            cache: null,
            litellm_version: VERSION,
            success_callbacks: ['langfuse'],
            last_updated: new Date().toISOString(),
          })
        : sendJson(res, 503, {detail: 'Service Unhealthy (database is unreachable)'}),
    )
    this.get('/health', (ctx) => {
      if (!this.authorized(ctx)) return
      const model = {model: 'openai/local-tabby', api_base: 'http://127.0.0.4:5000/v1'}
      sendJson(
        ctx.res,
        200,
        this.healthy
          ? {healthy_endpoints: [model], unhealthy_endpoints: [], healthy_count: 1, unhealthy_count: 0}
          : {healthy_endpoints: [], unhealthy_endpoints: [{...model, error: 'Connection error.'}], healthy_count: 0, unhealthy_count: 1},
      )
    })
  }

  override getState(): unknown {
    return {db: this.db, healthy: this.healthy}
  }

  override resetState(): void {
    this.db = 'Not connected'
    this.healthy = true
  }

  override setState(patch: Record<string, unknown>): void {
    if (patch.healthy !== undefined) this.healthy = Boolean(patch.healthy)
    if (patch.db === 'connected' || patch.db === 'Not connected') this.db = patch.db
  }

  private keyOf(req: IncomingMessage): string | undefined {
    return bearerToken(req) ?? (req.headers['x-litellm-api-key'] as string | undefined)
  }

  // user_api_key_auth raises ProxyException(type=auth_error, code=401)
  private authorized({req, res}: RequestContext): boolean {
    const key = this.keyOf(req)
    if (key !== undefined && key === this.masterKey) return true
    const message =
      key === undefined
        ? 'Authentication Error, No api key passed in.'
        : 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...redacted, Key Hash (Token) =redacted. Unable to find token in cache or `LiteLLM_VerificationTokenTable`'
    sendJson(res, 401, {error: {message, type: 'auth_error', param: 'None', code: '401'}})
    return false
  }

  protected override notFound({res}: RequestContext): void {
    sendJson(res, 404, {detail: 'Not Found'})
  }

  protected override methodNotAllowed({res}: RequestContext): void {
    sendJson(res, 405, {detail: 'Method Not Allowed'})
  }
}
