/** Which Prometheus target scrapes which exporter of the config. Pure. */
import {hostOfInstance, type ResolvedExporter} from '../../config/resolve.js'
import type {TargetRow} from '../../prometheus/targets.js'

/** The port of a target: from its instance label, else its scrape URL. */
function targetPort(t: TargetRow): number | undefined {
  const fromInstance = /:(\d+)$/.exec(t.instance)?.[1]
  if (fromInstance) return Number(fromInstance)
  try {
    const u = new URL(t.scrapeUrl)
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80))
  } catch {
    return undefined
  }
}

/** The Prometheus target that scrapes this exporter: same node, same port. */
export function targetForExporter(targets: TargetRow[], e: ResolvedExporter): TargetRow | undefined {
  const candidates = targets.filter((t) => (t.node === e.node || hostOfInstance(t.instance) === e.address) && targetPort(t) === e.port)
  return candidates.find((t) => t.job === e.job) ?? candidates[0]
}

export function isNodeExporter(e: ResolvedExporter): boolean {
  return e.name === 'node' || e.job === 'node'
}
