/**
 * Drift between the rules hydra renders and the alerting rules the live server has loaded
 * (GET /api/v1/rules?type=alert: Prometheus, or VictoriaMetrics proxying vmalert), rule by rule
 * (by alert name): missing, extra, and changed expression, `for` or labels — like
 * `config scrape --diff`. Prometheus returns each expression re-printed from its parse tree; both
 * sides are compared after normalizing whitespace.
 *
 * vmalert (1.79.5, measured; fixture test/fixtures/victoria/vmalert-rules-rendered.json) answers
 * the same shape with these differences: it ignores `type=alert` (recording rules come too, with
 * `type:"recording"`, so rules are filtered by their own `type`); `query` is the expression as
 * written, not re-printed; groups carry `type:"prometheus"` (the datasource, not the rule type),
 * `id`, `concurrency`, and rules `id`, `group_id`, `datasourceType`, `lastSamples`. A
 * VictoriaMetrics without vmalert answers an empty stub: that is "nothing evaluates rules", not
 * "every rule missing".
 */
import type {HydraConfig} from '../config/resolve.js'
import {parseDuration} from '../config/units.js'
import {OperationError, type ExitCodeValue} from '../errors.js'
import {ruleEngineMissing} from '../prometheus/alerts.js'
import {backendOf} from '../prometheus/backend.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {driftExitCode} from '../prometheus/scrape-drift.js'
import type {RenderedGroup, RulesSource} from './model.js'
import {normalizeExpr} from './promql.js'
import {renderClusterRules, type RenderRulesOptions} from './run.js'

/** One alerting rule of GET /api/v1/rules (Prometheus and vmalert share these fields). */
export interface LiveRule {
  name: string
  query: string
  /** seconds */
  duration?: number
  labels?: Record<string, string>
  type?: string
}

export interface LiveGroup {
  name: string
  file?: string
  rules: LiveRule[]
}

export interface RuleChange {
  alert: string
  group: string
  field: 'expr' | 'for' | 'labels'
  rendered: string
  live: string
}

export interface RulesDrift {
  server: string
  /** what evaluates the rules: Prometheus, or vmalert (behind VictoriaMetrics) */
  engine?: string
  missing: {alert: string; group: string}[]
  extra: {alert: string; group: string; file?: string}[]
  changed: RuleChange[]
  compared: number
  inSync: boolean
}

const labelsText = (l: Record<string, string> = {}) =>
  `{${Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(', ')}}`

/** Pure: rendered groups vs the live rule groups. */
export function compareRules(server: string, rendered: RenderedGroup[], live: LiveGroup[]): RulesDrift {
  const liveRules = live.flatMap((g) => g.rules.filter((r) => r.type === undefined || r.type === 'alerting').map((r) => ({group: g.name, file: g.file, rule: r, used: false})))
  const missing: RulesDrift['missing'] = []
  const changed: RuleChange[] = []
  let compared = 0
  for (const g of rendered) {
    for (const r of g.rules) {
      const candidates = liveRules.filter((l) => !l.used && l.rule.name === r.alert)
      const match = candidates.find((l) => l.group === g.name) ?? candidates[0]
      if (!match) {
        missing.push({alert: r.alert, group: g.name})
        continue
      }
      match.used = true
      compared++
      const l = match.rule
      if (normalizeExpr(l.query) !== normalizeExpr(r.expr)) changed.push({alert: r.alert, group: g.name, field: 'expr', rendered: r.expr, live: l.query})
      const forSeconds = Math.round((parseDuration(r.for) ?? 0) / 1000)
      if ((l.duration ?? 0) !== forSeconds) changed.push({alert: r.alert, group: g.name, field: 'for', rendered: `${forSeconds}s`, live: `${l.duration ?? 0}s`})
      if (labelsText(l.labels) !== labelsText(r.labels)) changed.push({alert: r.alert, group: g.name, field: 'labels', rendered: labelsText(r.labels), live: labelsText(l.labels)})
    }
  }
  const extra = liveRules.filter((l) => !l.used).map((l) => ({alert: l.rule.name, group: l.group, ...(l.file ? {file: l.file} : {})}))
  return {server, missing, extra, changed, compared, inSync: missing.length === 0 && extra.length === 0 && changed.length === 0}
}

export async function rulesDrift(prom: PrometheusClient, rendered: RenderedGroup[]): Promise<RulesDrift> {
  const [backend, {data}] = await Promise.all([backendOf(prom), prom.api<{groups: LiveGroup[] | null}>('GET', '/api/v1/rules', {query: {type: 'alert'}})])
  const groups = data.groups ?? []
  const none = ruleEngineMissing(backend, groups.length, prom.baseUrl)
  if (none) throw new OperationError('no_rule_engine', `cannot compare the rules: ${none.message}`, {hint: none.hint})
  return {...compareRules(prom.baseUrl, rendered, groups), engine: backend.kind === 'victoriametrics' ? `vmalert (behind ${backend.name})` : backend.name}
}

export type RulesDiffOptions = Pick<RenderRulesOptions, 'maxForMs' | 'groups' | 'gpuExporters'>

export interface RulesDiffReport extends RulesDrift {
  /** how the rules were rendered (live detection, its notes) */
  source: RulesSource
  /** 1 when the loaded rules differ from the rendered ones */
  exitCode: ExitCodeValue
}

/**
 * `hydra rules diff` as one call: render the rules as `rules render` does (asking Prometheus),
 * compare them with the loaded ones; with `groups`, only those groups on both sides.
 */
export async function rulesDiff(cfg: HydraConfig, prom: PrometheusClient, options: RulesDiffOptions = {}): Promise<RulesDiffReport> {
  const rendered = await renderClusterRules(cfg, {offline: false, ...options}, prom)
  const drift = await rulesDrift(prom, rendered.groups)
  const groups = options.groups
  if (groups && groups.length > 0) drift.extra = drift.extra.filter((e) => groups.includes(e.group))
  drift.inSync = drift.missing.length === 0 && drift.extra.length === 0 && drift.changed.length === 0
  return {source: rendered.source, ...drift, exitCode: driftExitCode(drift.inSync)}
}
