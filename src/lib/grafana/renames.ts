/**
 * Known metric renames that explain a dashboard's "No data": the GPU names of the runbook and of
 * older exporters, mapped through the same exporter table `hydra gpu` uses (views/gpu.ts) onto the
 * exporter this Prometheus actually scrapes. Pure.
 */
import {GPU_EXPORTERS, type GpuExporterKind} from '../views/gpu.js'

type Role = 'temperature' | 'power' | 'memUsed' | 'memTotal' | 'util'

/** names no exporter of this cluster serves, by the quantity they stand for */
const LEGACY_GPU: Record<string, {role: Role; unit?: string}> = {
  // the runbook's own names (ad-hoc scripts; no established exporter)
  nvidia_gpu_power_draw_watts: {role: 'power', unit: 'W'},
  nvidia_gpu_utilization_percent: {role: 'util', unit: '%'},
  // NVIDIA dcgm-exporter 1.x (etc/1.x-compatibility-metrics.csv)
  dcgm_gpu_temp: {role: 'temperature', unit: '°C'},
  dcgm_power_usage: {role: 'power', unit: 'W'},
  dcgm_gpu_utilization: {role: 'util', unit: '%'},
  dcgm_fb_used: {role: 'memUsed', unit: 'MiB'},
}

const UNITS: Record<GpuExporterKind, Record<Role, string>> = {
  nvidia_smi: {temperature: '°C', power: 'W', memUsed: 'bytes', memTotal: 'bytes', util: 'a 0-1 ratio'},
  dcgm: {temperature: '°C', power: 'W', memUsed: 'MiB', memTotal: 'MiB', util: '%'},
  nvidia_gpu: {temperature: '°C', power: 'mW', memUsed: 'bytes', memTotal: 'bytes', util: '%'},
}

export interface Rename {
  metric: string
  replacement?: string
  note: string
}

function roleOf(metric: string): {role: Role; unit?: string; from?: GpuExporterKind} | undefined {
  const legacy = LEGACY_GPU[metric]
  if (legacy) return legacy
  for (const spec of GPU_EXPORTERS) {
    for (const [role, name] of Object.entries(spec.metrics)) {
      if (name === metric && role !== 'info' && role !== 'memFree') return {role: role as Role, unit: UNITS[spec.kind][role as Role], from: spec.kind}
    }
  }
  return undefined
}

/**
 * What to use instead of a metric Prometheus does not have, given the names it does have.
 * The exporter is the one whose marker metric exists; without any, the config's default
 * (utkuozdemir/nvidia_gpu_exporter, nvidia_smi_*).
 */
export function suggestReplacement(metric: string, present: Set<string>): Rename | undefined {
  if (/^tabby_/.test(metric))
    return {metric, note: 'TabbyAPI serves no Prometheus metrics on main; its /health probe is what hydra inference reads'}
  const r = roleOf(metric)
  if (!r) return undefined
  const spec = GPU_EXPORTERS.find((s) => present.has(s.marker) && s.kind !== r.from) ?? GPU_EXPORTERS.find((s) => s.kind === 'nvidia_smi')!
  const replacement = spec.metrics[r.role]
  if (!replacement || replacement === metric) return undefined
  const toUnit = UNITS[spec.kind][r.role]
  const unitNote = r.unit && r.unit !== toUnit ? `; unit ${toUnit}, not ${r.unit}` : ''
  return {metric, replacement, note: `${metric} is not served here; ${spec.description} serves ${replacement}${unitNote}`}
}
