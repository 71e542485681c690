/**
 * `hydra dashboards check`: for every panel target of every dashboard (or the named ones), the
 * data source it queries and, for Prometheus targets, whether the metrics its PromQL names exist
 * in Prometheus now (one `/api/v1/label/__name__/values` call for all of them). A panel is broken
 * when its data source is missing or aimed elsewhere than the config's Prometheus, when its
 * PromQL does not parse, or when a metric it needs does not exist; a known rename is named.
 */
import type {HydraConfig} from '../config/resolve.js'
import {forEachConcurrently} from '../backup/pool.js'
import {UserError} from '../errors.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {DashboardNotFoundError, type CallOptions, type GrafanaClient} from './client.js'
import {compareTarget, listDatasources, type DatasourceSummary} from './datasources.js'
import {DatasourceResolver, datasourceVariables, walkPanels, type PanelInfo} from './panels.js'
import {metricsOfExpr} from './promql.js'
import {suggestReplacement} from './renames.js'
import {compareCodePoints, compareNames} from '../order.js'

export type PanelProblemKind = 'datasource_missing' | 'datasource_elsewhere' | 'metric_missing' | 'bad_promql' | 'library_panel_missing'

export interface PanelProblem {
  kind: PanelProblemKind
  refId?: string
  message: string
  metric?: string
  replacement?: string
}

export interface PanelReport {
  id?: number
  title: string
  row?: string
  status: 'ok' | 'broken'
  /** data sources the targets resolved to (names) */
  datasources: string[]
  metrics: string[]
  problems: PanelProblem[]
}

export interface DashboardReport {
  uid: string
  title: string
  folderTitle?: string
  status: 'ok' | 'broken' | 'not-found'
  panels: PanelReport[]
}

export interface CheckReport {
  grafana: string
  prometheus: string
  metricsKnown: number
  dashboards: DashboardReport[]
  summary: {dashboards: number; panels: number; brokenPanels: number; brokenDashboards: number; notFound: number}
  exitCode: 0 | 1
}

export interface CheckOptions extends CallOptions {
  grafana: GrafanaClient
  prometheus: PrometheusClient
  config: Pick<HydraConfig, 'prometheus'>
  /** only these dashboards (default: every one) */
  uids?: string[]
  concurrency?: number
}

type Obj = Record<string, unknown>

export interface PanelCheckContext {
  resolver: DatasourceResolver
  metricNames: Set<string>
  /** data-source uid → why it is not the config's Prometheus (absent: it is, or cannot tell) */
  elsewhere: Map<string, string>
  /** library panel uid → its model (undefined: it does not exist) */
  library: Map<string, Obj | undefined>
}

/** Check one panel. Pure. */
export function checkPanel(panel: PanelInfo, ctx: PanelCheckContext): PanelReport {
  const problems: PanelProblem[] = []
  const datasources = new Set<string>()
  const metrics = new Set<string>()
  let effective = panel
  if (panel.libraryPanelUid && panel.targets.length === 0) {
    const model = ctx.library.get(panel.libraryPanelUid)
    if (!model) problems.push({kind: 'library_panel_missing', message: `library panel ${panel.libraryPanelUid} does not exist`})
    else effective = {...walkPanels({panels: [model]})[0]!, title: panel.title, ...(panel.id !== undefined ? {id: panel.id} : {})}
  }
  for (const target of effective.targets) {
    if (target.hide) continue
    const r = ctx.resolver.resolveTarget(effective, target)
    if (r.kind === 'missing') {
      problems.push({kind: 'datasource_missing', refId: target.refId, message: r.reason})
      continue
    }
    if (r.kind !== 'datasource') continue
    datasources.add(r.ds.name)
    if (r.ds.type !== 'prometheus' || !target.expr) continue
    const away = ctx.elsewhere.get(r.ds.uid)
    if (away) {
      problems.push({kind: 'datasource_elsewhere', refId: target.refId, message: `data source ${r.ds.name} ${away}`})
      continue
    }
    const parsed = metricsOfExpr(target.expr)
    if (parsed.error) problems.push({kind: 'bad_promql', refId: target.refId, message: parsed.error})
    for (const m of parsed.metrics) {
      metrics.add(m)
      if (ctx.metricNames.has(m)) continue
      const rename = suggestReplacement(m, ctx.metricNames)
      problems.push({
        kind: 'metric_missing',
        refId: target.refId,
        metric: m,
        message: rename ? rename.note : `${m} does not exist in Prometheus`,
        ...(rename?.replacement ? {replacement: rename.replacement} : {}),
      })
    }
    for (const p of parsed.patterns) {
      let re: RegExp | undefined
      try {
        re = new RegExp(`^(?:${p})$`)
      } catch {
        re = undefined
      }
      if (re && ![...ctx.metricNames].some((n) => re.test(n)))
        problems.push({kind: 'metric_missing', refId: target.refId, message: `no metric matches __name__=~${JSON.stringify(p)}`})
    }
  }
  return {
    ...(panel.id !== undefined ? {id: panel.id} : {}),
    title: panel.title,
    ...(panel.row ? {row: panel.row} : {}),
    status: problems.length > 0 ? 'broken' : 'ok',
    datasources: [...datasources].sort(),
    metrics: [...metrics].sort(),
    problems,
  }
}

