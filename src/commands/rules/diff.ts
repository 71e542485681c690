import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag} from '../../flags.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'
import {rulesDiff} from '../../lib/rules/diff.js'
import {renderRulesDiff} from '../../lib/rules/diff-render.js'
import type {GpuExporterKind} from '../../lib/views/gpu.js'

export default class RulesDiff extends HydraCommand<typeof RulesDiff> {
  static override summary = 'compare the rendered alert rules with the rules Prometheus has loaded'
  static override description = `Renders the rules as \`hydra rules render\` does (asking Prometheus which exporters it scrapes), then compares them, alert by alert, with GET /api/v1/rules: rules missing from Prometheus, rules it has that hydra does not render, and rules whose expression, \`for\` or labels differ. Works against VictoriaMetrics too, which answers /api/v1/rules for vmalert (-vmalert.proxyURL); a VictoriaMetrics with no vmalert attached is said so (exit 1), not reported as every rule missing.

${EXIT_CODES_HELP}
  (rules diff: 1 when the loaded rules differ from the rendered ones)`
  static override examples = ['<%= config.bin %> rules diff', '<%= config.bin %> rules diff --group hydra-nodes --json']
  static override flags = {
    group: Flags.string({summary: 'compare only this rendered group; repeatable', options: ['hydra-nodes', 'hydra-gpu', 'hydra-prometheus', 'hydra-loki', 'hydra-cron'], multiple: true}),
    'gpu-exporter': Flags.string({summary: 'the GPU exporter, instead of detecting it; repeatable', options: ['nvidia_smi', 'dcgm', 'nvidia_gpu'], multiple: true}),
    'max-for': durationFlag({summary: "cap every rendered rule's `for`, as the loaded file was rendered with", timer: false}),
  }

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const drift = await rulesDiff(this.cluster, prom, {maxForMs: this.flags['max-for'], groups: this.flags.group, gpuExporters: this.flags['gpu-exporter'] as GpuExporterKind[] | undefined})
      for (const n of drift.source.notes) this.note(`note: ${n}`)
      this.print(renderRulesDiff(drift))
      return drift
    } finally {
      await prom.close()
    }
  }
}
