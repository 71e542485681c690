import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {formatBytes} from '../lib/format.js'
import {renderTable} from '../lib/output/table.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {GPU_EXPORTERS, gpuOverview, type GpuRow} from '../lib/views/gpu.js'

const num = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? '-' : `${v.toFixed(digits)}${unit}`)

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
      if (report.rows.length === 0) {
        this.print(`no GPU metrics in Prometheus: none of ${GPU_EXPORTERS.map((e) => e.marker).join(', ')} is scraped`)
        this.print('next: hydra targets --job nvidia-gpu, then hydra exporter status NODE')
        return report
      }
      if (!this.jsonEnabled()) {
        this.print(`exporter: ${report.exporters.map((e) => e.description).join(', ')}`)
        this.print(
          renderTable(
            [
              {header: 'node', value: (r: GpuRow) => r.node ?? r.instance},
              {header: 'gpu', value: (r) => r.index ?? r.gpu.slice(0, 12)},
              {header: 'name', value: (r) => r.name ?? '-'},
              {header: 'temp', value: (r) => num(r.temperatureCelsius, '°C')},
              {header: 'power', value: (r) => num(r.powerWatts, 'W', 1)},
              {header: 'vram', value: (r) => (r.memoryUsedBytes === undefined ? '-' : `${formatBytes(r.memoryUsedBytes)} / ${r.memoryTotalBytes === undefined ? '?' : formatBytes(r.memoryTotalBytes)}`)},
              {header: 'vram %', value: (r) => num(r.vramPercent, '%', 1)},
              {header: 'util', value: (r) => num(r.utilizationPercent, '%')},
            ],
            report.rows,
            {tty: this.term.isTTY},
          ),
        )
      }
      return report
    } finally {
      await prom.close()
    }
  }
}
