/**
 * Every panel target of a dashboard model, and the data source each one queries. Pure functions.
 *
 * Panels: `panels[]`, collapsed rows' own `panels[]`, and the old schema's `rows[].panels[]`.
 * Data sources, as Grafana resolves them: the target's own, else the panel's; an object
 * `{type, uid}` or (older models) a string that is a name or uid; `null`/absent is the default
 * data source; `-- Mixed --` means each target names its own; `${DS_X}` left in a saved dashboard
 * is an import input nobody filled in; `$var` / `${var}` is a data-source template variable
 * (its current value, else the default of its type).
 */
export interface DatasourceRef {
  uid: string
  name: string
  type: string
  isDefault: boolean
}

export interface PanelTarget {
  refId: string
  /** PromQL (Prometheus), LogQL (Loki) … */
  expr?: string
  datasource?: unknown
  hide?: boolean
}

export interface PanelInfo {
  id?: number
  title: string
  type?: string
  /** the titles of the rows it sits in */
  row?: string
  datasource?: unknown
  targets: PanelTarget[]
  /** a library panel's reference (its targets live in the library element) */
  libraryPanelUid?: string
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function panelInfo(p: Obj, row?: string): PanelInfo {
  const targets = Array.isArray(p.targets)
    ? p.targets.filter(isObj).map((t) => ({
        refId: typeof t.refId === 'string' ? t.refId : '',
        ...(typeof t.expr === 'string' ? {expr: t.expr} : {}),
        ...(t.datasource !== undefined ? {datasource: t.datasource} : {}),
        ...(t.hide === true ? {hide: true} : {}),
      }))
    : []
  const lib = isObj(p.libraryPanel) && typeof p.libraryPanel.uid === 'string' ? p.libraryPanel.uid : undefined
  return {
    ...(typeof p.id === 'number' ? {id: p.id} : {}),
    title: typeof p.title === 'string' ? p.title : '',
    ...(typeof p.type === 'string' ? {type: p.type} : {}),
    ...(row ? {row} : {}),
    ...(p.datasource !== undefined ? {datasource: p.datasource} : {}),
    targets,
    ...(lib ? {libraryPanelUid: lib} : {}),
  }
}

/** Every non-row panel, rows' nested panels included. */
export function walkPanels(dashboard: Obj): PanelInfo[] {
  const out: PanelInfo[] = []
  const visit = (list: unknown, row?: string): void => {
    if (!Array.isArray(list)) return
    for (const p of list) {
      if (!isObj(p)) continue
      if (p.type === 'row') {
        visit(p.panels, typeof p.title === 'string' ? p.title : row)
        continue
      }
      out.push(panelInfo(p, row))
      // panels nested in a panel (old "graph" dashboards in rows, library panels' models)
      if (Array.isArray(p.panels)) visit(p.panels, row)
    }
  }
  visit(dashboard.panels)
  if (Array.isArray(dashboard.rows)) for (const r of dashboard.rows) if (isObj(r)) visit(r.panels, typeof r.title === 'string' ? r.title : undefined)
  return out
}

export type Resolution =
  | {kind: 'datasource'; ds: DatasourceRef; via: string}
  | {kind: 'builtin'; name: string}
  | {kind: 'mixed'}
  | {kind: 'missing'; reason: string}

const MIXED = '-- Mixed --'
const BUILTIN = new Set(['-- Grafana --', 'grafana', '-- Dashboard --', '__expr__', '-- Expression --', 'datasource'])

/** A data-source template variable of the dashboard: its name, plugin type and current value. */
interface DsVariable {
  name: string
  type: string
  current?: string
}

export function datasourceVariables(dashboard: Obj): Map<string, DsVariable> {
  const out = new Map<string, DsVariable>()
  const list = isObj(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : []
  for (const v of list) {
    if (!isObj(v) || v.type !== 'datasource' || typeof v.name !== 'string') continue
    const current = isObj(v.current) ? (typeof v.current.value === 'string' ? v.current.value : typeof v.current.text === 'string' ? v.current.text : undefined) : undefined
    out.set(v.name, {name: v.name, type: typeof v.query === 'string' ? v.query : '', ...(current ? {current} : {})})
  }
  return out
}

export class DatasourceResolver {
  private readonly byUid = new Map<string, DatasourceRef>()
  private readonly byName = new Map<string, DatasourceRef>()
  private readonly defaultDs?: DatasourceRef

  constructor(
    datasources: DatasourceRef[],
    private readonly variables: Map<string, DsVariable> = new Map(),
  ) {
    for (const d of datasources) {
      this.byUid.set(d.uid, d)
      this.byName.set(d.name, d)
    }
    this.defaultDs = datasources.find((d) => d.isDefault)
  }

  private lookup(key: string, type?: string): DatasourceRef | undefined {
    const d = this.byUid.get(key) ?? this.byName.get(key)
    return d && (!type || d.type === type) ? d : (d ?? undefined)
  }

  private defaultOf(type?: string): DatasourceRef | undefined {
    if (!type || this.defaultDs?.type === type) return this.defaultDs
    return [...this.byUid.values()].find((d) => d.type === type)
  }

  /** Resolve one reference (a target's or a panel's). `undefined`/`null` is the default data source. */
  resolve(ref: unknown): Resolution {
    if (ref === undefined || ref === null || ref === '' || ref === 'default' || (isObj(ref) && ref.uid === undefined && ref.type === undefined)) {
      return this.defaultDs ? {kind: 'datasource', ds: this.defaultDs, via: 'the default data source'} : {kind: 'missing', reason: 'no data source named and Grafana has no default data source'}
    }
    const uid = typeof ref === 'string' ? ref : isObj(ref) && typeof ref.uid === 'string' ? ref.uid : undefined
    const type = isObj(ref) && typeof ref.type === 'string' ? ref.type : undefined
    if (uid === undefined) return this.defaultOf(type) ? {kind: 'datasource', ds: this.defaultOf(type)!, via: `the default ${type} data source`} : {kind: 'missing', reason: `no ${type} data source`}
    if (uid === MIXED || type === 'mixed') return {kind: 'mixed'}
    if (BUILTIN.has(uid) || type === '__expr__' || type === 'grafana' || type === 'dashboard') return {kind: 'builtin', name: uid}
    const variable = /^\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}$|^\$([A-Za-z0-9_]+)$|^\[\[([A-Za-z0-9_]+)\]\]$/.exec(uid)
    if (variable) {
      const name = variable[1] ?? variable[2] ?? variable[3] ?? ''
      const v = this.variables.get(name)
      if (!v) {
        if (/^DS_/.test(name))
          return {kind: 'missing', reason: `\${${name}} was never replaced: the dashboard was saved without its import inputs (import it with: hydra dashboards import)`}
        return {kind: 'missing', reason: `data-source variable $${name} is not defined in the dashboard`}
      }
      const current = v.current && v.current !== 'default' && !v.current.startsWith('$') ? this.lookup(v.current, v.type) : undefined
      if (current) return {kind: 'datasource', ds: current, via: `variable $${name}`}
      const fallback = this.defaultOf(v.type || type)
      return fallback ? {kind: 'datasource', ds: fallback, via: `variable $${name} (default ${fallback.type})`} : {kind: 'missing', reason: `no ${v.type || type} data source for variable $${name}`}
    }
    const found = this.lookup(uid, type)
    if (found) return {kind: 'datasource', ds: found, via: typeof ref === 'string' ? `name/uid ${uid}` : `uid ${uid}`}
    return {kind: 'missing', reason: `data source ${JSON.stringify(uid)}${type ? ` (${type})` : ''} does not exist in Grafana`}
  }

  /** The data source of one target of a panel: the target's own, else the panel's. */
  resolveTarget(panel: PanelInfo, target: PanelTarget): Resolution {
    const own = target.datasource
    const panelRes = this.resolve(panel.datasource)
    if (own === undefined || own === null) return panelRes.kind === 'mixed' ? this.resolve(undefined) : panelRes
    return this.resolve(own)
  }
}
