// A stand-in for Grafana 11 (no Debian package), speaking the documented HTTP API of
// api-facts.md §2: health, auth (service-account Bearer tokens and basic auth, 401 in the newer
// body shape, 403 RBAC or legacy bodies), search (type filter, folders mixed in without it, the
// 1000 default page and the 5000 cap with its 422), folders (paged, nested through parentUid, or
// flat with parentUid ignored), dashboards by uid (meta.folderUid/folderTitle, 404 "Dashboard not
// found"), saving (412 version-mismatch / name-exists, overwrite, version +1 per save, root when no
// folderUid) and creating folders. All in memory, with a sorted index so 6,000 dashboards stay cheap.
// It is a stand-in: messages are Grafana's where api-facts.md or Grafana's source names them.
import type {IncomingMessage} from 'node:http'

import {GrafanaObjects, roleAllows, type GrafanaRole, type StandinAlertRule} from './grafana-objects.js'
import {bearerToken, readBody, send, sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'

export interface GrafanaStandinOptions extends Partial<StandinOptions> {
  /** service-account tokens accepted as `Authorization: Bearer <token>` */
  tokens?: string[]
  /** basic-auth users (name → password); Grafana enables basic auth on-prem by default */
  users?: Record<string, string>
  version?: string
  /** nested folders (Grafana 10+ feature toggle); off: /api/folders ignores parentUid */
  nestedFolders?: boolean
  /** the basic role of each token (default Admin); basic-auth users are Admin */
  tokenRoles?: Record<string, GrafanaRole>
  /** the lab's Prometheus and Loki, for the seeded data sources */
  labServices?: LabServices
}

export interface LabServices {
  prometheusUrl: string
  lokiUrl: string
  /** the Loki tenant the data source sends as X-Scope-OrgID (a secret header, as Grafana stores it) */
  lokiTenant?: string
}

export type GrafanaAuth = {ok: true; login: string; role: GrafanaRole} | {ok: false}

export interface StandinFolder {
  id: number
  uid: string
  title: string
  parentUid?: string
  version: number
  created: string
  updated: string
}

export interface StandinDashboard {
  id: number
  uid: string
  title: string
  folderUid?: string
  version: number
  created: string
  updated: string
  /** the dashboard model as saved, without id/uid/title/version (those live above) */
  model: Record<string, unknown>
  /** the serialised GET answer, built on first read: 6,000 dashboards must stay cheap to serve */
  body?: string
}

export interface SeedOptions {
  dashboards: number
  /** folders to spread them over (default 6); every third one is nested under the one before */
  folders?: number
  /** panels per dashboard (default 4): a realistic few KB per dashboard */
  panels?: number
  /** uid prefix (default "seed") */
  prefix?: string
}

/** Test hooks through the lab's control API (`PATCH /components/grafana/state`). */
export interface GrafanaStatePatch {
  database?: 'ok' | 'failing'
  tokens?: string[]
  users?: Record<string, string>
  /** answer every authenticated API call with 403: Grafana's RBAC body, or the legacy one */
  deny?: 'rbac' | 'legacy' | null
  nestedFolders?: boolean
  /** added to every /api/ request (concurrent requests each wait, as with real latency) */
  delayMs?: number
  /** remove every dashboard and folder (before anything else in the patch) */
  empty?: boolean
  seed?: SeedOptions
  /** add folders as given (no validation: as if created by an older Grafana) */
  folders?: {uid: string; title: string; parentUid?: string}[]
  /** add dashboards as given (no uid validation: legacy data, or a hostile server) */
  dashboards?: {uid: string; title: string; folderUid?: string; model?: Record<string, unknown>}[]
  tokenRoles?: Record<string, GrafanaRole>
  /** remove everything: dashboards, folders, data sources, library panels, alerting (before anything else) */
  emptyAll?: boolean
  /** put the lab's (healthy) seed back: data sources, Node Exporter Full, a library panel, alerting */
  labSeed?: boolean
  /**
   * add the runbook's leftovers (issue 14 item 9): a data source aimed at an old, dead address and
   * the runbook's GPU dashboard still querying nvidia_gpu_*. Off in a reset lab, so a healthy lab
   * stays healthy; the scenarios that need them turn them on (lab.reset() takes them away).
   */
  runbookFaults?: boolean
  datasources?: {uid?: string; name: string; type: string; url: string; isDefault?: boolean; jsonData?: Record<string, unknown>; secureJsonData?: Record<string, string>}[]
  /** the Grafana version /api/health reports (e.g. 8.5.0 has no data-source health route) */
  version?: string
}

const SEARCH_MAX_LIMIT = 5000
const DEFAULT_LIMIT = 1000
const JSON_UTF8 = 'application/json; charset=UTF-8'
// util.IsValidShortUID and the 40-character limit of dashboard/folder uids
const VALID_UID = /^[a-zA-Z0-9\-_]*$/

function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

function byTitle(a: {title: string; uid: string}, b: {title: string; uid: string}): number {
  const ta = a.title.toLowerCase()
  const tb = b.title.toLowerCase()
  return ta === tb ? (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0) : ta < tb ? -1 : 1
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name)
  if (v === null || v === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? Math.trunc(n) : undefined
}

export class GrafanaStandin extends Standin {
  readonly what = 'Grafana 11 (stand-in, api-facts.md §2)'
  version: string
  readonly objects: GrafanaObjects
  protected tokenRoles: Record<string, GrafanaRole>
  readonly labServices?: LabServices
  readonly commit = '1a2b3c4d5e'
  database: 'ok' | 'failing' = 'ok'
  protected tokens: Set<string>
  protected users: Record<string, string>
  private readonly initial: {tokens: string[]; users: Record<string, string>; nestedFolders: boolean; tokenRoles: Record<string, GrafanaRole>; version: string}
  nestedFolders: boolean
  deny: 'rbac' | 'legacy' | null = null
  delayMs = 0
  readonly folders = new Map<string, StandinFolder>()
  readonly dashboards = new Map<string, StandinDashboard>()
  /** dashboards sorted by title, rebuilt lazily after a change */
  private sortedDashboards?: StandinDashboard[]
  private nextId = 1
  /** what clients asked for: lets tests see paging and concurrency */
  requests = {search: 0, folders: 0, dashboard: 0, save: 0, createFolder: 0, maxSearchLimit: 0, inFlight: 0, maxInFlight: 0}

  constructor(options: GrafanaStandinOptions = {}) {
    super({name: 'grafana', node: 'hydra-storage', host: '127.0.0.2', port: 3003, ...options})
    this.initial = {
      tokens: options.tokens ?? [],
      users: {...options.users},
      nestedFolders: options.nestedFolders ?? true,
      tokenRoles: {...options.tokenRoles},
      version: options.version ?? '11.3.0',
    }
    this.tokens = new Set(this.initial.tokens)
    this.users = {...this.initial.users}
    this.nestedFolders = this.initial.nestedFolders
    this.tokenRoles = {...this.initial.tokenRoles}
    this.version = this.initial.version
    this.labServices = options.labServices
    this.objects = new GrafanaObjects({
      nextId: () => this.nextId++,
      hasFolder: (uid) => this.folders.has(uid),
      folderTitle: (uid) => this.folders.get(uid)?.title,
      saveDashboard: (body) => this.saveDashboardBody(body),
      dashboardsUsingLibraryPanel: (uid) => this.libraryUse().get(uid) ?? 0,
    })

    // apiHealthHandler (pkg/api/http_server.go): no auth; 503 with "database":"failing" on a DB failure
    this.get('/api/health', ({res}) => {
      const body = {commit: this.commit, database: this.database, version: this.version}
      sendJson(res, this.database === 'ok' ? 200 : 503, body, JSON_UTF8)
    })
    this.get('/healthz', ({res}) => send(res, 200, 'Ok'))

    this.get('/api/search', this.protectedRoute('dashboards:read', (ctx) => this.search(ctx)))
    this.get('/api/folders', this.protectedRoute('folders:read', (ctx) => this.listFolders(ctx)))
    this.post('/api/folders', this.protectedRoute('folders:create', (ctx) => this.createFolder(ctx)))
    this.get(/^\/api\/dashboards\/uid\/(?<uid>[^/]+)$/, this.protectedRoute('dashboards:read', (ctx) => this.getDashboard(ctx)))
    this.post('/api/dashboards/db', this.protectedRoute('dashboards:write', (ctx) => this.saveDashboard(ctx)))

    // api-facts.md §12
    const o = this.objects
    const UID = '(?<uid>[^/]+)'
    this.get('/api/datasources', this.protectedRoute('datasources:read', (ctx) => o.listDatasources(ctx)))
    this.post('/api/datasources', this.protectedRoute('datasources:create', (ctx) => o.createDatasource(ctx)))
    this.get(new RegExp(`^/api/datasources/uid/${UID}/health$`), this.protectedRoute('datasources:query', (ctx) => o.datasourceHealth(ctx, this.major)))
    this.get(new RegExp(`^/api/datasources/uid/${UID}$`), this.protectedRoute('datasources:read', (ctx) => o.getDatasource(ctx)))
    this.route(['PUT'], new RegExp(`^/api/datasources/uid/${UID}$`), this.protectedRoute('datasources:write', (ctx) => o.updateDatasource(ctx)))
    this.route(['DELETE'], new RegExp(`^/api/datasources/uid/${UID}$`), this.protectedRoute('datasources:delete', (ctx) => o.deleteDatasource(ctx)))
    this.post('/api/dashboards/import', this.protectedRoute('dashboards:create', (ctx) => o.importDashboard(ctx)))
    this.get(/^\/api\/gnet\/dashboards\/(?<id>[^/]+)$/, this.protectedRoute('dashboards:read', (ctx) => o.gnet(ctx)))
    this.get('/api/library-elements', this.protectedRoute('library.panels:read', (ctx) => o.listLibrary(ctx)))
    this.post('/api/library-elements', this.protectedRoute('library.panels:create', (ctx) => o.createLibrary(ctx)))
    this.get(new RegExp(`^/api/library-elements/${UID}$`), this.protectedRoute('library.panels:read', (ctx) => o.getLibrary(ctx)))
    this.route(['PATCH'], new RegExp(`^/api/library-elements/${UID}$`), this.protectedRoute('library.panels:write', (ctx) => o.patchLibrary(ctx)))
    this.route(['DELETE'], new RegExp(`^/api/library-elements/${UID}$`), this.protectedRoute('library.panels:delete', (ctx) => o.deleteLibrary(ctx)))
    const P = '/api/v1/provisioning'
    this.get(`${P}/alert-rules`, this.protectedRoute('alert.rules:read', (ctx) => o.listRules(ctx)))
    this.post(`${P}/alert-rules`, this.protectedRoute('alert.rules:write', (ctx) => o.createRule(ctx)))
    this.get(new RegExp(`^${P}/alert-rules/${UID}$`), this.protectedRoute('alert.rules:read', (ctx) => o.getRule(ctx)))
    this.route(['PUT'], new RegExp(`^${P}/alert-rules/${UID}$`), this.protectedRoute('alert.rules:write', (ctx) => o.updateRule(ctx)))
    this.route(['DELETE'], new RegExp(`^${P}/alert-rules/${UID}$`), this.protectedRoute('alert.rules:write', (ctx) => o.deleteRule(ctx)))
    this.get(`${P}/contact-points`, this.protectedRoute('alert.provisioning:read', (ctx) => o.listContactPoints(ctx)))
    this.post(`${P}/contact-points`, this.protectedRoute('alert.provisioning:write', (ctx) => o.createContactPoint(ctx)))
    this.route(['PUT'], new RegExp(`^${P}/contact-points/${UID}$`), this.protectedRoute('alert.provisioning:write', (ctx) => o.updateContactPoint(ctx)))
    this.route(['DELETE'], new RegExp(`^${P}/contact-points/${UID}$`), this.protectedRoute('alert.provisioning:write', (ctx) => o.deleteContactPoint(ctx)))
    this.get(`${P}/policies`, this.protectedRoute('alert.provisioning:read', (ctx) => o.getPolicies(ctx)))
    this.route(['PUT'], `${P}/policies`, this.protectedRoute('alert.provisioning:write', (ctx) => o.putPolicies(ctx)))
    this.route(['DELETE'], `${P}/policies`, this.protectedRoute('alert.provisioning:write', (ctx) => o.deletePolicies(ctx)))

    this.labSeed()
  }

  /** uid → how many dashboards' panels name it: one pass over the dashboards per change, not one per library panel listed */
  private libraryUseCache?: Map<string, number>
  private libraryUse(): Map<string, number> {
    if (this.libraryUseCache) return this.libraryUseCache
    const use = new Map<string, number>()
    for (const d of this.dashboards.values()) {
      const uids = new Set(Array.from(JSON.stringify(d.model.panels ?? []).matchAll(/"uid":("(?:[^"\\]|\\.)*")/g), (m) => JSON.parse(m[1]!) as string))
      for (const u of uids) use.set(u, (use.get(u) ?? 0) + 1)
    }
    this.libraryUseCache = use
    return use
  }

  get major(): number {
    return Number(this.version.split('.')[0]) || 0
  }

  /**
   * The lab's healthy Grafana: data sources for the lab's Prometheus and Loki; Node Exporter Full
   * (grafana.com 1860); a library panel; one Grafana-managed alert rule, a webhook contact point
   * with a password and a policy tree routing to it. The runbook's leftovers: runbookFaults().
   */
  labSeed(): void {
    const svc = this.labServices
    if (!svc) return
    const o = this.objects
    o.putDatasource({uid: 'prometheus', name: 'Prometheus', type: 'prometheus', url: svc.prometheusUrl, isDefault: true, jsonData: {httpMethod: 'POST', timeInterval: '15s'}})
    o.putDatasource({
      uid: 'loki',
      name: 'Loki',
      type: 'loki',
      url: svc.lokiUrl,
      jsonData: svc.lokiTenant ? {maxLines: 1000, httpHeaderName1: 'X-Scope-OrgID'} : {maxLines: 1000},
      secureJsonData: svc.lokiTenant ? {httpHeaderValue1: svc.lokiTenant} : {},
    })
    this.putFolder({uid: 'hydra', title: 'Hydra'})
    this.putDashboard({uid: 'rYdddlPWk', title: 'Node Exporter Full', folderUid: 'hydra', model: nodeExporterFullDashboard()})
    o.putLibraryElement({
      uid: 'lib-cpu-busy',
      folderUid: 'hydra',
      name: 'CPU busy',
      model: {
        type: 'stat',
        title: 'CPU busy',
        datasource: {type: 'prometheus', uid: 'prometheus'},
        targets: [{refId: 'A', expr: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval])))'}],
      },
    })
    o.putContactPoint({uid: 'ops-webhook', name: 'ops-webhook', type: 'webhook', settings: {url: 'http://127.0.0.2:9999/hook', username: 'hydra', password: 'lab-webhook-password'}})
    o.policies = {receiver: 'ops-webhook', group_by: ['grafana_folder', 'alertname'], routes: [{receiver: 'ops-webhook', object_matchers: [['severity', '=', 'critical']]}]}
    o.putRule({
      uid: 'gpu-hot',
      title: 'GPU temperature high',
      folderUID: 'hydra',
      ruleGroup: 'gpu',
      condition: 'B',
      for: '5m',
      data: [
        {refId: 'A', relativeTimeRange: {from: 600, to: 0}, datasourceUid: 'prometheus', model: {refId: 'A', expr: 'max(nvidia_smi_temperature_gpu)'}},
        {refId: 'B', relativeTimeRange: {from: 0, to: 0}, datasourceUid: '__expr__', model: {refId: 'B', type: 'threshold', expression: 'A', conditions: [{evaluator: {type: 'gt', params: [85]}}]}},
      ],
      labels: {severity: 'critical'},
      annotations: {summary: 'A GPU is above 85 °C'},
    } as Partial<StandinAlertRule> & {title: string; folderUID: string; ruleGroup: string})
  }

  /** The runbook's leftovers: a data source on the address Prometheus had before it moved, and the GPU dashboard with nvidia_gpu_* names. */
  runbookFaults(): void {
    // nothing listens there
    this.objects.putDatasource({uid: 'prometheus-old', name: 'Prometheus (old)', type: 'prometheus', url: 'http://127.0.0.9:9090', jsonData: {httpMethod: 'POST'}})
    if (!this.folders.has('hydra')) this.putFolder({uid: 'hydra', title: 'Hydra'})
    this.putDashboard({uid: 'gpu-overview', title: 'GPU Overview', folderUid: 'hydra', model: runbookGpuDashboard()})
  }

  // ---- test hooks ------------------------------------------------------------------------------

  override getState(): unknown {
    return {
      database: this.database,
      nestedFolders: this.nestedFolders,
      deny: this.deny,
      delayMs: this.delayMs,
      dashboards: this.dashboards.size,
      folders: this.folders.size,
      datasources: this.objects.datasources.size,
      libraryPanels: this.objects.library.size,
      alertRules: this.objects.rules.size,
      contactPoints: this.objects.contactPoints.size,
      version: this.version,
      requests: {...this.requests, ...this.objects.requests},
    }
  }

  override resetState(): void {
    this.database = 'ok'
    this.tokens = new Set(this.initial.tokens)
    this.users = {...this.initial.users}
    this.nestedFolders = this.initial.nestedFolders
    this.deny = null
    this.delayMs = 0
    this.tokenRoles = {...this.initial.tokenRoles}
    this.version = this.initial.version
    this.empty()
    this.objects.emptyAll()
    this.labSeed()
  }

  override setState(patch: GrafanaStatePatch & Record<string, unknown>): void {
    if (patch.database !== undefined) {
      if (patch.database !== 'ok' && patch.database !== 'failing') throw new Error('database must be "ok" or "failing"')
      this.database = patch.database
    }
    if (patch.tokens !== undefined) this.tokens = new Set(patch.tokens)
    if (patch.users !== undefined) this.users = {...patch.users}
    if (patch.deny !== undefined) {
      if (patch.deny !== null && patch.deny !== 'rbac' && patch.deny !== 'legacy') throw new Error('deny must be "rbac", "legacy" or null')
      this.deny = patch.deny
    }
    if (patch.nestedFolders !== undefined) this.nestedFolders = Boolean(patch.nestedFolders)
    if (patch.delayMs !== undefined) this.delayMs = Math.max(0, Number(patch.delayMs) || 0)
    if (patch.tokenRoles !== undefined) this.tokenRoles = {...patch.tokenRoles}
    if (patch.version !== undefined) this.version = String(patch.version)
    if (patch.emptyAll) {
      this.empty()
      this.objects.emptyAll()
    }
    if (patch.empty) this.empty()
    if (patch.labSeed) this.labSeed()
    if (patch.runbookFaults) this.runbookFaults()
    for (const d of patch.datasources ?? []) this.objects.putDatasource(d)
    if (patch.seed) this.seed(patch.seed)
    for (const f of patch.folders ?? []) this.putFolder(f)
    for (const d of patch.dashboards ?? []) this.putDashboard(d)
  }

  /** Remove every dashboard and folder, and forget the request counts. */
  empty(): void {
    this.dashboards.clear()
    this.folders.clear()
    this.sortedDashboards = undefined
    this.libraryUseCache = undefined
    this.requests = {search: 0, folders: 0, dashboard: 0, save: 0, createFolder: 0, maxSearchLimit: 0, inFlight: 0, maxInFlight: 0}
  }

  /** N dashboards over a few folders (some nested), each with a few realistic panels. */
  seed(options: SeedOptions): void {
    const prefix = options.prefix ?? 'seed'
    const folderCount = options.folders ?? 6
    const panels = options.panels ?? 4
    const folderUids: string[] = []
    for (let i = 0; i < folderCount; i++) {
      const uid = `${prefix}-folder-${i}`
      // every third folder is nested in the one before it (a server without nesting shows it flat)
      const parentUid = i % 3 === 2 ? folderUids[i - 1] : undefined
      this.putFolder({uid, title: `${prefix} folder ${i}`, parentUid})
      folderUids.push(uid)
    }
    for (let j = 0; j < options.dashboards; j++) {
      const slot = j % (folderCount + 1)
      this.putDashboard({
        uid: `${prefix}-${String(j).padStart(6, '0')}`,
        title: `${prefix} dashboard ${j}`,
        folderUid: slot < folderCount ? folderUids[slot] : undefined,
        model: seedModel(j, panels),
      })
    }
  }

  putFolder(f: {uid: string; title: string; parentUid?: string}): StandinFolder {
    const now = new Date().toISOString()
    const folder: StandinFolder = {id: this.nextId++, uid: f.uid, title: f.title, ...(f.parentUid ? {parentUid: f.parentUid} : {}), version: 1, created: now, updated: now}
    this.folders.set(f.uid, folder)
    return folder
  }

  putDashboard(d: {uid: string; title: string; folderUid?: string; model?: Record<string, unknown>}): StandinDashboard {
    const now = new Date().toISOString()
    const existing = this.dashboards.get(d.uid)
    const dash: StandinDashboard = {
      id: existing?.id ?? this.nextId++,
      uid: d.uid,
      title: d.title,
      ...(d.folderUid ? {folderUid: d.folderUid} : {}),
      version: existing ? existing.version + 1 : 1,
      created: existing?.created ?? now,
      updated: now,
      model: stripIdentity(d.model ?? {schemaVersion: 39, panels: [], tags: []}),
    }
    this.dashboards.set(d.uid, dash)
    this.sortedDashboards = undefined
    this.libraryUseCache = undefined
    return dash
  }

  /** A dashboard as GET /api/dashboards/uid/:uid shows it (for tests comparing content). */
  dashboardModel(d: StandinDashboard): Record<string, unknown> {
    return {...d.model, id: d.id, uid: d.uid, title: d.title, version: d.version}
  }

  // ---- auth ------------------------------------------------------------------------------------

  /** Who the request authenticates as: a known bearer token, or a known basic-auth user. */
  authenticate(req: IncomingMessage): GrafanaAuth {
    const token = bearerToken(req)
    if (token !== undefined) return this.tokens.has(token) ? {ok: true, login: 'sa-hydra', role: this.tokenRoles[token] ?? 'Admin'} : {ok: false}
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')
      const password = rest.join(':')
      if (user && this.users[user] !== undefined && this.users[user] === password) return {ok: true, login: user, role: 'Admin'}
    }
    return {ok: false}
  }

  /** For protected routes: answers 401 as Grafana does and returns false when the request is not authenticated. */
  requireAuth(ctx: RequestContext): boolean {
    if (this.authenticate(ctx.req).ok) return true
    sendJson(ctx.res, 401, {extra: null, message: 'Unauthorized', messageId: 'auth.unauthorized', statusCode: 401, traceID: ''}, JSON_UTF8)
    return false
  }

  /** auth (401), then permissions (403, pkg/services/accesscontrol/middleware.go `deny`), then the optional delay. */
  private protectedRoute(permission: string, handler: (ctx: RequestContext) => void | Promise<void>) {
    return async (ctx: RequestContext): Promise<void> => {
      this.requests.inFlight++
      this.requests.maxInFlight = Math.max(this.requests.maxInFlight, this.requests.inFlight)
      try {
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
        if (!this.requireAuth(ctx)) return
        const auth = this.authenticate(ctx.req)
        const denied = this.deny ?? (auth.ok && !roleAllows(auth.role, permission) ? 'rbac' : null)
        if (denied === 'rbac') {
          sendJson(
            ctx.res,
            403,
            {
              title: 'Access denied',
              message: `You'll need additional permissions to perform this action. Permissions needed: ${permission}`,
              accessErrorId: 'ACE0123456789',
            },
            JSON_UTF8,
          )
          return
        }
        if (denied === 'legacy') {
          sendJson(ctx.res, 403, {message: 'Permission denied'}, JSON_UTF8)
          return
        }
        await handler(ctx)
      } finally {
        this.requests.inFlight--
      }
    }
  }

  // ---- search and folders ----------------------------------------------------------------------

  private sorted(): StandinDashboard[] {
    this.sortedDashboards ??= [...this.dashboards.values()].sort(byTitle)
    return this.sortedDashboards
  }

  private folderHit(f: StandinFolder) {
    return {
      id: f.id,
      uid: f.uid,
      orgId: 1,
      title: f.title,
      uri: `db/${slugify(f.title)}`,
      url: `/dashboards/f/${f.uid}/${slugify(f.title)}`,
      slug: '',
      type: 'dash-folder',
      tags: [],
      isStarred: false,
      ...(this.nestedFolders && f.parentUid ? {folderUid: f.parentUid, folderTitle: this.folders.get(f.parentUid)?.title ?? ''} : {}),
      sortMeta: 0,
    }
  }

  private dashboardHit(d: StandinDashboard) {
    const folder = d.folderUid ? this.folders.get(d.folderUid) : undefined
    return {
      id: d.id,
      uid: d.uid,
      orgId: 1,
      title: d.title,
      uri: `db/${slugify(d.title)}`,
      url: `/d/${d.uid}/${slugify(d.title)}`,
      slug: '',
      type: 'dash-db',
      tags: Array.isArray(d.model.tags) ? d.model.tags : [],
      isStarred: false,
      ...(folder
        ? {folderId: folder.id, folderUid: folder.uid, folderTitle: folder.title, folderUrl: `/dashboards/f/${folder.uid}/${slugify(folder.title)}`}
        : {}),
      sortMeta: 0,
    }
  }

  // GET /api/search (pkg/api/search.go): limit default 1000, above 5000 → 422; page is 1-based
  private search({res, url}: RequestContext): void {
    this.requests.search++
    const requested = intParam(url, 'limit') ?? 0
    if (requested > SEARCH_MAX_LIMIT) {
      sendJson(res, 422, {message: `Limit is above maximum allowed (${SEARCH_MAX_LIMIT}), use page parameter to access hits beyond limit`}, JSON_UTF8)
      return
    }
    const limit = requested > 0 ? requested : DEFAULT_LIMIT
    this.requests.maxSearchLimit = Math.max(this.requests.maxSearchLimit, limit)
    const page = Math.max(1, intParam(url, 'page') ?? 1)
    const type = url.searchParams.get('type')
    const query = (url.searchParams.get('query') ?? '').toLowerCase()
    const folderUids = url.searchParams.getAll('folderUIDs').flatMap((s) => s.split(',')).filter(Boolean)
    const dashboardUids = url.searchParams.getAll('dashboardUIDs').flatMap((s) => s.split(',')).filter(Boolean)
    const tags = url.searchParams.getAll('tag')
    const matches = (item: {title: string; uid: string}, folderUid: string | undefined, itemTags: unknown[]) =>
      (query === '' || item.title.toLowerCase().includes(query)) &&
      (folderUids.length === 0 || folderUids.includes(folderUid ?? 'general')) &&
      (dashboardUids.length === 0 || dashboardUids.includes(item.uid)) &&
      tags.every((t) => itemTags.includes(t))

    // folders come first, as Grafana lists them; then dashboards by title
    const start = (page - 1) * limit
    const end = start + limit
    const out: unknown[] = []
    let index = 0
    if (type !== 'dash-db') {
      for (const f of [...this.folders.values()].sort(byTitle)) {
        if (!matches(f, f.parentUid, [])) continue
        if (index >= start && index < end) out.push(this.folderHit(f))
        index++
      }
    }
    if (type !== 'dash-folder') {
      const filtered = query === '' && folderUids.length === 0 && dashboardUids.length === 0 && tags.length === 0
      const list = this.sorted()
      if (filtered) {
        // the common case (a full listing) without scanning every dashboard per page
        const from = Math.max(0, start - index)
        const to = Math.max(0, end - index)
        for (const d of list.slice(from, to)) out.push(this.dashboardHit(d))
      } else {
        for (const d of list) {
          if (!matches(d, d.folderUid, Array.isArray(d.model.tags) ? d.model.tags : [])) continue
          if (index >= start && index < end) out.push(this.dashboardHit(d))
          index++
        }
      }
    }
    sendJson(res, 200, out, JSON_UTF8)
  }

  // GET /api/folders: with nested folders, one level (the root, or parentUid's children); without, every folder
  private listFolders({res, url}: RequestContext): void {
    this.requests.folders++
    const requested = intParam(url, 'limit') ?? 0
    const limit = requested > 0 ? requested : DEFAULT_LIMIT
    const page = Math.max(1, intParam(url, 'page') ?? 1)
    const parentUid = url.searchParams.get('parentUid') ?? ''
    let list = [...this.folders.values()]
    if (this.nestedFolders) {
      if (parentUid !== '' && !this.folders.has(parentUid)) {
        sendJson(res, 404, {message: 'folder not found', status: 'not-found'}, JSON_UTF8)
        return
      }
      list = list.filter((f) => (f.parentUid ?? '') === parentUid)
    }
    const pageItems = list.sort(byTitle).slice((page - 1) * limit, page * limit)
    sendJson(
      res,
      200,
      pageItems.map((f) => ({id: f.id, uid: f.uid, title: f.title, ...(this.nestedFolders && f.parentUid ? {parentUid: f.parentUid} : {})})),
      JSON_UTF8,
    )
  }

  // POST /api/folders {uid, title, parentUid}
  private async createFolder({req, res}: RequestContext): Promise<void> {
    this.requests.createFolder++
    const body = await parseBody(req)
    if (!body) return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    const title = typeof body.title === 'string' ? body.title.trim() : ''
    const uid = typeof body.uid === 'string' && body.uid !== '' ? body.uid : randomUid()
    const parentUid = this.nestedFolders && typeof body.parentUid === 'string' && body.parentUid !== '' ? body.parentUid : undefined
    if (title === '') return sendJson(res, 400, {message: 'folder title cannot be empty'}, JSON_UTF8)
    if (!VALID_UID.test(uid)) return sendJson(res, 400, {message: 'uid contains illegal characters'}, JSON_UTF8)
    if (uid.length > 40) return sendJson(res, 400, {message: 'uid too long, max 40 characters'}, JSON_UTF8)
    if (this.folders.has(uid) || this.dashboards.has(uid))
      return sendJson(res, 409, {message: 'a folder with the same uid already exists'}, JSON_UTF8)
    if (parentUid && !this.folders.has(parentUid)) return sendJson(res, 404, {message: 'folder not found'}, JSON_UTF8)
    const sibling = [...this.folders.values()].find((f) => (f.parentUid ?? '') === (parentUid ?? '') && f.title.toLowerCase() === title.toLowerCase())
    if (sibling) return sendJson(res, 409, {message: 'a folder with the same name already exists'}, JSON_UTF8)
    const f = this.putFolder({uid, title, parentUid})
    const login = this.authenticate(req).ok ? 'sa-hydra' : 'admin'
    sendJson(
      res,
      200,
      {
        id: f.id,
        uid: f.uid,
        title: f.title,
        url: `/dashboards/f/${f.uid}/${slugify(f.title)}`,
        hasAcl: false,
        canSave: true,
        canEdit: true,
        canAdmin: true,
        canDelete: true,
        createdBy: login,
        created: f.created,
        updatedBy: login,
        updated: f.updated,
        version: f.version,
        ...(f.parentUid ? {parentUid: f.parentUid} : {}),
      },
      JSON_UTF8,
    )
  }

  // ---- dashboards ------------------------------------------------------------------------------

  // GET /api/dashboards/uid/:uid (DashboardMeta in pkg/api/dtos/dashboard.go)
  private getDashboard({res, params}: RequestContext): void {
    this.requests.dashboard++
    let uid: string
    try {
      uid = decodeURIComponent(params.uid ?? '')
    } catch {
      uid = params.uid ?? ''
    }
    const d = this.dashboards.get(uid)
    if (!d) return sendJson(res, 404, {message: 'Dashboard not found', status: 'not-found'}, JSON_UTF8)
    d.body ??= this.dashboardBody(d)
    send(res, 200, d.body, JSON_UTF8)
  }

  private dashboardBody(d: StandinDashboard): string {
    const folder = d.folderUid ? this.folders.get(d.folderUid) : undefined
    return JSON.stringify(
      {
        dashboard: this.dashboardModel(d),
        meta: {
          type: 'db',
          canSave: true,
          canEdit: true,
          canAdmin: true,
          canStar: true,
          canDelete: true,
          slug: slugify(d.title),
          url: `/d/${d.uid}/${slugify(d.title)}`,
          expires: '0001-01-01T00:00:00Z',
          created: d.created,
          updated: d.updated,
          updatedBy: 'sa-hydra',
          createdBy: 'sa-hydra',
          version: d.version,
          hasAcl: false,
          isFolder: false,
          folderId: folder?.id ?? 0,
          folderUid: folder?.uid ?? '',
          folderTitle: folder?.title ?? 'General',
          folderUrl: folder ? `/dashboards/f/${folder.uid}/${slugify(folder.title)}` : '',
          provisioned: false,
          provisionedExternalId: '',
          annotationsPermissions: {dashboard: {canAdd: true, canEdit: true, canDelete: true}, organization: {canAdd: true, canEdit: true, canDelete: true}},
        },
      },
    )
  }

  // POST /api/dashboards/db (dashboard.md; the version and title checks of the dashboard store)
  private async saveDashboard({req, res}: RequestContext): Promise<void> {
    this.requests.save++
    const body = await parseBody(req)
    const out = body ? this.saveDashboardBody(body) : {status: 400, body: {message: 'bad request data'}}
    sendJson(res, out.status, out.body, JSON_UTF8)
  }

  /** The save itself: status and body of POST /api/dashboards/db (import saves through it too). */
  saveDashboardBody(body: Record<string, unknown>): {status: number; body: unknown} {
    const res = {status: 0, body: undefined as unknown}
    const sendJson = (_r: unknown, status: number, value: unknown, _type?: string) => {
      res.status = status
      res.body = value
      return res
    }
    const model = body.dashboard
    if (!model || typeof model !== 'object' || Array.isArray(model)) return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    const dashboard = model as Record<string, unknown>
    const title = typeof dashboard.title === 'string' ? dashboard.title.trim() : ''
    if (title === '') return sendJson(res, 400, {message: 'Dashboard title cannot be empty', status: 'empty-name'}, JSON_UTF8)
    let uid = typeof dashboard.uid === 'string' && dashboard.uid !== '' ? dashboard.uid : randomUid()
    if (!VALID_UID.test(uid)) return sendJson(res, 400, {message: 'uid contains illegal characters', status: 'invalid-uid'}, JSON_UTF8)
    if (uid.length > 40) return sendJson(res, 400, {message: 'uid too long, max 40 characters', status: 'uid-too-long'}, JSON_UTF8)
    const overwrite = body.overwrite === true
    // folderUid overrides folderId; neither → the root folder
    let folderUid = typeof body.folderUid === 'string' && body.folderUid !== '' ? body.folderUid : undefined
    if (!folderUid && typeof body.folderId === 'number' && body.folderId > 0)
      folderUid = [...this.folders.values()].find((f) => f.id === body.folderId)?.uid
    if (folderUid && !this.folders.has(folderUid)) return sendJson(res, 400, {message: 'folder not found', status: 'not-found'}, JSON_UTF8)

    const existing = this.dashboards.get(uid)
    const version = typeof dashboard.version === 'number' ? dashboard.version : 0
    if (existing && !overwrite && version !== existing.version)
      return sendJson(res, 412, {message: 'The dashboard has been changed by someone else', status: 'version-mismatch'}, JSON_UTF8)
    const sameName = [...this.dashboards.values()].find(
      (d) => d.uid !== uid && (d.folderUid ?? '') === (folderUid ?? '') && d.title.toLowerCase() === title.toLowerCase(),
    )
    if (sameName) {
      if (!overwrite)
        return sendJson(res, 412, {message: 'A dashboard with the same name in the folder already exists', status: 'name-exists'}, JSON_UTF8)
      // Grafana saves over the same-named dashboard, keeping its uid (getExistingDashboardByTitleAndFolder)
      if (existing) this.dashboards.delete(existing.uid)
      uid = sameName.uid
    }
    const saved = this.putDashboard({uid, title, folderUid, model: dashboard})
    return sendJson(
      res,
      200,
      {id: saved.id, uid: saved.uid, url: `/d/${saved.uid}/${slugify(title)}`, status: 'success', version: saved.version, slug: slugify(title), ...(folderUid ? {folderUid} : {})},
      JSON_UTF8,
    )
  }

  // NotFoundHandler (pkg/api/index.go): JSON for API requests, the app's HTML shell otherwise
  protected override notFound({res, url}: RequestContext): void {
    if (url.pathname.startsWith('/api/')) sendJson(res, 404, {message: 'Not found'}, JSON_UTF8)
    else send(res, 404, '<!doctype html><html><head><title>Page not found - Grafana</title></head><body></body></html>', 'text/html; charset=UTF-8')
  }

  protected override methodNotAllowed(ctx: RequestContext): void {
    this.notFound(ctx)
  }
}

