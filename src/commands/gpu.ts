import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {gpuOverview} from '../lib/views/gpu.js'
import {renderGpu} from '../lib/views/render.js'

export default class Gpu extends HydraCommand<typeof Gpu> {
  static override summary = 'show GPU temperature, power, VRAM and utilisation per node'
  static override description = `The runbook's GPU Overview panel with the names of the exporter Prometheus really scrapes (the runbook's nvidia_gpu_* names come from no exporter on :9835). Detects utkuozdemir/nvidia_gpu_exporter (nvidia_smi_*, utilisation a 0-1 ratio), NVIDIA dcgm-exporter (DCGM_FI_DEV_*, memory in MiB) or mindprince's exporter (nvidia_gpu_*, power in mW), converts to °C, W, bytes and %, and says which one it found.

${EXIT_CODES_HELP}
  (gpu: 1 when no GPU metrics are found)`
  static override examples = ['<%= config.bin %> gpu', '<%= config.bin %> gpu --json']

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const report = await gpuOverview(prom, this.cluster)
      for (const w of report.warnings) this.note(`warning: ${w}`)
      this.print(renderGpu(report, {tty: this.term.isTTY}))
      return report
    } finally {
      await prom.close()
    }
  }
}
