import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {scrapeTargets} from '../lib/prometheus/targets.js'
import {targetsMetrics} from '../lib/prometheus/targets-metrics.js'
import {renderTargets} from '../lib/prometheus/targets-render.js'

export default class Targets extends HydraCommand<typeof Targets> {
  static override summary = 'list Prometheus scrape targets and their health'
  static override description = `One row per active scrape target: the node it belongs to (matched from the config by address), job, instance, health, age of the last scrape, scrape duration and the last error. Errors are grouped by cause (refused, timeout, unreachable, ...). Replaces the runbook's curl /api/v1/targets | jq.

${EXIT_CODES_HELP}
  (targets: 1 when any listed target is not up, or when services.prometheus scrapes nothing (VictoriaMetrics without -promscrape.config, Mimir): the targets live elsewhere)`
  static override examples = [
    '<%= config.bin %> targets',
    '<%= config.bin %> targets --down',
    '<%= config.bin %> targets --job node --json',
    '<%= config.bin %> targets --textfile /var/lib/prometheus/node-exporter/hydra_targets.prom',
  ]
  static override flags = {
    job: Flags.string({summary: 'only targets of this job (scrape pool)'}),
    down: Flags.boolean({summary: 'only targets that are not up'}),
    textfile: Flags.string({summary: 'also write Prometheus metrics for the textfile collector to this path (atomically)'}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    const runAt = new Date()
    try {
      const report = await scrapeTargets(prom, this.cluster, {job: this.flags.job, down: this.flags.down})
      this.textfile(this.flags.textfile, targetsMetrics(report.targets, runAt))
      this.print(renderTargets(report, {style: this.style, tty: this.term.isTTY, down: this.flags.down}))
      return report
    } catch (error) {
      this.textfile(this.flags.textfile, targetsMetrics(undefined, runAt))
      throw error
    } finally {
      await prom.close()
    }
  }
}