function stripIdentity(model: Record<string, unknown>): Record<string, unknown> {
  const {id: _id, uid: _uid, title: _title, version: _version, ...rest} = model
  return rest
}

async function parseBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readBody(req)) as unknown
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function randomUid(): string {
  return Math.random().toString(36).slice(2, 11) + Math.random().toString(36).slice(2, 6)
}

/** A dashboard model of a realistic size: a few time-series panels with PromQL targets. */
function seedModel(n: number, panels: number): Record<string, unknown> {
  return {
    annotations: {list: [{builtIn: 1, datasource: {type: 'grafana', uid: '-- Grafana --'}, enable: true, hide: true, name: 'Annotations & Alerts', type: 'dashboard'}]},
    editable: true,
    graphTooltip: 0,
    links: [],
    schemaVersion: 39,
    tags: ['hydra', `group-${n % 7}`],
    time: {from: 'now-6h', to: 'now'},
    timezone: 'browser',
    templating: {list: [{name: 'instance', type: 'query', query: 'label_values(up, instance)', datasource: {type: 'prometheus', uid: 'prom'}}]},
    panels: Array.from({length: panels}, (_, p) => ({
      id: p + 1,
      type: 'timeseries',
      title: `Panel ${p + 1} of dashboard ${n}`,
      gridPos: {h: 8, w: 12, x: (p % 2) * 12, y: Math.floor(p / 2) * 8},
      datasource: {type: 'prometheus', uid: 'prom'},
      fieldConfig: {defaults: {unit: 'percent', thresholds: {mode: 'absolute', steps: [{color: 'green', value: null}, {color: 'red', value: 80}]}}, overrides: []},
      options: {legend: {displayMode: 'list', placement: 'bottom', showLegend: true}, tooltip: {mode: 'single', sort: 'none'}},
      targets: [{refId: 'A', expr: `100 - (avg by (instance) (rate(node_cpu_seconds_total{mode="idle",instance=~"$instance"}[5m])) * 100) + ${p}`, legendFormat: '{{instance}}'}],
    })),
  }
}

