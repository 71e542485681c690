// The rest of the Grafana stand-in's API (api-facts.md §12 and Grafana's HTTP API reference):
// data sources (list, by uid, create, update, delete, the Grafana 9+ health check, which really
// queries the data source's URL from the stand-in, as Grafana's backend does), dashboard import
// with `inputs` (`${DS_X}` substitution, "missing from import command"), the grafana.com proxy
// (`/api/gnet/dashboards/:id`: the lab has no internet, so the reverse proxy answers 502), library
// elements (paged list, get, create, patch with version, delete refused while connected) and the
// alerting provisioning API (alert rules, contact points with secrets redacted, the policy tree).
// Permissions follow the default basic roles (api-facts.md §12 "Roles for a client token").
import {randomBytes} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

import {readBody, sendJson, type RequestContext} from './standin.js'

export type GrafanaRole = 'Viewer' | 'Editor' | 'Admin'

export const JSON_UTF8 = 'application/json; charset=UTF-8'

/** The least basic role holding each permission the routes check (rbac fixed basic role definitions, v9–v11). */
export const PERMISSION_ROLE: Record<string, GrafanaRole> = {
  'dashboards:read': 'Viewer',
  'folders:read': 'Viewer',
  'datasources:query': 'Viewer',
  'library.panels:read': 'Viewer',
  'dashboards:write': 'Editor',
  'dashboards:create': 'Editor',
  'folders:create': 'Editor',
  'library.panels:create': 'Editor',
  'library.panels:write': 'Editor',
  'library.panels:delete': 'Editor',
  'alert.provisioning:read': 'Admin',
  'alert.provisioning:write': 'Admin',
  'alert.rules:read': 'Editor',
  'alert.rules:write': 'Editor',
  'datasources:read': 'Admin',
  'datasources:write': 'Admin',
  'datasources:create': 'Admin',
  'datasources:delete': 'Admin',
}

const RANK: Record<GrafanaRole, number> = {Viewer: 1, Editor: 2, Admin: 3}

export function roleAllows(role: GrafanaRole, permission: string): boolean {
  return RANK[role] >= RANK[PERMISSION_ROLE[permission] ?? 'Admin']
}

export interface StandinDatasource {
  id: number
  uid: string
  orgId: number
  name: string
  type: string
  access: string
  url: string
  user: string
  database: string
  basicAuth: boolean
  basicAuthUser: string
  withCredentials: boolean
  isDefault: boolean
  jsonData: Record<string, unknown>
  /** never returned: reads show only secureJsonFields */
  secureJsonData: Record<string, string>
  readOnly: boolean
  version: number
}

export interface StandinLibraryElement {
  id: number
  uid: string
  folderUid: string
  name: string
  kind: number
  type: string
  description: string
  model: Record<string, unknown>
  version: number
  created: string
  updated: string
}

export interface StandinContactPoint {
  uid: string
  name: string
  type: string
  settings: Record<string, unknown>
  /** secret settings (kept server-side, shown as [REDACTED]) */
  secureSettings: Record<string, string>
  disableResolveMessage: boolean
}

export type StandinAlertRule = Record<string, unknown> & {uid: string; title: string; folderUID: string; ruleGroup: string}

/** Setting keys each integration keeps encrypted (pkg/services/ngalert/notifier/channels_config). */
const SECRET_SETTINGS: Record<string, string[]> = {
  webhook: ['password', 'authorization_credentials'],
  slack: ['url', 'token'],
  telegram: ['bottoken'],
  pagerduty: ['integrationKey'],
  discord: [],
  email: [],
}

const DEFAULT_POLICY = {receiver: 'grafana-default-email', group_by: ['grafana_folder', 'alertname']}

export function randomUid(): string {
  return randomBytes(7).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 14)
}

export async function parseJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readBody(req)) as unknown
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Replace every `${NAME}` of the inputs in a dashboard model (utils/dash_template_evaluator.go). */
function evaluateTemplate(value: unknown, inputs: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => inputs.get(name) ?? whole)
  if (Array.isArray(value)) return value.map((v) => evaluateTemplate(v, inputs))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = evaluateTemplate(v, inputs)
    return out
  }
  return value
}

export interface ImportOutcome {
  status: number
  body: unknown
}

