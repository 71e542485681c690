/**
 * The alert rules hydra renders (issue 15): one definition per rule, with the promtool test cases
 * that prove it fires on a broken series and stays quiet on a healthy one. Pure data.
 */
import type {GpuExporterKind} from '../views/gpu.js'

export type Severity = 'critical' | 'warning'

/** One promtool `tests:` entry for a rule: input series, when to look, which alerts must be firing then. */
export interface RuleTestCase {
  name: string
  /** input series interval (default 1m) */
  interval?: string
  /** `values` may hold `{n}`: replaced by the number of steps needed to reach evalTime */
  series: {series: string; values: string}[]
  /** seconds after the rule's `for` (the `for` itself is added, so a capped `for` keeps the test valid) */
  evalAfterForSeconds: number
  /** the labels of every alert that must be firing (the rule's own labels are added); [] = must not fire */
  firing: Record<string, string>[]
}

export interface AlertRuleDef {
  group: string
  alert: string
  expr: string
  /** Prometheus duration, e.g. 2m */
  for: string
  severity: Severity
  /** Go template; names the node */
  summary: string
  /** Go template; names the hydra command that diagnoses it */
  hint: string
  tests: RuleTestCase[]
}

export interface RenderedRule {
  alert: string
  expr: string
  for: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

export interface RenderedGroup {
  name: string
  rules: RenderedRule[]
}

/** What the rules are rendered from: the config, plus what the live Prometheus scrapes. */
export interface RulesContext {
  cluster: string
  /** jobs that scrape node exporters */
  nodeJobs: string[]
  /** GPU exporters scraped (detected live, or assumed from the config) */
  gpuExporters: GpuExporterKind[]
  /** the job that scrapes Loki; undefined when the config has no Loki */
  lokiJob?: string
  /** the node Loki runs on (from the config), for summaries */
  lokiNode?: string
  /** Loki must have received a line within this window (config logs.recentWithin) */
  lokiWindow: string
  thresholds: RuleThresholds
  /** the doctor cron job must have run within this (default 2h: an hourly job, one missed run allowed) */
  doctorMaxAge: string
  /** the dashboard backup must be younger than this (config backup.dashboards.maxAge); undefined: no backup rule */
  backupMaxAge?: string
}

export interface RuleThresholds {
  rootDiskFreePercent: number
  memoryAvailablePercent: number
  gpuTemperatureCelsius: number
  gpuMemoryUsedPercent: number
  tsdbRetentionSizePercent: number
}

/** Where the rendered context came from, for the report. */
export interface RulesSource {
  /** live: detected on the running Prometheus; config: from the config alone */
  mode: 'live' | 'config'
  prometheus?: string
  /** why live detection was not used (unreachable, --offline) */
  reason?: string
  notes: string[]
}