/** A timeseries panel on the default Prometheus data source. */
function promPanel(id: number, title: string, exprs: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'timeseries',
    title,
    gridPos: {h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8},
    datasource: {type: 'prometheus', uid: 'prometheus'},
    targets: exprs.map((expr, i) => ({refId: String.fromCharCode(65 + i), expr, legendFormat: '{{instance}}'})),
    ...extra,
  }
}

/** The runbook's "GPU Overview" dashboard: the nvidia_gpu_* names no exporter of this cluster serves. */
function runbookGpuDashboard(): Record<string, unknown> {
  return {
    schemaVersion: 39,
    tags: ['hydra', 'gpu'],
    time: {from: 'now-6h', to: 'now'},
    templating: {list: [{name: 'instance', type: 'query', query: 'label_values(up, instance)', datasource: {type: 'prometheus', uid: 'prometheus'}}]},
    panels: [
      promPanel(1, 'GPU temperature', ['nvidia_gpu_temperature_celsius{instance=~"$instance"}'], {fieldConfig: {defaults: {unit: 'celsius'}, overrides: []}}),
      promPanel(2, 'GPU power', ['nvidia_gpu_power_draw_watts{instance=~"$instance"}']),
      {
        id: 3,
        type: 'row',
        title: 'Memory',
        collapsed: true,
        gridPos: {h: 1, w: 24, x: 0, y: 16},
        panels: [promPanel(4, 'VRAM used', ['nvidia_smi_memory_used_bytes / nvidia_smi_memory_total_bytes * 100'])],
      },
      promPanel(5, 'Node CPU', ['100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",instance=~"$instance"}[$__rate_interval])) * 100']),
      {...promPanel(6, 'Old Prometheus', ['up']), datasource: {type: 'prometheus', uid: 'prometheus-old'}},
    ],
  }
}

