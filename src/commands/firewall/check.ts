import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeArg, nodeFlag, withNodeArg} from '../../flags.js'
import {renderFirewall} from '../../lib/firewall/render.js'

export default class FirewallCheck extends HydraCommand<typeof FirewallCheck> {
  static override summary = "judge whether a node's firewall lets hydra reach its exporter ports"
  static override description = `Over SSH: detects the node's firewall backend (iptables legacy, iptables-nft, nftables), reads its rules (iptables -S, nft -j list ruleset; with sudo -n when ssh.sudo is set) and follows a new TCP connection from hydra's address to each exporter port (or --port) through INPUT, jumps, gotos, returns and policies, NixOS's nixos-fw chains included. The answer is ALLOWED, BLOCKED or UNKNOWN and names the rule that decides. Replaces the runbook's ssh typhon@hydra-compute "sudo iptables -L -n | grep 9100".

${EXIT_CODES_HELP}
  (firewall check: 1 when a port is blocked or cannot be judged; 4 when SSH login is refused)`
  static override examples = [
    '<%= config.bin %> firewall check',
    '<%= config.bin %> firewall check hydra-compute',
    '<%= config.bin %> firewall check --node hydra-ai --node hydra-compute --port 9835 --json',
  ]
  static override args = {node: nodeArg}
  static override flags = {
    node: nodeFlag({summary: 'only this node; repeatable (default: every node)'}),
    port: Flags.integer({summary: 'judge this TCP port instead of the node exporter ports', min: 1, max: 65535}),
  }

  async run() {
    const [{SshPool}, {checkFirewall}] = await Promise.all([import('../../lib/clients/ssh.js'), import('../../lib/firewall/check.js')])
    const pool = new SshPool(this.cluster)
    try {
      const report = await checkFirewall(this.cluster, {nodes: withNodeArg(this.args.node, this.flags.node), port: this.flags.port, pool})
      this.setExitCode(report.exitCode)
      this.print(renderFirewall(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await pool.closeAll()
    }
  }
}
