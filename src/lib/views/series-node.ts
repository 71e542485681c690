/**
 * Which node of the config a series belongs to: its `node` label (hydra's rendered scrape config
 * sets one on every target), else its `instance` matched against the nodes' addresses and names.
 */
import {nodeForInstance, type HydraConfig} from '../config/resolve.js'

export function nodeOfSeries(cfg: HydraConfig, labels: Record<string, string>): string | undefined {
  if (labels.node && cfg.nodes.some((n) => n.name === labels.node)) return labels.node
  if (labels.instance) {
    const node = nodeForInstance(cfg, labels.instance)
    if (node) return node.name
  }
  return labels.node
}
