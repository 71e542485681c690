/**
 * Config lookups by node: the one way every command selects nodes (`--node NAME`, repeatable), and
 * which node of the config a series belongs to. Pure.
 */
import {UserError} from '../errors.js'
import {nodeForInstance, type HydraConfig, type ResolvedNode} from './resolve.js'

/**
 * The nodes named (in the order given, each once), or every node when none is named. A name the
 * config does not have is a usage error (exit 2) that lists the known ones.
 */
export function selectNodes(cfg: Pick<HydraConfig, 'nodes'>, names: readonly string[] | undefined): ResolvedNode[] {
  if (!names?.length) return cfg.nodes
  const unknown = names.filter((n) => !cfg.nodes.some((x) => x.name === n))
  if (unknown.length > 0)
    throw new UserError(`no node named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in the config`, {
      code: 'unknown_node',
      hint: `known nodes: ${cfg.nodes.map((x) => x.name).join(', ')}`,
    })
  return [...new Set(names)].map((n) => cfg.nodes.find((x) => x.name === n)!)
}

/**
 * Which node of the config a series belongs to: its `node` label (hydra's rendered scrape config
 * sets one on every target), else its `instance` matched against the nodes' addresses and names.
 */
export function nodeOfSeries(cfg: HydraConfig, labels: Record<string, string>): string | undefined {
  if (labels.node && cfg.nodes.some((n) => n.name === labels.node)) return labels.node
  if (labels.instance) {
    const node = nodeForInstance(cfg, labels.instance)
    if (node) return node.name
  }
  return labels.node
}