/** A slice of grafana.com dashboard 1860 as imported: gnetId kept, node_* queries on the default data source. */
function nodeExporterFullDashboard(): Record<string, unknown> {
  return {
    gnetId: 1860,
    schemaVersion: 39,
    tags: ['linux'],
    time: {from: 'now-24h', to: 'now'},
    templating: {
      list: [
        {name: 'job', type: 'query', query: 'label_values(node_uname_info, job)', datasource: {type: 'prometheus', uid: 'prometheus'}},
        {name: 'node', type: 'query', query: 'label_values(node_uname_info{job="$job"}, instance)', datasource: {type: 'prometheus', uid: 'prometheus'}},
      ],
    },
    panels: [
      promPanel(1, 'CPU Busy', ['100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle", instance="$node"}[$__rate_interval])))']),
      promPanel(2, 'RAM Used', ['(1 - (node_memory_MemAvailable_bytes{instance="$node", job="$job"} / node_memory_MemTotal_bytes{instance="$node", job="$job"})) * 100']),
      promPanel(3, 'Root FS Used', ['100 - ((node_filesystem_avail_bytes{instance="$node",job="$job",mountpoint="/",fstype!="rootfs"} * 100) / node_filesystem_size_bytes{instance="$node",job="$job",mountpoint="/",fstype!="rootfs"})']),
      {id: 4, title: 'CPU busy', gridPos: {h: 8, w: 12, x: 0, y: 16}, libraryPanel: {uid: 'lib-cpu-busy', name: 'CPU busy'}},
    ],
  }
}
