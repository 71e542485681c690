import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {clusterHealth} from '../lib/views/cluster.js'
import {renderCluster} from '../lib/views/render.js'

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
      this.print(renderCluster(report, {style: this.style, tty: this.term.isTTY}))
      return report
    } finally {
      await prom.close()
    }
  }
}
