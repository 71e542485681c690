/**
 * The Grafana HTTP API calls hydra needs (api-facts.md §2): health, search (type=dash-db, paged),
 * folders (paged, nested through parentUid), one dashboard by uid, saving a dashboard and creating
 * a folder. A refused credential (401/403) becomes an AuthError naming the credential that was
 * tried (never its value) and what the server said.
 */
import {clientForEndpoint, httpError, isHttpError, parseJsonBody, type HttpClient, type HttpResponse, type RequestOptions} from '../clients/http/index.js'
import {responseError} from '../clients/http/body.js'
import {statusError} from '../clients/http/classify.js'
import type {ResolvedEndpoint} from '../config/resolve.js'
import {AuthError, OperationError, UserError} from '../errors.js'
import {describeSecretRef, redact} from '../secrets.js'
import type {FolderEntry} from './folders.js'
import {GRAFANA_DEFAULT_LIMIT, pageAll} from './paging.js'

export type GrafanaEndpoint = ResolvedEndpoint & {orgId?: number}

/** Cancellation and a time budget for one call (a doctor check passes its own). */
export type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>

export interface GrafanaHealth {
  version?: string
  commit?: string
  database?: string
}

/** The fields of a search hit (`Hit` in pkg/services/search/model/model.go) that hydra uses. */
export interface DashboardHit {
  uid: string
  title: string
  folderUid?: string
  folderTitle?: string
  /** the search's tags (listDashboards uses them to pick which models to open) */
  tags?: string[]
}

export interface DashboardDocument {
  dashboard: Record<string, unknown> & {uid?: unknown; title?: unknown; id?: unknown; version?: unknown}
  meta: Record<string, unknown> & {folderUid?: unknown; folderTitle?: unknown}
}

export interface FetchedDashboard {
  /** the response body exactly as Grafana sent it: what a backup stores and hashes */
  raw: Buffer
  doc: DashboardDocument
}

export interface SaveDashboardRequest {
  dashboard: Record<string, unknown>
  folderUid?: string
  overwrite: boolean
  message: string
}

export type SaveDashboardResult =
  | {ok: true; uid: string; version?: number}
  /** Grafana refused this one dashboard: 412 version-mismatch / name-exists, 400, 404 … */
  | {ok: false; status: number; grafanaStatus?: string; message: string}

/** A dashboard that is not (or no longer) there. */
export class DashboardNotFoundError extends OperationError {
  constructor(readonly uid: string) {
    super('grafana_dashboard_not_found', `dashboard ${uid} not found`)
  }
}

/** The config's Grafana, or a usage error saying how to add it. */
export function requireGrafana<G extends GrafanaEndpoint>(grafana: G | undefined): G {
  if (!grafana) throw new UserError('services.grafana is not in the config', {hint: 'add services.grafana (node and port, or url) with its auth'})
  return grafana
}

/** Which credential a Grafana endpoint uses, by reference only. */
export function describeGrafanaCredential(endpoint: Pick<ResolvedEndpoint, 'auth'>): string {
  const a = endpoint.auth
  if (!a) return 'no credentials (services.grafana.auth is not set)'
  const hasPassword = a.passwordEnv !== undefined || a.passwordFile !== undefined
  const type = a.type ?? (hasPassword || a.username ? 'basic' : 'bearer')
  if (type === 'basic') return `basic auth as ${a.username ?? '(no user)'} with the password from ${describeSecretRef({env: a.passwordEnv, file: a.passwordFile})}`
  return `the token from ${describeSecretRef({env: a.tokenEnv, file: a.tokenFile})}`
}

/** The `message` of a Grafana error body, if it has one. */
export function grafanaErrorMessage(body: string | undefined): {message?: string; status?: string} {
  if (!body) return {}
  try {
    const parsed = JSON.parse(body) as {message?: unknown; status?: unknown}
    return {
      message: typeof parsed.message === 'string' ? parsed.message : undefined,
      status: typeof parsed.status === 'string' ? parsed.status : undefined,
    }
  } catch {
    return {message: body.trim().split('\n')[0]?.slice(0, 200)}
  }
}

/**
 * A bad status whose body is Grafana's JSON error ({"message": "database is locked"}): the same
 * error (cause, code, URL, body), its summary Grafana's words instead of the raw JSON
 * ("Grafana answered 500: database is locked"). Anything else is returned as it is.
 */
export function withGrafanaMessage(error: unknown): unknown {
  if (!isHttpError(error) || error.failure !== 'http_status' || error.status === undefined || !error.body?.trimStart().startsWith('{')) return error
  const {message} = grafanaErrorMessage(error.body)
  if (!message) return error
  const {failure, url, method, status, body, contentType, elapsedMs} = error
  return httpError({failure, url, method, status, body, contentType, elapsedMs, summary: `Grafana answered ${status}: ${message}`, hint: error.hint, cause: error.cause})
}

