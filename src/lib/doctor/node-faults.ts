/**
 * One fault, one problem, for a node's Docker daemon: when it is down (or refuses hydra's user),
 * every container check on that node fails with the same cause — each container exporter's state,
 * each log driver. The first of them (in the catalogue's order) stays the problem, with the others
 * named in its evidence; the others are skipped under it, as a check whose dependency failed is.
 * A service that runs as a container on that node and refuses connections (health:loki when the
 * loki container is gone with its daemon) is folded the same way: a consequence, not a second fault.
 * Alerts already folded into a folded check's evidence (explained.ts runs first) move with it. Pure.
 */
import type {HydraConfig} from '../config/resolve.js'
import {DOCKER_DAEMON_FAULTS, type CheckResult} from './model.js'

/** health check id → the node whose Docker daemon runs the service's container */
function containerServices(cfg: HydraConfig): Map<string, string> {
  const m = new Map<string, string>()
  if (cfg.prometheus.container && cfg.prometheus.node) m.set('health:prometheus', cfg.prometheus.node)
  if (cfg.loki?.container && cfg.loki.node) m.set('health:loki', cfg.loki.node)
  for (const app of cfg.apps) if (app.container && app.node) m.set(`health:${app.id}`, app.node)
  return m
}

export function foldNodeFaults(cfg: HydraConfig, results: CheckResult[]): CheckResult[] {
  const root = new Map<string, CheckResult>()
  const under = new Map<string, CheckResult>()
  for (const r of results) {
    if (r.status !== 'fail' || !r.node || !DOCKER_DAEMON_FAULTS.has(r.cause ?? '')) continue
    const key = `${r.node}\u0000${r.cause}`
    const first = root.get(key)
    if (first) under.set(r.id, first)
    else root.set(key, r)
  }
  if (root.size === 0) return results
  // a containerised service that refuses connections on a node whose daemon is down
  const containers = containerServices(cfg)
  for (const r of results) {
    const node = containers.get(r.id)
    if (r.status !== 'fail' || r.cause !== 'refused' || !node) continue
    const first = root.get(`${node}\u0000docker_down`)
    if (first) under.set(r.id, first)
  }
  if (under.size === 0) return results
  const added = new Map<string, string[]>()
  for (const r of results) {
    const first = under.get(r.id)
    if (!first) continue
    const alerts = (r.evidence ?? []).filter((e) => e.startsWith('Prometheus fires '))
    const why = r.kind === 'health' ? `${r.id} refuses connections: its container cannot run without the daemon` : `${r.id} fails the same way`
    added.set(first.id, [...(added.get(first.id) ?? []), `${why} (skipped under this failure)`, ...alerts])
  }
  return results.map((r) => {
    const first = under.get(r.id)
    if (first) return {...r, status: 'skipped', detail: `skipped: ${first.id} failed`, cause: undefined, hint: undefined, evidence: undefined}
    const more = added.get(r.id)
    return more ? {...r, evidence: [...(r.evidence ?? []), ...more]} : r
  })
}
