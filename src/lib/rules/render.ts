/**
 * Rule definitions → a Prometheus rule file, and → a `promtool test rules` file that proves each
 * rule fires on a broken series and stays quiet on a healthy one. Pure functions.
 */
import {Document} from 'yaml'

import type {HydraConfig} from '../config/resolve.js'
import {parseDuration} from '../config/units.js'
import {nodeExporterJobs} from '../views/cluster.js'
import type {GpuExporterKind} from '../views/gpu.js'
import {alertRules} from './catalogue.js'
import type {AlertRuleDef, RenderedGroup, RenderedRule, RulesContext} from './model.js'
import {promDuration} from './promql.js'

export interface ContextOverrides {
  nodeJobs?: string[]
  gpuExporters?: GpuExporterKind[]
  lokiJob?: string
}

/**
 * What the config alone says: node exporter jobs from its exporters named `node`, a GPU exporter
 * (nvidia_gpu_exporter's nvidia_smi_* names, the one on :9835 that NixOS packages) on every node
 * with an exporter named `gpu`, Loki scraped as job `loki`. Live detection overrides these.
 */
export function contextFromConfig(cfg: HydraConfig, overrides: ContextOverrides = {}): RulesContext {
  const jobs = nodeExporterJobs(cfg)
  const hasGpu = cfg.nodes.some((n) => n.exporters.some((e) => e.name === 'gpu'))
  const backup = cfg.backup.dashboards
  return {
    cluster: cfg.cluster,
    nodeJobs: overrides.nodeJobs ?? (jobs.length > 0 ? jobs : ['node']),
    gpuExporters: overrides.gpuExporters ?? (hasGpu ? ['nvidia_smi'] : []),
    lokiJob: cfg.loki ? (overrides.lokiJob ?? 'loki') : undefined,
    lokiNode: cfg.loki?.node,
    lokiWindow: promDuration(cfg.logs.recentWithinMs),
    thresholds: {...cfg.thresholds},
    doctorMaxAge: '2h',
    backupMaxAge: backup ? promDuration(backup.maxAgeMs ?? 36 * 3_600_000) : undefined,
  }
}

export interface RenderOptions {
  /** cap every rule's `for` (a test lab wants alerts within seconds) */
  maxForMs?: number
  /** only these groups (e.g. hydra-cron for docs/hydra-cron-alerts.yml) */
  groups?: string[]
}

function effectiveFor(def: AlertRuleDef, options: RenderOptions): string {
  const ms = parseDuration(def.for) ?? 0
  return options.maxForMs !== undefined && options.maxForMs < ms ? promDuration(options.maxForMs) : def.for
}

export function selectRules(defs: AlertRuleDef[], options: RenderOptions): AlertRuleDef[] {
  return options.groups ? defs.filter((d) => options.groups!.includes(d.group)) : defs
}

export function renderGroups(defs: AlertRuleDef[], options: RenderOptions = {}): RenderedGroup[] {
  const groups = new Map<string, RenderedRule[]>()
  for (const def of selectRules(defs, options)) {
    const rule: RenderedRule = {
      alert: def.alert,
      expr: def.expr,
      for: effectiveFor(def, options),
      labels: {severity: def.severity},
      annotations: {summary: def.summary, hint: def.hint},
    }
    const list = groups.get(def.group)
    if (list) list.push(rule)
    else groups.set(def.group, [rule])
  }
  return [...groups].map(([name, rules]) => ({name, rules}))
}

export function rulesFromConfig(cfg: HydraConfig, options: RenderOptions = {}, overrides: ContextOverrides = {}): {context: RulesContext; defs: AlertRuleDef[]; groups: RenderedGroup[]} {
  const context = contextFromConfig(cfg, overrides)
  const defs = selectRules(alertRules(context), options)
  return {context, defs, groups: renderGroups(defs, options)}
}

export function rulesYaml(groups: RenderedGroup[], header: string): string {
  const doc = new Document({groups})
  doc.commentBefore = header
  return doc.toString({lineWidth: 0})
}

export function rulesHeader(context: RulesContext, source: string): string {
  return [
    ` Alert rules rendered by \`hydra rules render\` for cluster ${context.cluster} (${source}).`,
    ' Load with rule_files: in prometheus.yml, check with `promtool check rules`, compare with `hydra rules diff`.',
    ` Node exporter jobs: ${context.nodeJobs.join(', ')}; GPU exporters: ${context.gpuExporters.join(', ') || 'none'}; Loki job: ${context.lokiJob ?? 'none'}.`,
    ' The hydra-cron rules read what `hydra doctor`/`hydra backup dashboards --textfile` write, through node exporter\'s textfile collector.',
  ].join('\n')
}

// --- promtool tests ---------------------------------------------------------------------------

/**
 * Expands the small subset of Go templates the rules use: `{{ $labels.x }}` and
 * `{{ if $labels.x }}A{{ else }}B{{ end }}` (else optional, not nested). Enough to predict the
 * annotations promtool compares.
 */
export function expandTemplate(template: string, labels: Record<string, string>): string {
  const withIfs = template.replace(
    /\{\{ if \$labels\.(\w+) \}\}(.*?)(?:\{\{ else \}\}(.*?))?\{\{ end \}\}/g,
    (_all, name: string, then: string, otherwise: string | undefined) => (labels[name] ? then : (otherwise ?? '')),
  )
  return withIfs.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_all, name: string) => labels[name] ?? '')
}

export interface PromtoolTestFile {
  rule_files: string[]
  evaluation_interval: string
  tests: unknown[]
}

/** The promtool test file for `defs` as rendered with `options`; `rulesFile` relative to the test file's directory. */
export function promtoolTests(defs: AlertRuleDef[], rulesFile: string, options: RenderOptions = {}): PromtoolTestFile {
  const tests: unknown[] = []
  for (const def of selectRules(defs, options)) {
    const forMs = parseDuration(effectiveFor(def, options)) ?? 0
    for (const tc of def.tests) {
      const intervalMs = parseDuration(tc.interval ?? '1m')!
      const evalMs = forMs + tc.evalAfterForSeconds * 1000
      // evaluation happens every minute: round the eval time up to it
      const evalAt = Math.ceil(evalMs / 60_000) * 60_000
      const n = Math.ceil(evalAt / intervalMs) + 1
      tests.push({
        name: `${def.alert}: ${tc.name}`,
        interval: tc.interval ?? '1m',
        input_series: tc.series.map((s) => ({series: s.series, values: s.values.replaceAll('{n}', String(n))})),
        alert_rule_test: [
          {
            eval_time: promDuration(evalAt),
            alertname: def.alert,
            exp_alerts: tc.firing.map((labels) => {
              const all = {...labels, severity: def.severity}
              return {exp_labels: all, exp_annotations: {summary: expandTemplate(def.summary, all), hint: expandTemplate(def.hint, all)}}
            }),
          },
        ],
      })
    }
  }
  return {rule_files: [rulesFile], evaluation_interval: '1m', tests}
}

export function promtoolTestsYaml(file: PromtoolTestFile): string {
  const doc = new Document(file)
  doc.commentBefore = ' promtool unit tests written by `hydra rules render --tests`: run with `promtool test rules <this file>`.\n For each rule, a series that must make it fire and one that must not.'
  return doc.toString({lineWidth: 0})
}
