/**
 * The runbook's "GPU Overview" panel with the metric names of the exporter actually scraped
 * (api-facts.md §5): the runbook's nvidia_gpu_power_draw_watts / nvidia_gpu_utilization_percent
 * come from no established exporter. Three exporters are known, each with its own names and units:
 *
 * - utkuozdemir/nvidia_gpu_exporter (`nvidia_smi_*`, nixpkgs' exporter on :9835): bytes, watts,
 *   utilisation as a 0-1 ratio; per-GPU series carry only `uuid`, the name is on nvidia_smi_gpu_info.
 * - NVIDIA dcgm-exporter (`DCGM_FI_DEV_*`): framebuffer in MiB (used + free, no total), util 0-100.
 * - mindprince/nvidia_gpu_prometheus_exporter (`nvidia_gpu_*`): power in milliwatts, duty cycle %.
 */
import type {HydraConfig} from '../config/resolve.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import type {PrometheusClient} from '../prometheus/client.js'
import {instantVector} from '../prometheus/query.js'
import type {Sample} from './cluster.js'
import {nodeOfSeries} from '../config/nodes.js'
import {compareNames} from '../order.js'

export type GpuExporterKind = 'nvidia_smi' | 'dcgm' | 'nvidia_gpu'

interface ExporterSpec {
  kind: GpuExporterKind
  description: string
  /** the metric whose presence identifies the exporter */
  marker: string
  metrics: {temperature: string; power: string; memUsed: string; memTotal?: string; memFree?: string; util: string; info?: string}
  /** labels that identify one GPU on one instance */
  gpuKey: string[]
  nameLabel?: string
  /** raw → bytes */
  memScale: number
  /** raw → watts */
  powerScale: number
  /** raw → percent */
  utilScale: number
}

export const GPU_EXPORTERS: ExporterSpec[] = [
  {
    kind: 'nvidia_smi',
    description: 'utkuozdemir/nvidia_gpu_exporter (nvidia_smi_*)',
    marker: 'nvidia_smi_temperature_gpu',
    metrics: {
      temperature: 'nvidia_smi_temperature_gpu',
      power: 'nvidia_smi_power_draw_watts',
      memUsed: 'nvidia_smi_memory_used_bytes',
      memTotal: 'nvidia_smi_memory_total_bytes',
      util: 'nvidia_smi_utilization_gpu_ratio',
      info: 'nvidia_smi_gpu_info',
    },
    gpuKey: ['uuid'],
    nameLabel: 'name',
    memScale: 1,
    powerScale: 1,
    utilScale: 100,
  },
  {
    kind: 'dcgm',
    description: 'NVIDIA dcgm-exporter (DCGM_FI_DEV_*)',
    marker: 'DCGM_FI_DEV_GPU_TEMP',
    metrics: {
      temperature: 'DCGM_FI_DEV_GPU_TEMP',
      power: 'DCGM_FI_DEV_POWER_USAGE',
      memUsed: 'DCGM_FI_DEV_FB_USED',
      memFree: 'DCGM_FI_DEV_FB_FREE',
      util: 'DCGM_FI_DEV_GPU_UTIL',
    },
    gpuKey: ['UUID', 'gpu'],
    nameLabel: 'modelName',
    memScale: 1024 * 1024,
    powerScale: 1,
    utilScale: 1,
  },
  {
    kind: 'nvidia_gpu',
    description: 'mindprince/nvidia_gpu_prometheus_exporter (nvidia_gpu_*)',
    marker: 'nvidia_gpu_temperature_celsius',
    metrics: {
      temperature: 'nvidia_gpu_temperature_celsius',
      power: 'nvidia_gpu_power_usage_milliwatts',
      memUsed: 'nvidia_gpu_memory_used_bytes',
      memTotal: 'nvidia_gpu_memory_total_bytes',
      util: 'nvidia_gpu_duty_cycle',
    },
    gpuKey: ['uuid', 'minor_number'],
    nameLabel: 'name',
    memScale: 1,
    powerScale: 1 / 1000,
    utilScale: 1,
  },
]

/** Finds which exporters are scraped: one query for the marker metrics of all three. */
export const GPU_DETECT_QUERY = `count by (__name__) ({__name__=~"${GPU_EXPORTERS.map((e) => e.marker).join('|')}"})`

