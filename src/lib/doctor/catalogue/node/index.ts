/**
 * The node family: per node, SSH; per exporter the runbook's chain ssh → state and firewall →
 * fetch → Prometheus target (and the exporter's own health endpoint, if it has one); then disk
 * and memory headroom from the node exporter. Composes only.
 */
import type {Check, CheckFamily} from '../../model.js'
import {isNodeExporter} from '../exporter-target.js'
import {healthCheck} from '../health.js'
import {fetchCheckId} from '../ids.js'
import {diskCheck} from './disk.js'
import {exporterCheck} from './exporter.js'
import {fetchCheck} from './fetch.js'
import {firewallCheck} from './firewall.js'
import {memoryCheck} from './memory.js'
import {sshCheck} from './ssh.js'
import {targetCheck} from './target.js'

export const nodeFamily: CheckFamily = {
  name: 'node',
  kinds: ['ssh', 'exporter', 'firewall', 'fetch', 'target', 'disk', 'memory'],
  checks(cfg, probes) {
    const checks: Check[] = []
    for (const node of cfg.nodes) {
      checks.push(sshCheck(cfg, node))
      const withFirewall = node.firewall !== 'none'
      for (const e of node.exporters) {
        checks.push(exporterCheck(node, e))
        if (withFirewall) checks.push(firewallCheck(node, e))
        checks.push(fetchCheck(cfg, node, e, withFirewall), targetCheck(cfg, node, e))
        const probe = probes.find((p) => p.id === e.id)
        if (probe) checks.push(healthCheck(cfg, probe, [fetchCheckId(e)]))
      }
      const nodeExporter = node.exporters.find(isNodeExporter)
      if (nodeExporter) checks.push(diskCheck(cfg, node, nodeExporter), memoryCheck(cfg, node, nodeExporter))
    }
    return checks
  },
}
