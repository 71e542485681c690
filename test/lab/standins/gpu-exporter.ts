// A stand-in for utkuozdemir/nvidia_gpu_exporter (no Debian package, and no GPU in the lab),
// speaking the documented API of api-facts.md §5: Prometheus text on :9835/metrics with the REAL
// nvidia_smi_* names. Per-GPU series carry only `uuid`; name, index, driver_version, … live on
// nvidia_smi_gpu_info{…} 1. Utilization is a 0–1 ratio, memory is in bytes (from MiB).
import {renderMetrics, type MetricFamily} from './metrics-text.js'
import {PROM_TEXT, send, Standin, type StandinOptions} from './standin.js'

export interface LabGpu {
  uuid: string
  index: number
  name: string
  pciBusId: string
  computeCap: string
  memoryTotalMiB: number
  memoryUsedMiB: number
  temperatureC: number
  powerDrawW: number
  powerLimitW: number
  /** 0–100 as nvidia-smi prints it; exported as a 0–1 ratio */
  utilizationGpuPercent: number
  utilizationMemoryPercent: number
  fanSpeedPercent: number
}

export interface GpuExporterStandinOptions extends Partial<StandinOptions> {
  gpus: LabGpu[]
  driverVersion?: string
  cudaVersion?: string
}

const MIB = 1024 * 1024

export class GpuExporterStandin extends Standin {
  readonly what = 'utkuozdemir/nvidia_gpu_exporter (stand-in, api-facts.md §5)'
  gpus: LabGpu[]
  private readonly initialGpus: LabGpu[]
  readonly driverVersion: string
  readonly cudaVersion: string

  constructor(options: GpuExporterStandinOptions) {
    super({name: 'gpu-exporter', node: 'hydra-compute', host: '127.0.0.3', port: 9835, ...options})
    this.initialGpus = options.gpus.map((g) => ({...g}))
    this.gpus = this.initialGpus.map((g) => ({...g}))
    this.driverVersion = options.driverVersion ?? '565.57.01'
    this.cudaVersion = options.cudaVersion ?? '12.7'
    this.get('/', ({res}) =>
      send(
        res,
        200,
        '<html><head><title>Nvidia GPU Exporter</title></head><body><h1>Nvidia GPU Exporter</h1><p><a href="/metrics">Metrics</a></p></body></html>',
        'text/html; charset=UTF-8',
      ),
    )
    this.get('/metrics', ({res}) => send(res, 200, this.metrics(), PROM_TEXT))
  }

  override getState(): unknown {
    return {gpus: this.gpus}
  }

  override resetState(): void {
    this.gpus = this.initialGpus.map((g) => ({...g}))
  }

  /** `{gpus: [{index: 0, temperatureC: 91}]}`: patch GPUs by index. */
  override setState(patch: Record<string, unknown>): void {
    if (!Array.isArray(patch.gpus)) throw new Error('expected {gpus: [{index, …fields}]}')
    for (const p of patch.gpus as Partial<LabGpu>[]) {
      const gpu = this.gpus.find((g) => g.index === p.index)
      if (!gpu) throw new Error(`no GPU with index ${String(p.index)} on ${this.name}`)
      Object.assign(gpu, p, {uuid: gpu.uuid})
    }
  }