export interface GpuRow {
  node?: string
  instance: string
  exporter: GpuExporterKind
  /** uuid, or the GPU index when there is no uuid */
  gpu: string
  index?: string
  name?: string
  temperatureCelsius?: number
  powerWatts?: number
  memoryUsedBytes?: number
  memoryTotalBytes?: number
  vramPercent?: number
  utilizationPercent?: number
}

export interface GpuReport {
  prometheus: string
  exporters: {kind: GpuExporterKind; description: string}[]
  rows: GpuRow[]
  warnings: string[]
  /** gpuExitCode: 1 when no GPU metrics are found */
  exitCode: ExitCodeValue
}

/** The exit policy of `hydra gpu`, pure: 1 when Prometheus has no GPU metrics at all, else 0. */
export function gpuExitCode(rows: GpuRow[]): ExitCodeValue {
  return rows.length === 0 ? ExitCode.FAILURE : ExitCode.OK
}

export function detectGpuExporters(detected: Sample[]): ExporterSpec[] {
  const names = new Set(detected.map((s) => s.metric.__name__))
  return GPU_EXPORTERS.filter((e) => names.has(e.marker))
}

/** One query per exporter, for every metric it needs. */
export function gpuQuery(spec: ExporterSpec): string {
  return `{__name__=~"${Object.values(spec.metrics).join('|')}"}`
}

/** The samples of one exporter's metrics → one row per GPU. Pure. */
export function buildGpuRows(cfg: HydraConfig, spec: ExporterSpec, samples: Sample[]): GpuRow[] {
  const rows = new Map<string, GpuRow & {memFree?: number}>()
  const keyOf = (m: Record<string, string>) => {
    const id = spec.gpuKey.map((k) => m[k]).find((v) => v !== undefined && v !== '') ?? ''
    return {key: `${m.instance ?? ''}\u0000${id}`, id}
  }
  const m = spec.metrics
  for (const s of samples) {
    const name = s.metric.__name__
    const {key, id} = keyOf(s.metric)
    let row = rows.get(key)
    if (!row) {
      row = {node: nodeOfSeries(cfg, s.metric), instance: s.metric.instance ?? '', exporter: spec.kind, gpu: id}
      rows.set(key, row)
    }
    if (spec.nameLabel && s.metric[spec.nameLabel]) row.name = s.metric[spec.nameLabel]
    const index = s.metric.index ?? s.metric.gpu ?? s.metric.minor_number
    if (index !== undefined) row.index = index
    if (name === m.temperature) row.temperatureCelsius = s.value
    else if (name === m.power) row.powerWatts = s.value * spec.powerScale
    else if (name === m.memUsed) row.memoryUsedBytes = s.value * spec.memScale
    else if (name === m.memTotal) row.memoryTotalBytes = s.value * spec.memScale
    else if (name === m.memFree) row.memFree = s.value * spec.memScale
    else if (name === m.util) row.utilizationPercent = s.value * spec.utilScale
  }
  const out: GpuRow[] = []
  for (const {memFree, ...row} of rows.values()) {
    if (row.memoryTotalBytes === undefined && memFree !== undefined && row.memoryUsedBytes !== undefined) {
      // DCGM has no total by default; used + free is what the card reports as usable framebuffer
      row.memoryTotalBytes = row.memoryUsedBytes + memFree
    }
    if (row.memoryUsedBytes !== undefined && row.memoryTotalBytes) row.vramPercent = (row.memoryUsedBytes / row.memoryTotalBytes) * 100
    // an info-only GPU (nvidia_smi_gpu_info without readings) is still a GPU the exporter sees
    out.push(row)
  }
  return out.sort((a, b) => compareNames(a.node ?? a.instance, b.node ?? b.instance) || compareNames(a.index ?? a.gpu, b.index ?? b.gpu))
}

export async function gpuOverview(prom: PrometheusClient, cfg: HydraConfig): Promise<GpuReport> {
  const detected = await instantVector(prom, GPU_DETECT_QUERY)
  const specs = detectGpuExporters(detected.samples)
  const warnings = [...detected.warnings]
  const rows: GpuRow[] = []
  for (const spec of specs) {
    const {samples, warnings: w} = await instantVector(prom, gpuQuery(spec))
    warnings.push(...w)
    rows.push(...buildGpuRows(cfg, spec, samples))
  }
  return {prometheus: prom.baseUrl, exporters: specs.map((s) => ({kind: s.kind, description: s.description})), rows, warnings, exitCode: gpuExitCode(rows)}
}
