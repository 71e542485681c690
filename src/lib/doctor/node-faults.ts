/**
 * One fault, one problem, for a node's Docker daemon: when it is down (or refuses hydra's user),
 * every container check on that node fails with the same cause — each container exporter's state,
 * each log driver. The first of them (in the catalogue's order) stays the problem, with the others
 * named in its evidence; the others are skipped under it, as a check whose dependency failed is.
 * Alerts already folded into a folded check's evidence (explained.ts runs first) move with it. Pure.
 */
import {DOCKER_DAEMON_FAULTS, type CheckResult} from './model.js'

export function foldNodeFaults(results: CheckResult[]): CheckResult[] {
  const root = new Map<string, CheckResult>()
  const under = new Map<string, CheckResult>()
  for (const r of results) {
    if (r.status !== 'fail' || !r.node || !DOCKER_DAEMON_FAULTS.has(r.cause ?? '')) continue
    const key = `${r.node}\u0000${r.cause}`
    const first = root.get(key)
    if (first) under.set(r.id, first)
    else root.set(key, r)
  }
  if (under.size === 0) return results
  const added = new Map<string, string[]>()
  for (const r of results) {
    const first = under.get(r.id)
    if (!first) continue
    const alerts = (r.evidence ?? []).filter((e) => e.startsWith('Prometheus fires '))
    added.set(first.id, [...(added.get(first.id) ?? []), `${r.id} fails the same way (skipped under this failure)`, ...alerts])
  }
  return results.map((r) => {
    const first = under.get(r.id)
    if (first) return {...r, status: 'skipped', detail: `skipped: ${first.id} failed`, cause: undefined, hint: undefined, evidence: undefined}
    const more = added.get(r.id)
    return more ? {...r, evidence: [...(r.evidence ?? []), ...more]} : r
  })
}
