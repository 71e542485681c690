import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {ExitCode} from '../lib/errors.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {scrapeTargets, type TargetRow} from '../lib/prometheus/targets.js'
import {targetsMetrics} from '../lib/prometheus/targets-metrics.js'
import {renderTable} from '../lib/output/table.js'
import {statusWord} from '../lib/output/terminal.js'
import {formatAge, formatSeconds} from '../lib/output/time.js'

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
      const notUp = report.targets.filter((t) => t.health !== 'up').length
      this.setExitCode(notUp > 0 || report.notScraping ? ExitCode.FAILURE : ExitCode.OK)
      this.textfile(this.flags.textfile, targetsMetrics(report.targets, runAt))
      if (!this.jsonEnabled()) this.render(report)
      return report
    } catch (error) {
      this.textfile(this.flags.textfile, targetsMetrics(undefined, runAt))
      throw error
    } finally {
      await prom.close()
    }
  }

  private render(report: Awaited<ReturnType<typeof scrapeTargets>>): void {
    const rows = report.targets
    if (report.notScraping) return this.print(`${report.notScraping.message}\n  fix: ${report.notScraping.hint}`)
    if (rows.length === 0) {
      this.print(this.flags.down ? 'no target is down' : 'no targets match')
      return
    }
    const now = Date.now()
    this.print(
      renderTable(
        [
          {header: 'node', value: (r: TargetRow) => r.node ?? '-'},
          {header: 'job', value: (r) => r.job},
          {header: 'instance', value: (r) => r.instance},
          {header: 'health', value: (r) => statusWord(this.style, r.health)},
          {header: 'last scrape', value: (r) => formatAge(r.lastScrape, now)},
          {header: 'duration', value: (r) => formatSeconds(r.scrapeDurationSeconds)},
          {header: 'error', value: (r) => r.lastError || '', maxWidth: 70},
        ],
        rows,
        {tty: this.term.isTTY},
      ),
    )
    const s = report.summary
    this.print(`\n${s.total} target${s.total === 1 ? '' : 's'}: ${s.up} up, ${s.down} down${s.unknown ? `, ${s.unknown} unknown` : ''}`)
    for (const g of report.errorsByCause) this.print(`  ${g.cause} (${g.instances.length}): ${g.description}: ${g.instances.join(', ')}`)
    const downNodes = [...new Set(rows.filter((r) => r.health !== 'up' && r.node).map((r) => r.node!))]
    if (downNodes.length > 0)
      this.print(`next: ${downNodes.map((n) => `hydra exporter status ${n}; hydra firewall check ${n}`).join('; ')}; or hydra doctor for the whole chain`)
    else if (report.errorsByCause.length > 0) this.print('next: hydra doctor')
  }
}