/** What the Grafana stand-in offers this module. */
export interface GrafanaHost {
  nextId(): number
  hasFolder(uid: string): boolean
  folderTitle(uid: string): string | undefined
  /** save a dashboard as POST /api/dashboards/db would (status + body of that call) */
  saveDashboard(body: Record<string, unknown>): ImportOutcome
  dashboardsUsingLibraryPanel(uid: string): number
}

export class GrafanaObjects {
  readonly datasources = new Map<string, StandinDatasource>()
  readonly library = new Map<string, StandinLibraryElement>()
  readonly rules = new Map<string, StandinAlertRule>()
  readonly contactPoints = new Map<string, StandinContactPoint>()
  policies: Record<string, unknown> = {...DEFAULT_POLICY}
  requests = {health: 0, imports: 0, gnet: 0}

  constructor(private readonly host: GrafanaHost) {}

  emptyAll(): void {
    this.datasources.clear()
    this.library.clear()
    this.rules.clear()
    this.contactPoints.clear()
    this.policies = {...DEFAULT_POLICY}
  }

  // ---- data sources --------------------------------------------------------------------------

  putDatasource(d: Partial<StandinDatasource> & {name: string; type: string; url?: string}): StandinDatasource {
    const uid = d.uid ?? randomUid()
    const existing = this.datasources.get(uid)
    const ds: StandinDatasource = {
      id: existing?.id ?? this.host.nextId(),
      uid,
      orgId: 1,
      name: d.name,
      type: d.type,
      access: d.access ?? 'proxy',
      url: d.url ?? '',
      user: d.user ?? '',
      database: d.database ?? '',
      basicAuth: d.basicAuth ?? false,
      basicAuthUser: d.basicAuthUser ?? '',
      withCredentials: d.withCredentials ?? false,
      isDefault: d.isDefault ?? false,
      jsonData: d.jsonData ?? {},
      secureJsonData: {...existing?.secureJsonData, ...d.secureJsonData},
      readOnly: d.readOnly ?? false,
      version: existing ? existing.version + 1 : 1,
    }
    if (ds.isDefault) for (const other of this.datasources.values()) other.isDefault = false
    this.datasources.set(uid, ds)
    return ds
  }

  /** GET /api/datasources item (DataSourceListItemDTO) */
  datasourceListItem(d: StandinDatasource) {
    return {
      id: d.id,
      uid: d.uid,
      orgId: d.orgId,
      name: d.name,
      type: d.type,
      typeName: d.type === 'prometheus' ? 'Prometheus' : d.type === 'loki' ? 'Loki' : d.type,
      typeLogoUrl: `public/app/plugins/datasource/${d.type}/img/${d.type}_icon.svg`,
      access: d.access,
      url: d.url,
      user: d.user,
      database: d.database,
      basicAuth: d.basicAuth,
      isDefault: d.isDefault,
      jsonData: d.jsonData,
      readOnly: d.readOnly,
    }
  }

  /** GET /api/datasources/uid/:uid (dtos.DataSource): secrets only as secureJsonFields */
  datasourceDetail(d: StandinDatasource) {
    const {typeName: _t, ...item} = this.datasourceListItem(d)
    return {
      ...item,
      basicAuthUser: d.basicAuthUser,
      withCredentials: d.withCredentials,
      secureJsonFields: Object.fromEntries(Object.keys(d.secureJsonData).map((k) => [k, true])),
      version: d.version,
    }
  }

  listDatasources({res}: RequestContext): void {
    const list = [...this.datasources.values()].sort((a, b) => a.name.localeCompare(b.name))
    sendJson(res, 200, list.map((d) => this.datasourceListItem(d)), JSON_UTF8)
  }

  getDatasource({res, params}: RequestContext): void {
    const d = this.datasources.get(decodeURIComponent(params.uid ?? ''))
    if (!d) return sendJson(res, 404, {message: 'Data source not found'}, JSON_UTF8)
    sendJson(res, 200, this.datasourceDetail(d), JSON_UTF8)
  }

  async createDatasource({req, res}: RequestContext): Promise<void> {
    const body = await parseJson(req)
    if (!body || typeof body.name !== 'string' || body.name === '' || typeof body.type !== 'string')
      return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    if ([...this.datasources.values()].some((d) => d.name === body.name))
      return sendJson(res, 409, {message: 'data source with the same name already exists'}, JSON_UTF8)
    if (typeof body.uid === 'string' && this.datasources.has(body.uid))
      return sendJson(res, 409, {message: 'data source with the same uid already exists'}, JSON_UTF8)
    const d = this.putDatasource(body as Partial<StandinDatasource> & {name: string; type: string})
    sendJson(res, 200, {datasource: this.datasourceDetail(d), id: d.id, message: 'Datasource added', name: d.name}, JSON_UTF8)
  }

