import {Flags} from '@oclif/core'
import {stringify} from 'yaml'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {renderPrometheusYaml, renderScrapeConfigs} from '../../lib/prometheus/scrape-config.js'
import {scrapeDrift} from '../../lib/prometheus/scrape-drift.js'
import {renderScrapeDrift} from '../../lib/prometheus/scrape-drift-render.js'

export default class ConfigScrape extends HydraCommand<typeof ConfigScrape> {
  static override summary = 'render Prometheus scrape_configs from the config, or diff them with the live Prometheus'
  static override description = `Prints the scrape_configs for every exporter of every node (labelled with its node) and every app with a metrics path, ready to paste into prometheus.yml (--full: a whole prometheus.yml). With --diff, compares them with the configuration the live Prometheus runs (/api/v1/status/config) and names targets missing from either side.

${EXIT_CODES_HELP}
  (config scrape --diff: 1 when the live Prometheus differs from the config)`
  static override examples = [
    '<%= config.bin %> config scrape',
    '<%= config.bin %> config scrape --full > prometheus.yml && promtool check config prometheus.yml',
    '<%= config.bin %> config scrape --diff',
  ]
  static override flags = {
    full: Flags.boolean({summary: 'a whole prometheus.yml (global, alerting, scrape_configs)', exclusive: ['diff']}),
    diff: Flags.boolean({summary: 'compare with the live Prometheus instead of printing'}),
  }

  async run() {
    const scrapeConfigs = renderScrapeConfigs(this.cluster)
    if (!this.flags.diff) {
      const yaml = this.flags.full ? renderPrometheusYaml(this.cluster) : stringify({scrape_configs: scrapeConfigs}, {lineWidth: 0})
      if (!this.jsonEnabled()) process.stdout.write(yaml)
      return {scrapeConfigs, yaml}
    }
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const drift = await scrapeDrift(prom, scrapeConfigs)
      this.print(renderScrapeDrift(drift))
      return drift
    } finally {
      await prom.close()
    }
  }
}
