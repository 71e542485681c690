/**
 * `hydra dashboards import FILE|GNET_ID|-`: the runbook's "Dashboards → New → Import". The model
 * comes from a file, stdin, or grafana.com through Grafana's own proxy (`GET /api/gnet/dashboards/:id`:
 * the Grafana *server* needs internet). Each `__inputs` data source is mapped to the data source
 * that points at the config's Prometheus (or Loki) — else Grafana's default of that type — and the
 * dashboard is saved with `POST /api/dashboards/import` (api-facts.md §12), into `--folder`.
 */
import {readFile} from 'node:fs/promises'

import {OperationError, UserError} from '../errors.js'
import type {HydraConfig} from '../config/resolve.js'
import {grafanaErrorMessage, type GrafanaClient} from './client.js'
import {compareTarget, listDatasources, type DatasourceSummary} from './datasources.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export interface ImportInput {
  name: string
  type: string
  pluginId?: string
  value: string
  /** how the value was chosen */
  via: string
}

export interface ImportResult {
  source: string
  title: string
  uid?: string
  folder?: {uid: string; title: string; created: boolean}
  inputs: ImportInput[]
  dryRun: boolean
  /** a dashboard with this uid exists already */
  exists: boolean
  action: 'imported' | 'would-import' | 'would-overwrite' | 'refused'
  url?: string
  detail?: string
  exitCode: 0 | 1
}

export interface ImportOptions {
  grafana: GrafanaClient
  config: Pick<HydraConfig, 'prometheus' | 'loki'>
  /** a file path, `-` (stdin text given in `stdin`), or a grafana.com dashboard id */
  source: string
  stdin?: string
  folder?: string
  overwrite: boolean
  dryRun: boolean
  /** explicit input values: NAME=VALUE */
  inputs?: string[]
}

/** The dashboard model of a file: a bare model, `{dashboard}` (a backup file, the API), or grafana.com's `{json}`. */
export function dashboardModelOf(value: unknown, source: string): Obj {
  const model = isObj(value) && isObj(value.dashboard) ? value.dashboard : isObj(value) && isObj(value.json) ? value.json : value
  if (!isObj(model) || (typeof model.title !== 'string' && !Array.isArray(model.panels)))
    throw new UserError(`${source} is not a Grafana dashboard (no title, no panels)`, {code: 'dashboard_invalid', hint: 'give the JSON of a dashboard, as Grafana exports it'})
  return model
}

async function fetchGnet(grafana: GrafanaClient, id: string): Promise<Obj> {
  const res = await grafana.api('GET', `/api/gnet/dashboards/${id}`, {okStatus: 'any', permission: 'dashboards:read'})
  if (res.status === 200) return dashboardModelOf(JSON.parse(res.text()), `grafana.com dashboard ${id}`)
  if (res.status === 404) throw new UserError(`grafana.com has no dashboard ${id}`, {code: 'gnet_not_found', hint: 'check the id on https://grafana.com/grafana/dashboards/'})
  const said = grafanaErrorMessage(res.text()).message
  throw new OperationError('gnet_unreachable', `Grafana could not fetch dashboard ${id} from grafana.com (HTTP ${res.status}${said ? `: ${said}` : ''}): the Grafana server has no internet access`, {
    hint: `download https://grafana.com/api/dashboards/${id}/revisions/latest/download on a machine that has, then: hydra dashboards import FILE`,
  })
}

async function readModel(options: ImportOptions): Promise<{model: Obj; source: string}> {
  const s = options.source
  if (s === '-') {
    if (options.stdin === undefined) throw new UserError('no dashboard on stdin', {code: 'usage'})
    return {model: dashboardModelOf(parseJson(options.stdin, 'stdin'), 'stdin'), source: 'stdin'}
  }
  if (/^\d+$/.test(s)) return {model: await fetchGnet(options.grafana, s), source: `grafana.com ${s}`}
  let text: string
  try {
    text = await readFile(s, 'utf8')
  } catch (error) {
    throw new UserError(`cannot read ${s} (${(error as NodeJS.ErrnoException).code})`, {code: 'dashboard_unreadable', hint: 'give a dashboard JSON file, - for stdin, or a grafana.com dashboard id'})
  }
  return {model: dashboardModelOf(parseJson(text, s), s), source: s}
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UserError(`${source} is not valid JSON (${(error as Error).message})`, {code: 'dashboard_invalid'})
  }
}