  async updateDatasource({req, res, params}: RequestContext): Promise<void> {
    const uid = decodeURIComponent(params.uid ?? '')
    const existing = this.datasources.get(uid)
    if (!existing) return sendJson(res, 404, {message: 'Data source not found'}, JSON_UTF8)
    const body = await parseJson(req)
    if (!body || typeof body.name !== 'string' || typeof body.type !== 'string') return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    if (existing.readOnly) return sendJson(res, 403, {message: 'Cannot update read-only data source'}, JSON_UTF8)
    const d = this.putDatasource({...(body as Partial<StandinDatasource> & {name: string; type: string}), uid})
    sendJson(res, 200, {datasource: this.datasourceDetail(d), id: d.id, message: 'Datasource updated', name: d.name}, JSON_UTF8)
  }

  deleteDatasource({res, params}: RequestContext): void {
    const uid = decodeURIComponent(params.uid ?? '')
    if (!this.datasources.delete(uid)) return sendJson(res, 404, {message: 'Data source not found'}, JSON_UTF8)
    sendJson(res, 200, {message: 'Data source deleted'}, JSON_UTF8)
  }

  /**
   * GET /api/datasources/uid/:uid/health (Grafana 9+). The stand-in does what the plugin backend
   * does: Prometheus queries `1+1` (pkg/tsdb/prometheus/healthcheck.go), Loki asks for labels;
   * other types have no backend check.
   */
  async datasourceHealth({res, params}: RequestContext, grafanaMajor: number): Promise<void> {
    this.requests.health++
    if (grafanaMajor < 9) return sendJson(res, 404, {message: 'Not found'}, JSON_UTF8)
    const d = this.datasources.get(decodeURIComponent(params.uid ?? ''))
    if (!d) return sendJson(res, 404, {message: 'Data source not found'}, JSON_UTF8)
    if (d.type !== 'prometheus' && d.type !== 'loki')
      return sendJson(res, 500, {message: 'Plugin unavailable', messageId: 'plugin.unavailable', statusCode: 500, traceID: ''}, JSON_UTF8)
    const base = d.url.replace(/\/+$/, '')
    const headers: Record<string, string> = {}
    const headerName = d.jsonData.httpHeaderName1
    if (typeof headerName === 'string' && d.secureJsonData.httpHeaderValue1 !== undefined) headers[headerName] = d.secureJsonData.httpHeaderValue1
    if (d.type === 'prometheus') {
      const target = `${base}/api/v1/query`
      try {
        const r = await fetch(target, {
          method: 'POST',
          headers: {...headers, 'content-type': 'application/x-www-form-urlencoded'},
          body: `query=1%2B1&time=${Math.floor(Date.now() / 1000)}`,
          signal: AbortSignal.timeout(3000),
        })
        await r.arrayBuffer()
        if (!r.ok) throw new Error(`${r.status} ${r.statusText}`)
        sendJson(res, 200, {status: 'OK', message: 'Successfully queried the Prometheus API.', details: {application: 'prometheus', features: {rulerEnabled: false}}}, JSON_UTF8)
      } catch (error) {
        sendJson(res, 400, {status: 'ERROR', message: `${goError('Post', target, error)} - There was an error returned querying the Prometheus API.`}, JSON_UTF8)
      }
      return
    }
    const target = `${base}/loki/api/v1/labels`
    try {
      const r = await fetch(target, {headers, signal: AbortSignal.timeout(3000)})
      await r.arrayBuffer()
      if (!r.ok) throw new Error(`${r.status} ${r.statusText}`)
      sendJson(res, 200, {status: 'OK', message: 'Data source successfully connected.'}, JSON_UTF8)
    } catch {
      sendJson(res, 400, {status: 'ERROR', message: 'Unable to connect with Loki. Please check the server logs for more details.'}, JSON_UTF8)
    }
  }

  // ---- import and grafana.com ----------------------------------------------------------------

