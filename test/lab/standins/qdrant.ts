// A stand-in for Qdrant (no Debian package), speaking the documented API of api-facts.md §6:
// /healthz and /livez → `healthz check passed`, /readyz → `all shards are ready` or 503
// `some shards are not ready` (src/actix/api/service_api.rs), `/` with the version, and /metrics,
// which (unlike the probes) needs the API key when one is configured (src/actix/auth.rs).
import {renderMetrics} from './metrics-text.js'
import {bearerToken, PROM_TEXT, send, sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'

export interface QdrantStandinOptions extends Partial<StandinOptions> {
  /** when set, /metrics needs `api-key: <key>` or `Authorization: Bearer <key>` */
  apiKey?: string
}

export class QdrantStandin extends Standin {
  readonly what = 'Qdrant 1.12 (stand-in, api-facts.md §6)'
  readonly version = '1.12.4'
  ready = true
  readonly apiKey?: string
  private readonly responses = new Map<string, number>()

  constructor(options: QdrantStandinOptions = {}) {
    super({name: 'qdrant', node: 'hydra-storage', host: '127.0.0.2', port: 6333, ...options})
    this.apiKey = options.apiKey
    this.get('/', ({res}) => sendJson(res, 200, {title: 'qdrant - vector search engine', version: this.version, commit: 'c1f2e3d4b5a6'}))
    for (const path of ['/healthz', '/livez']) this.get(path, ({res}) => this.probe(res, path, 200, 'healthz check passed'))
    this.get('/readyz', ({res}) =>
      this.ready ? this.probe(res, '/readyz', 200, 'all shards are ready') : this.probe(res, '/readyz', 503, 'some shards are not ready'),
    )
    this.get('/metrics', (ctx) => {
      if (!this.authorized(ctx)) return
      send(ctx.res, 200, this.metrics(), PROM_TEXT)
    })
  }

  override getState(): unknown {
    return {ready: this.ready}
  }

  override resetState(): void {
    this.ready = true
  }

  override setState(patch: Record<string, unknown>): void {
    if (patch.ready !== undefined) this.ready = Boolean(patch.ready)
  }

  private probe(res: RequestContext['res'], path: string, status: number, body: string): void {
    const key = `${path} ${status}`
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1)
    send(res, status, body)
  }

  private authorized({req, res}: RequestContext): boolean {
    if (!this.apiKey) return true
    const given = (req.headers['api-key'] as string | undefined) ?? bearerToken(req)
    if (given === this.apiKey) return true
    send(res, 403, given === undefined ? 'Must provide an API key or an Authorization bearer token' : 'Invalid API key or JWT')
    return false
  }

  private metrics(): string {
    return renderMetrics([
      {name: 'app_info', help: 'information about qdrant server', type: 'gauge', samples: [{labels: {name: 'qdrant', version: this.version}, value: 1}]},
      {name: 'app_status_recovery_mode', help: 'features enabled in qdrant server', type: 'gauge', samples: [{value: 0}]},
      {name: 'collections_total', help: 'number of collections', type: 'gauge', samples: [{value: 2}]},
      {name: 'collections_vector_total', help: 'total number of vectors in all collections', type: 'gauge', samples: [{value: 48213}]},
      {name: 'collections_full_total', help: 'number of full collections', type: 'gauge', samples: [{value: 2}]},
      {
        name: 'rest_responses_total',
        help: 'total number of responses',
        type: 'counter',
        samples: [...this.responses].map(([key, value]) => {
          const [endpoint, status] = key.split(' ')
          return {labels: {method: 'GET', endpoint: endpoint!, status: status!}, value}
        }),
      },
      {name: 'cluster_enabled', help: 'is cluster support enabled', type: 'gauge', samples: [{value: 0}]},
    ])
  }

  // actix-web's default service: 404 with an empty body
  protected override notFound({res}: RequestContext): void {
    send(res, 404, '', '')
  }

  protected override methodNotAllowed({res}: RequestContext): void {
    send(res, 405, '', '')
  }
}
