/** ssh:<node> — hydra can open an SSH session to the node (the root of every node's chain). */
import type {HydraConfig, ResolvedNode} from '../../../config/resolve.js'
import {isSshError} from '../../../ssh/errors.js'
import {sshDiagnosis} from '../../diagnose.js'
import {SLACK_MS, type Check} from '../../model.js'
import {sshCheckId} from '../ids.js'

export function sshCheck(_cfg: HydraConfig, node: ResolvedNode): Check {
  return {
    id: sshCheckId(node.name),
    kind: 'ssh',
    group: node.name,
    node: node.name,
    title: `SSH to ${node.name}`,
    dependsOn: [],
    // the TCP connect gets connectTimeout, the handshake after it the command budget too (clients/ssh.ts)
    timeoutMs: node.ssh.connectTimeoutMs + node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      try {
        await ctx.resources.sshConnect(node)
        return {status: 'ok', detail: `connected to ${node.ssh.user}@${node.address}:${node.ssh.port}`}
      } catch (error) {
        if (isSshError(error)) return sshDiagnosis(node, node.ssh.user, {failure: error.failure, message: error.message, hint: error.hint})
        throw error
      }
    },
  }
}
