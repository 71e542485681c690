import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeArg, nodeFlag, withNodeArg} from '../../flags.js'
import {renderTable} from '../../lib/output/table.js'
import {statusWord} from '../../lib/output/terminal.js'
import type {FirewallReport, PortVerdict} from '../../lib/firewall/check.js'

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
      if (!this.jsonEnabled()) this.render(report)
      return report
    } finally {
      await pool.closeAll()
    }
  }

  private render(report: FirewallReport): void {
    const rows = report.nodes.flatMap((n) => n.verdicts)
    if (rows.length > 0)
      this.print(
        renderTable(
          [
            {header: 'node', value: (r: PortVerdict) => r.node},
            {header: 'port', value: (r) => `${r.port}${r.exporter ? ` (${r.exporter})` : ''}`},
            {header: 'backend', value: (r) => r.backend},
            {header: 'verdict', value: (r) => statusWord(this.style, r.verdict.toUpperCase())},
            {header: 'decided by', value: (r) => (r.via ? `${r.via} → ${r.decidedBy}` : r.decidedBy), maxWidth: 100},
          ],
          rows,
          {tty: this.term.isTTY},
        ),
      )
    for (const n of report.nodes.filter((x) => x.error)) this.print(`${n.node}: ${n.error!.message}${n.error!.hint ? `\n  next: ${n.error!.hint}` : ''}`)
    const s = report.summary
    this.print(`\n${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown${s.nodesFailed ? `; ${s.nodesFailed} node(s) not checked` : ''}`)
    for (const r of rows.filter((x) => x.verdict !== 'allowed')) this.print(`  ${r.node}:${r.port}: ${r.reason ?? r.verdict}${r.hint ? `\n    next: ${r.hint}` : ''}`)
  }
}