  private metrics(): string {
    const perGpu = (name: string, help: string, value: (g: LabGpu) => number): MetricFamily => ({
      name,
      help,
      type: 'gauge',
      samples: this.gpus.map((g) => ({labels: {uuid: g.uuid}, value: value(g)})),
    })
    return renderMetrics([
      {
        name: 'nvidia_smi_gpu_info',
        help: "A metric with a constant '1' value labeled by gpu uuid, name, index, driver_version, pci_bus_id, compute_cap, cuda_version, vbios_version, driver_model_current, driver_model_pending.",
        type: 'gauge',
        samples: this.gpus.map((g) => ({
          labels: {
            uuid: g.uuid,
            name: g.name,
            index: String(g.index),
            driver_version: this.driverVersion,
            pci_bus_id: g.pciBusId,
            compute_cap: g.computeCap,
            cuda_version: this.cudaVersion,
            vbios_version: '94.02.42.00.A9',
            driver_model_current: '',
            driver_model_pending: '',
          },
          value: 1,
        })),
      },
      perGpu('nvidia_smi_index', 'index [Zero based index of the GPU.]', (g) => g.index),
      perGpu('nvidia_smi_temperature_gpu', 'temperature.gpu [Core GPU temperature. in degrees C.]', (g) => g.temperatureC),
      perGpu('nvidia_smi_power_draw_watts', 'power.draw [The last measured power draw for the entire board, in watts.]', (g) => g.powerDrawW),
      perGpu('nvidia_smi_enforced_power_limit_watts', 'enforced.power.limit [The power management algorithm\'s power ceiling, in watts.]', (g) => g.powerLimitW),
      perGpu('nvidia_smi_memory_total_bytes', 'memory.total [Total installed GPU memory.]', (g) => g.memoryTotalMiB * MIB),
      perGpu('nvidia_smi_memory_used_bytes', 'memory.used [Total memory allocated by active contexts.]', (g) => g.memoryUsedMiB * MIB),
      perGpu('nvidia_smi_memory_free_bytes', 'memory.free [Total free memory.]', (g) => (g.memoryTotalMiB - g.memoryUsedMiB) * MIB),
      perGpu('nvidia_smi_utilization_gpu_ratio', 'utilization.gpu [Percent of time over the past sample period during which one or more kernels was executing on the GPU.]', (g) => g.utilizationGpuPercent / 100),
      perGpu('nvidia_smi_utilization_memory_ratio', 'utilization.memory [Percent of time over the past sample period during which global (device) memory was being read or written.]', (g) => g.utilizationMemoryPercent / 100),
      perGpu('nvidia_smi_fan_speed_ratio', 'fan.speed [The fan speed value is the percent of maximum speed that the device\'s fan is currently intended to run at.]', (g) => g.fanSpeedPercent / 100),
      {name: 'nvidia_smi_command_exit_code', help: 'Exit code of the last scrape command', type: 'gauge', samples: [{value: 0}]},
    ])
  }
}

/** The lab's GPUs: two RTX 3090s on hydra-compute, one RTX 4090 on hydra-ai. */
export function labGpus(node: 'hydra-compute' | 'hydra-ai'): LabGpu[] {
  const base = {computeCap: '8.6', fanSpeedPercent: 41, utilizationMemoryPercent: 12}
  if (node === 'hydra-compute')
    return [
      {...base, uuid: 'GPU-3f2a6c1e-8b1d-4c55-9d0e-1a7b2c3d4e01', index: 0, name: 'NVIDIA GeForce RTX 3090', pciBusId: '00000000:01:00.0', memoryTotalMiB: 24576, memoryUsedMiB: 18230, temperatureC: 64, powerDrawW: 287.4, powerLimitW: 350, utilizationGpuPercent: 87},
      {...base, uuid: 'GPU-3f2a6c1e-8b1d-4c55-9d0e-1a7b2c3d4e02', index: 1, name: 'NVIDIA GeForce RTX 3090', pciBusId: '00000000:02:00.0', memoryTotalMiB: 24576, memoryUsedMiB: 1024, temperatureC: 41, powerDrawW: 31.2, powerLimitW: 350, utilizationGpuPercent: 0},
    ]
  return [
    {...base, computeCap: '8.9', uuid: 'GPU-9c8d7e6f-5a4b-4321-8fed-cba987654321', index: 0, name: 'NVIDIA GeForce RTX 4090', pciBusId: '00000000:01:00.0', memoryTotalMiB: 24564, memoryUsedMiB: 21500, temperatureC: 71, powerDrawW: 402.9, powerLimitW: 450, utilizationGpuPercent: 96},
  ]
}
