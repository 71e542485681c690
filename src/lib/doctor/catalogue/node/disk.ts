/** disk:<node> — the root filesystem has more free space than thresholds.rootDiskFreePercent. */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../../../config/resolve.js'
import type {Check} from '../../model.js'
import {headroomCheck} from './headroom.js'

export function diskCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter): Check {
  return headroomCheck(cfg, node, e, {
    kind: 'disk',
    what: 'root filesystem free',
    threshold: cfg.thresholds.rootDiskFreePercent,
    query: (sel) => `100 * node_filesystem_avail_bytes{${sel},mountpoint="/"} / node_filesystem_size_bytes{${sel},mountpoint="/"}`,
    cause: 'disk_low',
    hint: `free space on ${node.name}'s / (ssh ${node.ssh.user}@${node.address} 'df -h /; du -xsh /var/* | sort -h | tail')`,
  })
}