/** Is this Grafana's /api/health answer (JSON with its database's state)? */
function isHealthDocument(text: string): boolean {
  try {
    const body = JSON.parse(text) as unknown
    return typeof body === 'object' && body !== null && 'database' in body
  } catch {
    return false
  }
}

/** The least basic role that holds a permission (api-facts.md §12 "Roles for a client token"). */
export function roleFor(permission: string): 'Viewer' | 'Editor' | 'Admin' {
  if (/^(dashboards|folders|library\.panels|annotations):read$|^datasources:query$/.test(permission)) return 'Viewer'
  if (/^(dashboards|folders|library\.panels):(write|create|delete)$|^alert\.rules:/.test(permission)) return 'Editor'
  return 'Admin'
}

export class GrafanaClient {
  readonly http: HttpClient
  readonly credential: string

  constructor(
    readonly endpoint: GrafanaEndpoint,
    http?: HttpClient,
  ) {
    const headers: Record<string, string> = endpoint.orgId === undefined ? {} : {'x-grafana-org-id': String(endpoint.orgId)}
    this.http = http ?? clientForEndpoint(endpoint, {headers: {...endpoint.headers, ...headers}})
    this.credential = describeGrafanaCredential(endpoint)
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  /** GET /api/health: no auth; 503 with database "failing" when Grafana's database is down. */
  async health(options: CallOptions = {}): Promise<GrafanaHealth> {
    const res = await this.http.get('/api/health', {...options, okStatus: [200, 503], headers: {accept: 'application/json'}}).catch((error: unknown) => {
      throw withGrafanaMessage(error)
    })
    if (res.status === 503 && !isHealthDocument(res.text()))
      // not Grafana's own answer (that is JSON naming its database) but a proxy's page or words: the status and its text
      throw responseError(res, 'http_status', res.text(), statusError(res).summary, 'Grafana, or the proxy in front of it, is not serving: check that Grafana runs, then its logs and the proxy\'s')
    const body = parseJsonBody<GrafanaHealth>(res)
    if (res.status !== 200 || (body.database !== undefined && body.database !== 'ok')) {
      throw new OperationError('grafana_unhealthy', `Grafana at ${this.baseUrl} is unhealthy: database ${body.database ?? 'unknown'} (HTTP ${res.status})`, {
        hint: "Grafana cannot reach its database: check Grafana's logs and its database",
      })
    }
    return body
  }

  /**
   * One cheap authenticated call, so a refused credential ends the run before any work
   * (401 → the credential is wrong; 403 → it lacks dashboards:read).
   */
  async checkAccess(options: Pick<RequestOptions, 'signal' | 'timeoutMs'> = {}): Promise<void> {
    await this.json('GET', '/api/search', {...options, query: {type: 'dash-db', limit: 1}})
  }

  /** Every dashboard (never folders: type=dash-db), page by page. */
  searchDashboards(pageSize = GRAFANA_DEFAULT_LIMIT, options: CallOptions = {}): AsyncGenerator<DashboardHit> {
    return pageAll<DashboardHit>(
      async (page, limit) => {
        const hits = await this.json<unknown>('GET', '/api/search', {...options, query: {type: 'dash-db', limit, page}})
        if (!Array.isArray(hits)) throw this.shapeError('/api/search', 'a JSON array of hits')
        return hits.flatMap((h) => {
          const hit = h as Record<string, unknown>
          // a folder slipping through (a server that ignores type) has no dashboard to fetch
          if (typeof hit.uid !== 'string' || hit.uid === '' || (hit.type !== undefined && hit.type !== 'dash-db')) return []
          return [
            {
              uid: hit.uid,
              title: typeof hit.title === 'string' ? hit.title : '',
              ...(typeof hit.folderUid === 'string' && hit.folderUid !== '' ? {folderUid: hit.folderUid} : {}),
              ...(typeof hit.folderTitle === 'string' ? {folderTitle: hit.folderTitle} : {}),
              ...(Array.isArray(hit.tags) && hit.tags.length > 0 ? {tags: hit.tags.filter((t): t is string => typeof t === 'string')} : {}),
            },
          ]
        })
      },
      {limit: pageSize, keyOf: (h) => h.uid},
    )
  }

  /** One level of /api/folders, every page. */
  async listFolderLevel(parentUid?: string, pageSize = GRAFANA_DEFAULT_LIMIT): Promise<FolderEntry[]> {
    const out: FolderEntry[] = []
    const pages = pageAll<FolderEntry>(
      async (page, limit) => {
        const list = await this.json<unknown>('GET', '/api/folders', {query: {limit, page, parentUid}})
        if (!Array.isArray(list)) throw this.shapeError('/api/folders', 'a JSON array of folders')
        return list.flatMap((f) => {
          const folder = f as Record<string, unknown>
          if (typeof folder.uid !== 'string' || folder.uid === '') return []
          const parent = typeof folder.parentUid === 'string' && folder.parentUid !== '' ? folder.parentUid : parentUid
          return [{uid: folder.uid, title: typeof folder.title === 'string' ? folder.title : folder.uid, ...(parent ? {parentUid: parent} : {})}]
        })
      },
      {limit: pageSize, keyOf: (f) => f.uid},
    )
    for await (const f of pages) out.push(f)
    return out
  }

  /**
   * The whole folder tree. Without nested folders a server ignores parentUid and lists every
   * folder again: a child listing that holds the parent itself (or only folders already known)
   * shows that, and the walk stops rather than inventing parents.
   */
  async listFolders(pageSize = GRAFANA_DEFAULT_LIMIT, concurrency = 8): Promise<FolderEntry[]> {
    const roots = await this.listFolderLevel(undefined, pageSize)
    const all = new Map<string, FolderEntry>()
    for (const f of roots) all.set(f.uid, {uid: f.uid, title: f.title, ...(f.parentUid ? {parentUid: f.parentUid} : {})})
    // level by level, the folders of one level listed a few at a time
    let level = [...all.keys()]
    let nested = true
    while (level.length > 0 && nested) {
      const next: string[] = []
      const pending = [...level]
      const worker = async (): Promise<void> => {
        for (let parentUid = pending.shift(); parentUid !== undefined && nested; parentUid = pending.shift()) {
          const children = await this.listFolderLevel(parentUid, pageSize)
          if (children.some((c) => c.uid === parentUid)) {
            nested = false // parentUid ignored: the server has no nesting
            return
          }
          for (const child of children) {
            if (all.has(child.uid)) continue
            all.set(child.uid, {uid: child.uid, title: child.title, parentUid})
            next.push(child.uid)
          }
        }
      }
      await Promise.all(Array.from({length: Math.min(concurrency, level.length)}, () => worker()))
      level = next
    }
    return [...all.values()]
  }

  /** GET /api/dashboards/uid/:uid, keeping the exact bytes. */
  async getDashboard(uid: string, options: CallOptions = {}): Promise<FetchedDashboard> {
    // URLs collapse `.` and `..` segments (even percent-encoded), so such a uid cannot be asked for
    if (uid === '.' || uid === '..' || uid === '')
      throw new OperationError('grafana_uid_unaddressable', `dashboard uid ${JSON.stringify(uid)} cannot be requested over HTTP`, {
        hint: 'give the dashboard a normal uid in Grafana (letters, digits, - and _)',
      })
    const path = `/api/dashboards/uid/${encodeURIComponent(uid)}`
    const res = await this.call('GET', path, {...options, okStatus: [200, 404], headers: {accept: 'application/json'}})
    if (res.status === 404) {
      // only Grafana's own "Dashboard not found" means the dashboard is gone; any other 404 (a proxy, a wrong prefix) is a failure
      const {message, status} = grafanaErrorMessage(res.text())
      if (status === 'not-found' || /dashboard not found/i.test(message ?? '')) throw new DashboardNotFoundError(uid)
      throw new OperationError('grafana_http_404', `GET ${path}: HTTP 404${message ? `: ${message}` : ''}`)
    }
    const doc = parseJsonBody<DashboardDocument>(res)
    if (!doc || typeof doc !== 'object' || typeof doc.dashboard !== 'object' || doc.dashboard === null)
      throw this.shapeError(path, '{"dashboard":{…},"meta":{…}}')
    doc.meta ??= {}
    return {raw: res.body, doc}
  }

  /** The live dashboard, or undefined when there is none with this uid. */
  async findDashboard(uid: string): Promise<DashboardDocument | undefined> {
    try {
      return (await this.getDashboard(uid)).doc
    } catch (error) {
      if (error instanceof DashboardNotFoundError) return undefined
      throw error
    }
  }

  /** POST /api/dashboards/db. A refusal of this one dashboard is a result, not an exception. */
  async saveDashboard(request: SaveDashboardRequest): Promise<SaveDashboardResult> {
    const res = await this.call('POST', '/api/dashboards/db', {
      json: {
        dashboard: request.dashboard,
        ...(request.folderUid ? {folderUid: request.folderUid} : {}),
        overwrite: request.overwrite,
        message: request.message,
      },
      okStatus: 'any',
      headers: {accept: 'application/json'},
    })
    if (res.status === 200) {
      const body = parseJsonBody<{uid?: string; version?: number}>(res)
      return {ok: true, uid: body.uid ?? String(request.dashboard.uid ?? ''), version: body.version}
    }
    if (res.status === 401 || res.status === 403) throw this.authError(res.status, res.text())
    const {message, status} = grafanaErrorMessage(res.text())
    return {ok: false, status: res.status, grafanaStatus: status, message: redact(message ?? `HTTP ${res.status} ${res.statusText}`)}
  }

  /** POST /api/folders. A refusal is a result (e.g. 409 a folder with that name exists). */
  async createFolder(folder: FolderEntry): Promise<{ok: true} | {ok: false; status: number; message: string}> {
    const res = await this.call('POST', '/api/folders', {
      json: {uid: folder.uid, title: folder.title, ...(folder.parentUid ? {parentUid: folder.parentUid} : {})},
      okStatus: 'any',
      headers: {accept: 'application/json'},
    })
    if (res.status === 200) return {ok: true}
    if (res.status === 401 || res.status === 403) throw this.authError(res.status, res.text())
    const {message} = grafanaErrorMessage(res.text())
    return {ok: false, status: res.status, message: redact(message ?? `HTTP ${res.status} ${res.statusText}`)}
  }

  async close(): Promise<void> {
    await this.http.close()
  }

  /**
   * One call of the wider API (api-facts.md §12). `permission` is what the call needs, so a 403
   * names it even when Grafana's answer does not (the legacy `Permission denied`). Statuses in
   * `okStatus` come back as responses; 401/403 always become an AuthError.
   */
  async api(method: string, path: string, options: RequestOptions & {permission?: string} = {}): Promise<HttpResponse> {
    const {permission, ...rest} = options
    return this.call(method, path, {...rest, headers: {accept: 'application/json', ...rest.headers}}, permission)
  }

  /** GET a JSON document of the wider API. */
  async apiJson<T>(path: string, options: RequestOptions & {permission?: string} = {}): Promise<T> {
    return parseJsonBody<T>(await this.api('GET', path, options))
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.call(method, path, {...options, headers: {accept: 'application/json', ...options.headers}})
    return parseJsonBody<T>(res)
  }

  /** Every call goes through here so that 401/403 always become the same AuthError. */
  private async call(method: string, path: string, options: RequestOptions, permission?: string): Promise<HttpResponse> {
    try {
      const res = await this.http.request(method, path, options)
      if (res.status === 401 || res.status === 403) throw this.authError(res.status, res.text(), permission)
      return res
    } catch (error) {
      if (isHttpError(error) && error.isAuth()) throw this.authError(error.status!, error.body, permission)
      if (isHttpError(error) && error.status === 422) {
        const {message} = grafanaErrorMessage(error.body)
        throw new UserError(`Grafana rejected ${path}: ${message ?? error.summary}`, {code: 'grafana_rejected'})
      }
      throw withGrafanaMessage(error)
    }
  }

  private authError(status: number, body: string | undefined, permission?: string): AuthError {
    const {message} = grafanaErrorMessage(body)
    const said = message ? `: ${redact(message)}` : ''
    // Grafana's RBAC answer names the permission; the legacy one does not, so the call's own is used
    const needed = /Permissions needed: ([A-Za-z0-9_.:*-]+)/.exec(message ?? '')?.[1] ?? permission
    const role = needed ? roleFor(needed) : undefined
    const lacks = needed && !/Permissions needed/.test(message ?? '') ? ` (this call needs ${needed})` : ''
    return new AuthError(`Grafana at ${this.baseUrl} refused ${this.credential} (HTTP ${status}${said})${status === 403 ? lacks : ''}`, {
      code: status === 401 ? 'grafana_unauthorized' : 'grafana_forbidden',
      hint:
        status === 401
          ? 'check that the secret the config names holds a valid service-account token (or password); create one under Administration > Service accounts'
          : needed
            ? `the credential works but lacks ${needed}: give the service account the ${role} role (Administration > Service accounts)`
            : 'the credential works but lacks a permission: give the service account the Viewer role (backup) or Editor role (restore)',
      details: {status, credential: this.credential, ...(needed ? {permission: needed} : {})},
    })
  }

  private shapeError(path: string, expected: string): OperationError {
    return new OperationError('grafana_unexpected_answer', `Grafana ${path} did not answer with ${expected}`, {
      hint: 'check that services.grafana points at Grafana itself (URL and path prefix)',
    })
  }
}
