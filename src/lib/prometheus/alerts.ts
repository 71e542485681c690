/**
 * The runbook's "Alert Rules": what fires and what is pending in Prometheus, Alertmanager's copy
 * (with silences) when one is configured, and the rules that fail to evaluate.
 */
import {describeMatchers, type AlertmanagerClient, type AmAlert, type AmSilence} from '../alertmanager/api.js'
import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, isHydraError, type ExitCodeValue} from '../errors.js'
import {nodeOfSeries} from '../config/nodes.js'
import {backendOf, noRuleEngineHint, type BackendInfo} from './backend.js'
import type {CallOptions, PrometheusClient} from './client.js'
import {compareNames, compareTimes} from '../order.js'

/** GET /api/v1/alerts item. */
export interface PromAlert {
  labels: Record<string, string>
  annotations?: Record<string, string>
  state: 'firing' | 'pending' | 'inactive'
  activeAt?: string
  keepFiringSince?: string
  value?: string
}

export interface RuleGroup {
  name: string
  file: string
  rules: Rule[]
  interval?: number
}

export interface Rule {
  name: string
  query: string
  type: 'alerting' | 'recording'
  health: 'ok' | 'err' | 'unknown'
  lastError?: string
  state?: 'firing' | 'pending' | 'inactive'
  lastEvaluation?: string
}

export interface AlertRow {
  alertname: string
  state: 'firing' | 'pending'
  severity?: string
  node?: string
  instance?: string
  since?: string
  summary?: string
  labels: Record<string, string>
  /** Alertmanager's silences that mute this alert (when Alertmanager was asked) */
  silencedBy?: string[]
}

export interface UnhealthyRule {
  group: string
  file: string
  rule: string
  type: 'alerting' | 'recording'
  health: string
  lastError: string
}

export interface AmAlertRow {
  alertname: string
  state: AmAlert['status']['state']
  severity?: string
  node?: string
  instance?: string
  since: string
  receivers: string[]
  silencedBy: string[]
  inhibitedBy: string[]
}

export interface SilenceRow {
  id: string
  state: AmSilence['status']['state']
  matchers: string
  endsAt: string
  createdBy: string
  comment: string
}

export interface AlertsReport {
  prometheus: string
  /** which server answered (backend.ts) */
  backend?: {kind: BackendInfo['kind']; name: string}
  /**
   * Set when nothing evaluates alert rules behind this server (VictoriaMetrics without
   * -vmalert.proxyURL): an empty alert list then means "cannot tell", never "all clear".
   */
  noRuleEngine?: {message: string; hint: string}
  alerts: AlertRow[]
  unhealthyRules: UnhealthyRule[]
  rules: {groups: number; alerting: number; recording: number}
  alertmanager?:
    | {url: string; reachable: true; alerts: AmAlertRow[]; silences: SilenceRow[]}
    | {url: string; reachable: false; error: string; required: boolean; cause: AmFailure; hint?: string}
  summary: {firing: number; pending: number; unhealthyRules: number; silenced: number}
  /** alertsExitCode: 0 all clear, 1 firing (with failOnFiring) or broken, 4 Alertmanager refused the credentials */
  exitCode: ExitCodeValue
}

export interface AlertsOptions {
  /** an alert firing makes the report fail (exit 1); default true (--no-fail-on-firing: false) */
  failOnFiring?: boolean
}

/**
 * The exit policy of `hydra alerts`, pure: 4 when Alertmanager refuses hydra's credentials; 1 when
 * an alert fires (unless failOnFiring is false), a rule fails to evaluate, nothing evaluates rules,
 * or a required Alertmanager does not answer with its API; else 0.
 */
export function alertsExitCode(report: Omit<AlertsReport, 'exitCode'>, options: AlertsOptions = {}): ExitCodeValue {
  const amr = report.alertmanager
  if (amr && !amr.reachable && amr.cause === 'auth') return ExitCode.AUTH
  if (report.summary.firing > 0 && (options.failOnFiring ?? true)) return ExitCode.FAILURE
  if (report.summary.unhealthyRules > 0 || report.noRuleEngine) return ExitCode.FAILURE
  if (amr && !amr.reachable && amr.required) return ExitCode.FAILURE
  return ExitCode.OK
}

/**
 * Why Alertmanager gave no answer, in the words an operator acts on: it refused hydra's
 * credentials (exit 4), it was not reached at all, it hung, it answered with an error status, or
 * something that is not its API (a login page, a proxy's HTML, a cut-off body) answered instead.
 */
