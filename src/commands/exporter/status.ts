import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {nodeArg, nodeFlag, withNodeArg} from '../../flags.js'
import {renderExporterStatus} from '../../lib/exporters/render.js'

export default class ExporterStatus extends HydraCommand<typeof ExporterStatus> {
  static override summary = "show whether each node's exporters run, listen and serve metrics"
  static override description = `Over one SSH connection per node (ssh2; ~/.ssh/config and known_hosts honoured), for every exporter in the config: what manages it and its state (systemctl show for a systemd unit, docker inspect for a container, the process table for a process), whether its port is listening on the node (ss -ltn), and whether hydra can fetch its metrics over HTTP. Replaces the runbook's ssh typhon@hydra-compute "systemctl status prometheus-node-exporter".

${EXIT_CODES_HELP}
  (exporter status: 1 when any exporter is not running, not listening or not fetchable; 4 when SSH login is refused)`
  static override examples = [
    '<%= config.bin %> exporter status',
    '<%= config.bin %> exporter status hydra-compute',
    '<%= config.bin %> exporter status --node hydra-ai --node hydra-compute --json --timeout 3s',
  ]
  static override args = {node: nodeArg}
  static override flags = {node: nodeFlag({summary: 'only this node; repeatable (default: every node with exporters)'})}

  async run() {
    const [{SshPool}, {exporterStatus}, {fetchExporterMetrics}] = await Promise.all([
      import('../../lib/clients/ssh.js'),
      import('../../lib/exporters/status.js'),
      import('../../lib/exporters/fetch.js'),
    ])
    const cfg = this.cluster
    const pool = new SshPool(cfg)
    try {
      const report = await exporterStatus(cfg, {
        nodes: withNodeArg(this.args.node, this.flags.node),
        pool,
        fetchMetrics: (e) => fetchExporterMetrics(e, cfg.timeoutMs),
      })
      this.setExitCode(report.exitCode)
      this.print(renderExporterStatus(report.rows, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await pool.closeAll()
    }
  }
}
