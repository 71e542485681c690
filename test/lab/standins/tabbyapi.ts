// A stand-in for TabbyAPI (no Debian package), speaking the documented API of api-facts.md §6:
// GET /health → 200 {"status":"healthy","issues":[]} or 503 {"status":"unhealthy","issues":[…]}
// (endpoints/core/router.py, common/health.py). TabbyAPI on main has NO /metrics: it is a 404,
// as FastAPI answers an unknown path.
import {sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'

export interface TabbyIssue {
  time: string
  description: string
}

export class TabbyApiStandin extends Standin {
  readonly what = 'TabbyAPI (stand-in, api-facts.md §6)'
  issues: TabbyIssue[] = []

  constructor(options: Partial<StandinOptions> = {}) {
    super({name: 'tabbyapi', node: 'hydra-ai', host: '127.0.0.4', port: 5000, ...options})
    this.get('/health', ({res}) =>
      this.issues.length === 0
        ? sendJson(res, 200, {status: 'healthy', issues: []})
        : sendJson(res, 503, {status: 'unhealthy', issues: this.issues}),
    )
  }

  override getState(): unknown {
    return {issues: this.issues}
  }

  override resetState(): void {
    this.issues = []
  }

  /** `{issues: ['CUDA out of memory', …]}` or `{issues: [{time, description}]}`; `[]` heals it. */
  override setState(patch: Record<string, unknown>): void {
    if (patch.issues === undefined) return
    if (!Array.isArray(patch.issues)) throw new Error('issues must be an array')
    this.issues = patch.issues.map((i: unknown) =>
      typeof i === 'string' ? {time: new Date().toISOString(), description: i} : (i as TabbyIssue),
    )
  }

  protected override notFound({res}: RequestContext): void {
    sendJson(res, 404, {detail: 'Not Found'})
  }

  protected override methodNotAllowed({res}: RequestContext): void {
    sendJson(res, 405, {detail: 'Method Not Allowed'})
  }
}
