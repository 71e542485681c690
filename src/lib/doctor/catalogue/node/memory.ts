/** memory:<node> — more memory available than thresholds.memoryAvailablePercent. */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import type {Check} from '../../model.js'
import {headroomCheck} from './headroom.js'

export function memoryCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter): Check {
  return headroomCheck(cfg, node, e, {
    kind: 'memory',
    what: 'memory available',
    threshold: cfg.thresholds.memoryAvailablePercent,
    query: (sel) => `100 * node_memory_MemAvailable_bytes{${sel}} / node_memory_MemTotal_bytes{${sel}}`,
    cause: 'memory_low',
    hint: `see what uses the memory on ${node.name} (ssh ${node.ssh.user}@${node.address} 'ps aux --sort=-rss | head')`,
  })
}