  /** POST /api/dashboards/import (pkg/services/dashboardimport/service/service.go) */
  async importDashboard({req, res}: RequestContext): Promise<void> {
    this.requests.imports++
    const body = await parseJson(req)
    if (!body) return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    if (typeof body.pluginId === 'string' && body.pluginId !== '')
      return sendJson(res, 404, {message: `Plugin not found: ${body.pluginId}`}, JSON_UTF8)
    const dashboard = body.dashboard
    if (!dashboard || typeof dashboard !== 'object' || Array.isArray(dashboard)) return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    const model = {...(dashboard as Record<string, unknown>)}
    const declared = Array.isArray(model.__inputs) ? (model.__inputs as Record<string, unknown>[]) : []
    const given = Array.isArray(body.inputs) ? (body.inputs as Record<string, unknown>[]) : []
    const values = new Map<string, string>()
    for (const input of declared) {
      const name = String(input.name ?? '')
      const match = given.find((g) => g.type === input.type && (g.name === name || g.name === '*'))
      if (!match) return sendJson(res, 500, {message: `Dashboard input variable: ${name} missing from import command`}, JSON_UTF8)
      values.set(name, String(match.value ?? ''))
    }
    delete model.__inputs
    delete model.__requires
    delete model.__elements
    const evaluated = evaluateTemplate(model, values) as Record<string, unknown>
    evaluated.id = null
    const folderUid = typeof body.folderUid === 'string' ? body.folderUid : undefined
    const saved = this.host.saveDashboard({dashboard: evaluated, overwrite: body.overwrite === true, ...(folderUid ? {folderUid} : {})})
    if (saved.status !== 200) return sendJson(res, saved.status, saved.body, JSON_UTF8)
    const s = saved.body as {id: number; uid: string; url: string; slug: string}
    sendJson(
      res,
      200,
      {
        uid: s.uid,
        pluginId: '',
        title: String(evaluated.title ?? ''),
        imported: true,
        importedUri: `db/${s.slug}`,
        importedUrl: s.url,
        slug: s.slug,
        dashboardId: s.id,
        folderId: 0,
        folderUid: folderUid ?? '',
        description: String(evaluated.description ?? ''),
        path: '',
        removed: false,
      },
      JSON_UTF8,
    )
  }

  /** GET /api/gnet/dashboards/:id: a reverse proxy to grafana.com; the lab has no internet, so the proxy's 502 */
  gnet({res}: RequestContext): void {
    this.requests.gnet++
    res.writeHead(502, {'Content-Length': '0'})
    res.end()
  }

  // ---- library elements ------------------------------------------------------------------------

  libraryElementDto(e: StandinLibraryElement) {
    return {
      id: e.id,
      orgId: 1,
      folderId: 0,
      folderUid: e.folderUid,
      uid: e.uid,
      name: e.name,
      kind: e.kind,
      type: e.type,
      description: e.description,
      model: {...e.model, libraryPanel: {uid: e.uid, name: e.name}},
      version: e.version,
      meta: {
        folderName: e.folderUid ? (this.host.folderTitle(e.folderUid) ?? '') : 'General',
        folderUid: e.folderUid,
        connectedDashboards: this.host.dashboardsUsingLibraryPanel(e.uid),
        created: e.created,
        updated: e.updated,
        createdBy: {avatarUrl: '', id: 1, name: 'sa-hydra'},
        updatedBy: {avatarUrl: '', id: 1, name: 'sa-hydra'},
      },
    }
  }

  putLibraryElement(e: {uid?: string; folderUid?: string; name: string; model: Record<string, unknown>; kind?: number}): StandinLibraryElement {
    const now = new Date().toISOString()
    const uid = e.uid ?? randomUid()
    const {libraryPanel: _lp, ...model} = e.model
    const el: StandinLibraryElement = {
      id: this.host.nextId(),
      uid,
      folderUid: e.folderUid ?? '',
      name: e.name,
      kind: e.kind ?? 1,
      type: typeof model.type === 'string' ? model.type : 'timeseries',
      description: typeof model.description === 'string' ? model.description : '',
      model,
      version: 1,
      created: now,
      updated: now,
    }
    this.library.set(uid, el)
    return el
  }