export type AmFailure = 'auth' | 'unreachable' | 'not_answering' | 'error_status' | 'not_its_api' | 'error'

export function amFailure(e: unknown): AmFailure {
  if (isHydraError(e) && e.exitCode === ExitCode.AUTH) return 'auth'
  const failure = (e as {failure?: unknown} | undefined)?.failure
  switch (failure) {
    case 'refused':
    case 'connect_timeout':
    case 'dns':
    case 'unreachable':
    case 'tls':
    case 'reset':
    case 'network':
      return 'unreachable'
    case 'timeout':
      return 'not_answering'
    case 'http_status':
      return 'error_status'
    case 'html':
    case 'not_json':
    case 'truncated':
    case 'too_large':
      return 'not_its_api'
    default:
      return 'error'
  }
}

/** The human phrase for an AmFailure. */
export const AM_FAILURE_WORDS: Record<AmFailure, string> = {
  auth: 'refused hydra\'s credentials',
  unreachable: 'unreachable',
  not_answering: 'accepted the connection but did not answer',
  error_status: 'answered with an error',
  not_its_api: "answered, but not with Alertmanager's API",
  error: 'failed',
}

/** Prometheus's active alerts → rows, firing first. Pure. */
export function buildAlertRows(cfg: HydraConfig, alerts: PromAlert[]): AlertRow[] {
  return alerts
    .filter((a): a is PromAlert & {state: 'firing' | 'pending'} => a.state === 'firing' || a.state === 'pending')
    .map((a) => ({
      alertname: a.labels.alertname ?? '?',
      state: a.state,
      ...(a.labels.severity ? {severity: a.labels.severity} : {}),
      ...(nodeOfSeries(cfg, a.labels) ? {node: nodeOfSeries(cfg, a.labels)} : {}),
      ...(a.labels.instance ? {instance: a.labels.instance} : {}),
      ...(a.activeAt ? {since: a.activeAt} : {}),
      ...(a.annotations?.summary ?? a.annotations?.description ? {summary: a.annotations?.summary ?? a.annotations?.description} : {}),
      labels: a.labels,
    }))
    .sort((x, y) => (x.state === y.state ? 0 : x.state === 'firing' ? -1 : 1) || compareNames(x.alertname, y.alertname) || compareNames(x.instance ?? '', y.instance ?? ''))
}

/** Rules whose last evaluation failed. Pure. */
export function unhealthyRules(groups: RuleGroup[]): UnhealthyRule[] {
  const out: UnhealthyRule[] = []
  for (const g of groups)
    for (const r of g.rules)
      if (r.health !== 'ok' && !(r.health === 'unknown' && !r.lastError)) {
        // "unknown" without an error is a rule not evaluated yet (just loaded): not a fault
        out.push({group: g.name, file: g.file, rule: r.name, type: r.type, health: r.health, lastError: r.lastError ?? ''})
      }
  return out
}

export function buildAmRows(cfg: HydraConfig, alerts: AmAlert[]): AmAlertRow[] {
  return alerts
    .map((a) => ({
      alertname: a.labels.alertname ?? '?',
      state: a.status.state,
      ...(a.labels.severity ? {severity: a.labels.severity} : {}),
      ...(nodeOfSeries(cfg, a.labels) ? {node: nodeOfSeries(cfg, a.labels)} : {}),
      ...(a.labels.instance ? {instance: a.labels.instance} : {}),
      since: a.startsAt,
      receivers: (a.receivers ?? []).map((r) => r.name),
      silencedBy: a.status.silencedBy ?? [],
      inhibitedBy: a.status.inhibitedBy ?? [],
    }))
    .sort((x, y) => compareNames(x.alertname, y.alertname) || compareNames(x.instance ?? '', y.instance ?? ''))
}

/** Active and pending silences; expired ones are history. Pure. */
export function buildSilenceRows(silences: AmSilence[]): SilenceRow[] {
  return silences
    .filter((s) => s.status.state !== 'expired')
    .map((s) => ({id: s.id, state: s.status.state, matchers: describeMatchers(s), endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment}))
    .sort((a, b) => compareTimes(a.endsAt, b.endsAt))
}

/** GET /api/v1/rules: every rule group with each rule's health and lastError. */
export async function ruleGroups(prom: PrometheusClient, options: CallOptions = {}): Promise<RuleGroup[]> {
  return (await prom.api<{groups: RuleGroup[] | null}>('GET', '/api/v1/rules', options)).data.groups ?? []
}

