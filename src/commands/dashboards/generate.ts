import {writeFileSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {generateControlPlane} from '../../lib/grafana/generate.js'
import {PrometheusClient} from '../../lib/prometheus/client.js'

export default class DashboardsGenerate extends HydraCommand<typeof DashboardsGenerate> {
  static override summary = 'render the "Hydra AI Control Plane" dashboard from the config and the exporters Prometheus scrapes'
  static override description = `Writes importable dashboard JSON (uid hydra-ai-control-plane) to stdout or --output: cluster health (targets up per job, CPU, memory, root disk), one GPU row per detected GPU exporter with that exporter's own metric names and units (nvidia_smi_*: bytes, watts, 0-1 ratio; DCGM: MiB, percent; the same table hydra gpu uses), and inference (TabbyAPI's tabbyapi: series when present, Qdrant). Only panels whose metrics Prometheus has are emitted, so the result passes hydra dashboards check. The data source is the import input DS_PROMETHEUS.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> dashboards generate > hydra-ai-control-plane.json',
    '<%= config.bin %> dashboards generate | <%= config.bin %> dashboards import - --folder Hydra --overwrite',
  ]
  static override flags = {output: Flags.string({char: 'o', summary: 'write the JSON to this file instead of stdout'})}

  async run(): Promise<{dashboard: Record<string, unknown>}> {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const model = await generateControlPlane(prom, this.cluster)
      const text = JSON.stringify(model, null, 2) + '\n'
      if (this.flags.output) {
        writeFileSync(this.flags.output, text, {mode: 0o644})
        this.note(`wrote ${this.flags.output}`)
      } else if (!this.jsonEnabled()) process.stdout.write(text)
      return {dashboard: model} // under --json the model has a key of its own: its schemaVersion is Grafana's
    } finally {
      await prom.close()
    }
  }
}