/** Choose each input's value. Pure once the data sources and their targets are known. */
export function mapInputs(
  declared: Obj[],
  datasources: (DatasourceSummary & {points?: 'prometheus' | 'loki'})[],
  explicit: Map<string, string>,
): ImportInput[] {
  return declared.map((input) => {
    const name = String(input.name ?? '')
    const type = String(input.type ?? '')
    const pluginId = typeof input.pluginId === 'string' ? input.pluginId : undefined
    const given = explicit.get(name)
    if (given !== undefined) return {name, type, ...(pluginId ? {pluginId} : {}), value: given, via: '--input'}
    if (type === 'constant' || type === 'interval' || type === 'textbox')
      return {name, type, value: String(input.value ?? ''), via: 'the dashboard default'}
    if (type !== 'datasource') throw new UserError(`input ${name} of type ${type} needs a value`, {code: 'import_input', hint: `give it with --input ${name}=VALUE`})
    const ofType = datasources.filter((d) => d.type === pluginId)
    const pick = ofType.find((d) => d.points === pluginId) ?? ofType.find((d) => d.isDefault) ?? ofType[0]
    if (!pick)
      throw new UserError(`input ${name} needs a ${pluginId} data source and Grafana has none`, {
        code: 'import_no_datasource',
        hint: `add one in Grafana (Connections > Data sources), or give --input ${name}=UID`,
      })
    const via = pick.points === pluginId ? `points at the config's ${pluginId}` : pick.isDefault ? `the default ${pluginId} data source` : `the only ${pluginId} data source`
    return {name, type, pluginId: pluginId!, value: pick.uid, via: `${pick.name}: ${via}`}
  })
}

async function resolveFolder(grafana: GrafanaClient, folder: string, dryRun: boolean): Promise<{uid: string; title: string; created: boolean}> {
  const all = await grafana.listFolders()
  const found = all.find((f) => f.uid === folder) ?? all.find((f) => f.title.toLowerCase() === folder.toLowerCase())
  if (found) return {uid: found.uid, title: found.title, created: false}
  const uid = folder.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'imported'
  if (dryRun) return {uid, title: folder, created: true}
  const r = await grafana.createFolder({uid, title: folder})
  if (!r.ok) throw new OperationError('folder_create_failed', `cannot create folder ${folder}: HTTP ${r.status}: ${r.message}`)
  return {uid, title: folder, created: true}
}

export async function importDashboard(options: ImportOptions): Promise<ImportResult> {
  const {grafana} = options
  await grafana.health()
  const {model, source} = await readModel(options)
  const explicit = new Map<string, string>()
  for (const kv of options.inputs ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(kv)
    if (!m) throw new UserError(`--input ${kv}: expected NAME=VALUE`, {code: 'usage'})
    explicit.set(m[1]!, m[2]!)
  }
  const declared = Array.isArray(model.__inputs) ? model.__inputs.filter(isObj) : []
  const needsList = declared.some((i) => i.type === 'datasource' && !explicit.has(String(i.name)))
  let datasources: (DatasourceSummary & {points?: 'prometheus' | 'loki'})[] = []
  if (needsList) {
    datasources = await listDatasources(grafana)
    for (const d of datasources) {
      const want = d.type === 'prometheus' ? options.config.prometheus.baseUrl : d.type === 'loki' ? options.config.loki?.baseUrl : undefined
      if (want && (await compareTarget(d.url, want, grafana.baseUrl)).verdict === 'same') d.points = d.type as 'prometheus' | 'loki'
    }
  }
  const inputs = mapInputs(declared, datasources, explicit)
  const folder = options.folder ? await resolveFolder(grafana, options.folder, options.dryRun) : undefined
  const uid = typeof model.uid === 'string' && model.uid !== '' ? model.uid : undefined
  const exists = uid ? (await grafana.findDashboard(uid)) !== undefined : false
  const title = typeof model.title === 'string' ? model.title : ''
  const base = {source, title, ...(uid ? {uid} : {}), ...(folder ? {folder} : {}), inputs, dryRun: options.dryRun, exists}
  if (options.dryRun) return {...base, action: exists ? 'would-overwrite' : 'would-import', exitCode: 0, ...(exists && !options.overwrite ? {detail: 'a dashboard with this uid exists: --overwrite replaces it'} : {})}
  const res = await grafana.api('POST', '/api/dashboards/import', {
    json: {dashboard: {...model, id: null}, overwrite: options.overwrite, inputs: inputs.map(({via: _via, ...i}) => i), ...(folder ? {folderUid: folder.uid} : {})},
    okStatus: 'any',
    permission: 'dashboards:create',
  })
  if (res.status === 200) {
    const body = JSON.parse(res.text()) as {uid?: string; importedUrl?: string}
    return {...base, ...(body.uid ? {uid: body.uid} : {}), action: 'imported', ...(body.importedUrl ? {url: body.importedUrl} : {}), exitCode: 0}
  }
  const {message, status} = grafanaErrorMessage(res.text())
  const hint = res.status === 412 && !options.overwrite ? ' (--overwrite replaces it)' : ''
  return {...base, action: 'refused', detail: `HTTP ${res.status}${status ? ` ${status}` : ''}: ${message ?? res.statusText}${hint}`, exitCode: 1}
}
