import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {renderTable} from '../lib/output/table.js'
import {statusWord} from '../lib/output/terminal.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {clusterHealth, type ClusterRow} from '../lib/views/cluster.js'

const pct = (v?: number) => (v === undefined ? '-' : `${v.toFixed(1)}%`)

export default class Cluster extends HydraCommand<typeof Cluster> {
  static override summary = 'show node up, root-disk free and memory available per node'
  static override description = `The runbook's Cluster Health panel: up{job="node"}, root filesystem free % and MemAvailable % per node, judged against thresholds.rootDiskFreePercent and thresholds.memoryAvailablePercent of the config.

${EXIT_CODES_HELP}
  (cluster: 1 when a node is down or below a threshold)`
  static override examples = ['<%= config.bin %> cluster', '<%= config.bin %> cluster --json']

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const report = await clusterHealth(prom, this.cluster)
      for (const w of report.warnings) this.note(`warning: ${w}`)
      if (!this.jsonEnabled()) {
        this.print(
          renderTable(
            [
              {header: 'node', value: (r: ClusterRow) => r.node},
              {header: 'up', value: (r) => (r.up === undefined ? '-' : statusWord(this.style, r.up ? 'up' : 'down'))},
              {header: 'disk free /', value: (r) => pct(r.rootDiskFreePercent)},
              {header: 'mem available', value: (r) => pct(r.memoryAvailablePercent)},
              {header: 'status', value: (r) => statusWord(this.style, r.status)},
              {header: 'problems', value: (r) => r.problems.join('; '), maxWidth: 70},
            ],
            report.rows,
            {tty: this.term.isTTY},
          ),
        )
        const t = report.thresholds
        this.print(`\n${report.summary.ok}/${report.summary.nodes} nodes ok (thresholds: disk free ${t.rootDiskFreePercent}%, memory available ${t.memoryAvailablePercent}%)`)
      }
      return report
    } finally {
      await prom.close()
    }
  }
}