/** GET /api/v1/alerts: the alerts of Prometheus's alerting rules, pending and firing. */
export async function promAlerts(prom: PrometheusClient, options: CallOptions = {}): Promise<PromAlert[]> {
  // vmalert answers {"alerts":null} when nothing is active
  return (await prom.api<{alerts: PromAlert[] | null}>('GET', '/api/v1/alerts', options)).data.alerts ?? []
}

export async function alertsReport(prom: PrometheusClient, cfg: HydraConfig, am?: AlertmanagerClient, options: AlertsOptions = {}): Promise<AlertsReport> {
  const [backend, alerts, rules, amResult] = await Promise.all([
    backendOf(prom),
    promAlerts(prom),
    ruleGroups(prom),
    am ? Promise.all([am.alerts(), am.silences()]).then((r) => ({ok: r}), (error: unknown) => ({error})) : undefined,
  ])
  const rows = buildAlertRows(cfg, alerts)
  const bad = unhealthyRules(rules)
  const allRules = rules.flatMap((g) => g.rules ?? [])
  const noRuleEngine = ruleEngineMissing(backend, rules.length, prom.baseUrl)
  let alertmanager: AlertsReport['alertmanager']
  if (am && amResult) {
    if ('ok' in amResult) {
      alertmanager = {url: am.baseUrl, reachable: true, alerts: buildAmRows(cfg, amResult.ok[0]), silences: buildSilenceRows(amResult.ok[1])}
      markSilenced(rows, amResult.ok[0])
    } else {
      const e = amResult.error
      const hint = isHydraError(e) ? e.hint : undefined
      alertmanager = {url: am.baseUrl, reachable: false, error: e instanceof Error ? e.message : String(e), required: am.endpoint.required, cause: amFailure(e), ...(hint ? {hint} : {})}
    }
  }
  const report: Omit<AlertsReport, 'exitCode'> = {
    prometheus: prom.baseUrl,
    backend: {kind: backend.kind, name: backend.name},
    ...(noRuleEngine ? {noRuleEngine} : {}),
    alerts: rows,
    unhealthyRules: bad,
    rules: {groups: rules.length, alerting: allRules.filter((r) => r.type === 'alerting').length, recording: allRules.filter((r) => r.type === 'recording').length},
    ...(alertmanager ? {alertmanager} : {}),
    summary: {
      firing: rows.filter((r) => r.state === 'firing').length,
      pending: rows.filter((r) => r.state === 'pending').length,
      unhealthyRules: bad.length,
      silenced: alertmanager?.reachable ? alertmanager.alerts.filter((a) => a.state === 'suppressed').length : 0,
    },
  }
  return {...report, exitCode: alertsExitCode(report, options)}
}

/** Alertmanager's copy of an alert carries Prometheus's labels (plus any external labels): mark the silenced ones. */
export function markSilenced(rows: AlertRow[], amAlerts: AmAlert[]): void {
  for (const row of rows) {
    const copy = amAlerts.find((a) => Object.entries(row.labels).every(([k, v]) => a.labels[k] === v))
    if (copy && copy.status.silencedBy.length > 0) row.silencedBy = copy.status.silencedBy
  }
}

/**
 * Nothing evaluates rules behind this server: VictoriaMetrics started without -vmalert.proxyURL
 * answers /api/v1/rules and /api/v1/alerts with empty stubs. When its flags cannot be read, no rule
 * group at all is treated the same: hydra cannot tell an idle rule engine from none. Pure.
 */
export function ruleEngineMissing(backend: BackendInfo, groupCount: number, url: string): {message: string; hint: string} | undefined {
  if (backend.kind !== 'victoriametrics') return undefined
  if (backend.ruleEngine === false)
    return {
      message: `${backend.name} at ${url} evaluates no alert rules and no vmalert is attached (-vmalert.proxyURL is not set): hydra cannot tell whether any alert fires`,
      hint: noRuleEngineHint(backend),
    }
  if (backend.ruleEngine === undefined && groupCount === 0)
    return {
      message: `${backend.name} at ${url} answered no rule group, and its flags cannot be read: either no vmalert is attached (-vmalert.proxyURL) or it loads no rules; hydra cannot tell whether any alert fires`,
      hint: noRuleEngineHint(backend),
    }
  return undefined
}
