/**
 * One fault, one problem (issue 10, item 6): a firing alert that a failed check already explains
 * is evidence of that check, not a second problem. With node exporter stopped on hydra-compute,
 * `target:hydra-compute/node` names the cause (the unit is inactive) and the NodeExporterDown that
 * Prometheus fires for the same instance becomes a line of its evidence; alerts:prometheus fails
 * only for the alerts nothing else explains.
 *
 * A firing alert is explained by a failed check when
 * - the check found the node unreachable and the alert is about that node (its `node` label, or
 *   an `instance` on one of the node's exporters), or
 * - the check is a link of an exporter's chain (exporter, firewall, fetch, target) and the alert is
 *   about that exporter's instance (`instance` = address:port) — a down exporter fires nothing
 *   else, since its other series are gone, or
 * - the alert is the one hydra's rendered rules raise for that failure (silenced.ts'
 *   failureAlertLabels: the same alert name, and the same node/instance where both have one).
 * Pure.
 */
import type {HydraConfig} from '../config/resolve.js'
import {NODE_UNREACHABLE, type CheckResult} from './model.js'
import {failureAlertLabels} from './silenced.js'

const CHAIN_KINDS = new Set(['exporter', 'firewall', 'fetch', 'target'])
const ALERTS_CHECK = 'alerts:prometheus'

type Labels = Record<string, string>

function sameWhereBoth(a: Labels, b: Labels, keys: readonly string[]): boolean {
  const shared = keys.filter((k) => a[k] !== undefined && b[k] !== undefined)
  return shared.length > 0 && shared.every((k) => a[k] === b[k])
}

/** Does the failed check `r` explain the firing alert `alert`? */
export function explains(cfg: HydraConfig, r: CheckResult, alert: Labels): boolean {
  if (r.status !== 'fail' || r.id === ALERTS_CHECK) return false
  const node = r.node ? cfg.nodes.find((n) => n.name === r.node) : undefined
  if (r.cause === NODE_UNREACHABLE && node) {
    if (alert.node === node.name) return true
    if (alert.instance && node.exporters.some((e) => `${e.address}:${e.port}` === alert.instance)) return true
  }
  if (CHAIN_KINDS.has(r.kind) && node && alert.instance) {
    const subject = r.id.slice(r.id.indexOf(':') + 1)
    const exporter = node.exporters.find((e) => e.id === subject)
    if (exporter && `${exporter.address}:${exporter.port}` === alert.instance) return true
  }
  return failureAlertLabels(cfg, {...r, alertLabels: undefined})
    .filter((set) => set.alertname !== 'HydraCheckFailing')
    .some((set) => set.alertname === alert.alertname && sameWhereBoth(set, alert, ['node', 'instance']))
}

function alertText(a: Labels): string {
  return `${a.alertname ?? 'an alert'}${a.instance ? ` ${a.instance}` : a.node ? ` ${a.node}` : ''}`
}

/**
 * The results with each explained firing alert moved from alerts:prometheus to the evidence of the
 * failure that explains it. alerts:prometheus keeps the rest; when nothing is left it passes,
 * saying which checks explain the alerts. Pure.
 */
export function foldExplainedAlerts(cfg: HydraConfig, results: CheckResult[]): CheckResult[] {
  const alertsResult = results.find((r) => r.id === ALERTS_CHECK)
  const firing = alertsResult?.status === 'fail' ? (alertsResult.alertLabels ?? []) : []
  if (!alertsResult || firing.length === 0) return results
  const failed = results.filter((r) => r.status === 'fail' && r.id !== ALERTS_CHECK)
  const explainedBy = new Map<number, CheckResult>()
  firing.forEach((alert, i) => {
    // the most specific explanation first: an exporter's chain, then the node, then the rule's name
    const by = failed.find((r) => CHAIN_KINDS.has(r.kind) && explains(cfg, r, alert)) ?? failed.find((r) => explains(cfg, r, alert))
    if (by) explainedBy.set(i, by)
  })
  if (explainedBy.size === 0) return results
  const added = new Map<string, string[]>()
  for (const [i, by] of explainedBy) added.set(by.id, [...(added.get(by.id) ?? []), `Prometheus fires ${alertText(firing[i]!)}: explained by this failure`])
  const rest = firing.filter((_, i) => !explainedBy.has(i))
  const restEvidence = (alertsResult.evidence ?? []).filter((_, i) => !explainedBy.has(i))
  const explainers = [...new Set([...explainedBy.values()].map((r) => r.id))]
  const explainedWords = `${explainedBy.size} explained by ${explainers.join(', ')}`
  const alerts: CheckResult =
    rest.length === 0
      ? {
          ...alertsResult,
          status: 'ok',
          cause: undefined,
          hint: undefined,
          alertLabels: undefined,
          detail: `${firing.length} alert${firing.length === 1 ? '' : 's'} firing, each explained by a failed check (${explainers.join(', ')})`,
          evidence: alertsResult.evidence,
        }
      : {
          ...alertsResult,
          alertLabels: rest,
          evidence: restEvidence,
          detail: `${rest.length} alert${rest.length === 1 ? '' : 's'} firing: ${[...new Set(rest.map((a) => a.alertname ?? '?'))].join(', ')} (${explainedWords})`,
        }
  return results.map((r) => {
    if (r.id === ALERTS_CHECK) return alerts
    const more = added.get(r.id)
    return more ? {...r, evidence: [...(r.evidence ?? []), ...more]} : r
  })
}