  listLibrary({res, url}: RequestContext): void {
    const perPage = Math.max(1, Number(url.searchParams.get('perPage')) || 100)
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1)
    const search = (url.searchParams.get('searchString') ?? '').toLowerCase()
    const kind = url.searchParams.get('kind')
    const dir = url.searchParams.get('sortDirection') === 'alpha-desc' ? -1 : 1
    const all = [...this.library.values()]
      .filter((e) => (search === '' || e.name.toLowerCase().includes(search)) && (kind === null || String(e.kind) === kind))
      .sort((a, b) => dir * a.name.localeCompare(b.name))
    const elements = all.slice((page - 1) * perPage, page * perPage).map((e) => this.libraryElementDto(e))
    sendJson(res, 200, {result: {totalCount: all.length, page, perPage, elements}}, JSON_UTF8)
  }

  getLibrary({res, params}: RequestContext): void {
    const e = this.library.get(decodeURIComponent(params.uid ?? ''))
    if (!e) return sendJson(res, 404, {message: 'library element could not be found'}, JSON_UTF8)
    sendJson(res, 200, {result: this.libraryElementDto(e)}, JSON_UTF8)
  }

  async createLibrary({req, res}: RequestContext): Promise<void> {
    const body = await parseJson(req)
    if (!body || typeof body.name !== 'string' || body.name === '' || !body.model || typeof body.model !== 'object')
      return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    const uid = typeof body.uid === 'string' && body.uid !== '' ? body.uid : undefined
    if (uid && this.library.has(uid)) return sendJson(res, 400, {message: 'library element with that uid already exists'}, JSON_UTF8)
    const folderUid = typeof body.folderUid === 'string' ? body.folderUid : ''
    if (folderUid && !this.host.hasFolder(folderUid)) return sendJson(res, 400, {message: 'folder not found'}, JSON_UTF8)
    if ([...this.library.values()].some((e) => e.name === body.name && e.folderUid === folderUid))
      return sendJson(res, 400, {message: 'library element with that name already exists'}, JSON_UTF8)
    const e = this.putLibraryElement({uid, folderUid, name: body.name, model: body.model as Record<string, unknown>, kind: Number(body.kind) || 1})
    sendJson(res, 200, {result: this.libraryElementDto(e)}, JSON_UTF8)
  }

  async patchLibrary({req, res, params}: RequestContext): Promise<void> {
    const e = this.library.get(decodeURIComponent(params.uid ?? ''))
    if (!e) return sendJson(res, 404, {message: 'library element could not be found'}, JSON_UTF8)
    const body = await parseJson(req)
    if (!body) return sendJson(res, 400, {message: 'bad request data'}, JSON_UTF8)
    if (body.version !== e.version) return sendJson(res, 412, {message: 'the library element has been changed by someone else'}, JSON_UTF8)
    if (typeof body.name === 'string') e.name = body.name
    if (typeof body.folderUid === 'string') e.folderUid = body.folderUid
    if (body.model && typeof body.model === 'object') {
      const {libraryPanel: _lp, ...model} = body.model as Record<string, unknown>
      e.model = model
    }
    e.version++
    e.updated = new Date().toISOString()
    sendJson(res, 200, {result: this.libraryElementDto(e)}, JSON_UTF8)
  }

  deleteLibrary({res, params}: RequestContext): void {
    const uid = decodeURIComponent(params.uid ?? '')
    const e = this.library.get(uid)
    if (!e) return sendJson(res, 404, {message: 'library element could not be found'}, JSON_UTF8)
    if (this.host.dashboardsUsingLibraryPanel(uid) > 0)
      return sendJson(res, 403, {message: 'the library element has connections'}, JSON_UTF8)
    this.library.delete(uid)
    sendJson(res, 200, {message: 'Library element deleted', id: e.id}, JSON_UTF8)
  }

  // ---- alerting provisioning -------------------------------------------------------------------

  putRule(rule: Partial<StandinAlertRule> & {title: string; folderUID: string; ruleGroup: string}, provenance = 'api'): StandinAlertRule {
    const uid = typeof rule.uid === 'string' && rule.uid !== '' ? rule.uid : randomUid()
    const existing = this.rules.get(uid)
    const r: StandinAlertRule = {
      id: existing?.id ?? this.host.nextId(),
      uid,
      orgID: 1,
      folderUID: rule.folderUID,
      ruleGroup: rule.ruleGroup,
      title: rule.title,
      condition: rule.condition ?? 'A',
      data: rule.data ?? [],
      updated: new Date().toISOString(),
      noDataState: rule.noDataState ?? 'NoData',
      execErrState: rule.execErrState ?? 'Error',
      for: rule.for ?? '0s',
      annotations: rule.annotations ?? {},
      labels: rule.labels ?? {},
      isPaused: rule.isPaused ?? false,
      provenance,
    }
    this.rules.set(uid, r)
    return r
  }

  private validateRule(body: Record<string, unknown> | undefined): string | undefined {
    if (!body) return 'invalid alert rule: bad request data'
    if (typeof body.title !== 'string' || body.title === '') return 'invalid alert rule: title is empty'
    if (typeof body.folderUID !== 'string' || !this.host.hasFolder(body.folderUID)) return 'invalid alert rule: folder does not exist'
    if (typeof body.ruleGroup !== 'string' || body.ruleGroup === '') return 'invalid alert rule: rule group is empty'
    if (!Array.isArray(body.data) || body.data.length === 0) return 'invalid alert rule: no queries or expressions are found'
    return undefined
  }

  listRules({res}: RequestContext): void {
    sendJson(res, 200, [...this.rules.values()].sort((a, b) => a.title.localeCompare(b.title)), JSON_UTF8)
  }

  getRule({res, params}: RequestContext): void {
    const r = this.rules.get(decodeURIComponent(params.uid ?? ''))
    if (!r) return sendJson(res, 404, {message: 'rule not found'}, JSON_UTF8)
    sendJson(res, 200, r, JSON_UTF8)
  }

  async createRule({req, res}: RequestContext): Promise<void> {
    const body = await parseJson(req)
    const invalid = this.validateRule(body)
    if (invalid) return sendJson(res, 400, {message: invalid, messageId: 'alerting.ValidationError'}, JSON_UTF8)
    if (typeof body!.uid === 'string' && this.rules.has(body!.uid)) return sendJson(res, 409, {message: 'a rule with this UID already exists'}, JSON_UTF8)
    const r = this.putRule(body as StandinAlertRule, req.headers['x-disable-provenance'] ? '' : 'api')
    sendJson(res, 201, r, JSON_UTF8)
  }

  async updateRule({req, res, params}: RequestContext): Promise<void> {
    const uid = decodeURIComponent(params.uid ?? '')
    if (!this.rules.has(uid)) return sendJson(res, 404, {message: 'rule not found'}, JSON_UTF8)
    const body = await parseJson(req)
    const invalid = this.validateRule(body)
    if (invalid) return sendJson(res, 400, {message: invalid, messageId: 'alerting.ValidationError'}, JSON_UTF8)
    sendJson(res, 200, this.putRule({...(body as StandinAlertRule), uid}, req.headers['x-disable-provenance'] ? '' : 'api'), JSON_UTF8)
  }

  deleteRule({res, params}: RequestContext): void {
    this.rules.delete(decodeURIComponent(params.uid ?? ''))
    res.writeHead(204)
    res.end()
  }

  putContactPoint(c: {uid?: string; name: string; type: string; settings: Record<string, unknown>; disableResolveMessage?: boolean}): StandinContactPoint {
    const secretKeys = SECRET_SETTINGS[c.type] ?? []
    const settings: Record<string, unknown> = {}
    const secureSettings: Record<string, string> = {}
    for (const [k, v] of Object.entries(c.settings)) {
      if (secretKeys.includes(k) && typeof v === 'string') secureSettings[k] = v
      else settings[k] = v
    }
    const cp: StandinContactPoint = {uid: c.uid ?? randomUid(), name: c.name, type: c.type, settings, secureSettings, disableResolveMessage: c.disableResolveMessage ?? false}
    this.contactPoints.set(cp.uid, cp)
    return cp
  }

  /** contact points as the provisioning API shows them: every secret setting "[REDACTED]" */
  contactPointDto(c: StandinContactPoint) {
    return {
      uid: c.uid,
      name: c.name,
      type: c.type,
      settings: {...c.settings, ...Object.fromEntries(Object.keys(c.secureSettings).map((k) => [k, '[REDACTED]']))},
      disableResolveMessage: c.disableResolveMessage,
    }
  }

  listContactPoints({res, url}: RequestContext): void {
    const name = url.searchParams.get('name')
    const list = [...this.contactPoints.values()].filter((c) => name === null || c.name === name).sort((a, b) => a.name.localeCompare(b.name))
    sendJson(res, 200, list.map((c) => this.contactPointDto(c)), JSON_UTF8)
  }

  async createContactPoint({req, res}: RequestContext): Promise<void> {
    const body = await parseJson(req)
    if (!body || typeof body.name !== 'string' || body.name === '' || typeof body.type !== 'string' || !body.settings || typeof body.settings !== 'object')
      return sendJson(res, 400, {message: 'invalid object specification: bad request data', messageId: 'alerting.ValidationError'}, JSON_UTF8)
    if (!(body.type in SECRET_SETTINGS)) return sendJson(res, 400, {message: `invalid object specification: unknown integration type ${body.type}`}, JSON_UTF8)
    if (typeof body.uid === 'string' && this.contactPoints.has(body.uid)) return sendJson(res, 400, {message: 'contact point with this UID already exists'}, JSON_UTF8)
    const cp = this.putContactPoint(body as {name: string; type: string; settings: Record<string, unknown>})
    sendJson(res, 202, this.contactPointDto(cp), JSON_UTF8)
  }

  async updateContactPoint({req, res, params}: RequestContext): Promise<void> {
    const uid = decodeURIComponent(params.uid ?? '')
    const existing = this.contactPoints.get(uid)
    if (!existing) return sendJson(res, 404, {message: 'contact point not found'}, JSON_UTF8)
    const body = await parseJson(req)
    if (!body || typeof body.name !== 'string' || typeof body.type !== 'string' || !body.settings || typeof body.settings !== 'object')
      return sendJson(res, 400, {message: 'invalid object specification: bad request data'}, JSON_UTF8)
    // "[REDACTED]" keeps the stored secret, as Grafana does
    const settings = {...(body.settings as Record<string, unknown>)}
    for (const [k, v] of Object.entries(settings)) if (v === '[REDACTED]' && existing.secureSettings[k] !== undefined) settings[k] = existing.secureSettings[k]
    this.putContactPoint({...(body as {name: string; type: string}), settings, uid})
    sendJson(res, 202, {message: 'contactpoint updated'}, JSON_UTF8)
  }

  deleteContactPoint({res, params}: RequestContext): void {
    this.contactPoints.delete(decodeURIComponent(params.uid ?? ''))
    res.writeHead(202, {'Content-Type': JSON_UTF8})
    res.end(JSON.stringify({message: 'contactpoint deleted'}))
  }

  getPolicies({res}: RequestContext): void {
    sendJson(res, 200, this.policies, JSON_UTF8)
  }

  async putPolicies({req, res}: RequestContext): Promise<void> {
    const body = await parseJson(req)
    if (!body || typeof body.receiver !== 'string') return sendJson(res, 400, {message: 'invalid object specification: root route must have a receiver'}, JSON_UTF8)
    const known = new Set(['grafana-default-email', ...[...this.contactPoints.values()].map((c) => c.name)])
    const missing = receiversOf(body).find((r) => !known.has(r))
    if (missing) return sendJson(res, 400, {message: `invalid object specification: receiver '${missing}' does not exist`}, JSON_UTF8)
    this.policies = body
    sendJson(res, 202, {message: 'policies updated'}, JSON_UTF8)
  }

  deletePolicies({res}: RequestContext): void {
    this.policies = {...DEFAULT_POLICY}
    sendJson(res, 202, {message: 'policies resetted'}, JSON_UTF8)
  }
}

function receiversOf(route: Record<string, unknown>): string[] {
  const out = typeof route.receiver === 'string' ? [route.receiver] : []
  for (const r of Array.isArray(route.routes) ? route.routes : []) if (r && typeof r === 'object') out.push(...receiversOf(r as Record<string, unknown>))
  return out
}

/** How Go's http client words a failed request: `Post "http://…": dial tcp …: connect: connection refused`. */
function goError(method: string, target: string, error: unknown): string {
  const cause = (error as {cause?: {code?: string; address?: string; port?: number}}).cause
  const u = new URL(target)
  if (cause?.code === 'ECONNREFUSED') return `${method} "${target}": dial tcp ${u.host}: connect: connection refused`
  if (cause?.code === 'ENOTFOUND') return `${method} "${target}": dial tcp: lookup ${u.hostname}: no such host`
  if ((error as Error).name === 'TimeoutError') return `${method} "${target}": context deadline exceeded`
  return `${method} "${target}": ${(error as Error).message}`
}