/** Check one dashboard model against the context. Pure. */
export function checkDashboardModel(dashboard: Obj, ctx: Omit<PanelCheckContext, 'resolver'> & {datasources: DatasourceSummary[]}): PanelReport[] {
  const resolver = new DatasourceResolver(ctx.datasources, datasourceVariables(dashboard))
  return walkPanels(dashboard).map((p) => checkPanel(p, {...ctx, resolver}))
}

async function libraryModel(grafana: GrafanaClient, uid: string, options: CallOptions): Promise<Obj | undefined> {
  const res = await grafana.api('GET', `/api/library-elements/${encodeURIComponent(uid)}`, {...options, okStatus: [200, 404], permission: 'library.panels:read'})
  if (res.status === 404) return undefined
  const body = JSON.parse(res.text()) as {result?: {model?: Obj}}
  return body.result?.model
}

export async function checkDashboards(options: CheckOptions): Promise<CheckReport> {
  const {grafana, prometheus} = options
  const call: CallOptions = {signal: options.signal, timeoutMs: options.timeoutMs}
  await grafana.health(call)
  const datasources = await listDatasources(grafana, call)
  const names = await prometheus.api<string[]>('GET', '/api/v1/label/__name__/values', call)
  const metricNames = new Set(Array.isArray(names.data) ? names.data : [])
  const elsewhere = new Map<string, string>()
  for (const ds of datasources.filter((d) => d.type === 'prometheus')) {
    const t = await compareTarget(ds.url, options.config.prometheus.baseUrl, grafana.baseUrl, Math.min(2000, options.timeoutMs ?? 2000))
    if (t.verdict === 'elsewhere') elsewhere.set(ds.uid, `${t.detail} (see: hydra datasources)`)
  }
  const library = new Map<string, Obj | undefined>()
  const uids: string[] = []
  const titles = new Map<string, {title: string; folderTitle?: string}>()
  if (options.uids && options.uids.length > 0) uids.push(...options.uids)
  else
    for await (const hit of grafana.searchDashboards(undefined, call)) {
      uids.push(hit.uid)
      titles.set(hit.uid, {title: hit.title, ...(hit.folderTitle ? {folderTitle: hit.folderTitle} : {})})
    }
  const dashboards: DashboardReport[] = []
  await forEachConcurrently(uids, options.concurrency ?? 8, async (uid) => {
    let doc
    try {
      doc = (await grafana.getDashboard(uid, call)).doc
    } catch (error) {
      if (error instanceof DashboardNotFoundError) {
        dashboards.push({uid, title: titles.get(uid)?.title ?? '', status: 'not-found', panels: []})
        return
      }
      throw error
    }
    const model = doc.dashboard as Obj
    for (const p of walkPanels(model)) if (p.libraryPanelUid && !library.has(p.libraryPanelUid)) library.set(p.libraryPanelUid, await libraryModel(grafana, p.libraryPanelUid, call))
    const panels = checkDashboardModel(model, {datasources, metricNames, elsewhere, library})
    const folderTitle = typeof doc.meta.folderTitle === 'string' ? doc.meta.folderTitle : titles.get(uid)?.folderTitle
    dashboards.push({
      uid,
      title: typeof model.title === 'string' ? model.title : (titles.get(uid)?.title ?? ''),
      ...(folderTitle ? {folderTitle} : {}),
      status: panels.some((p) => p.status === 'broken') ? 'broken' : 'ok',
      panels,
    })
  })
  if (options.uids?.length && dashboards.every((d) => d.status === 'not-found'))
    throw new UserError(`no dashboard with uid ${options.uids.join(', ')}`, {code: 'dashboard_not_found', hint: 'list the dashboards with: hydra dashboards list'})
  dashboards.sort((a, b) => compareNames(a.title, b.title) || compareCodePoints(a.uid, b.uid))
  const panels = dashboards.flatMap((d) => d.panels)
  const brokenPanels = panels.filter((p) => p.status === 'broken').length
  const notFound = dashboards.filter((d) => d.status === 'not-found').length
  return {
    grafana: grafana.baseUrl,
    prometheus: prometheus.baseUrl,
    metricsKnown: metricNames.size,
    dashboards,
    summary: {dashboards: dashboards.length, panels: panels.length, brokenPanels, brokenDashboards: dashboards.filter((d) => d.status === 'broken').length, notFound},
    exitCode: brokenPanels > 0 || notFound > 0 ? 1 : 0,
  }
}
