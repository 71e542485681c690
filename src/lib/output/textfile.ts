/**
 * Prometheus text-format metrics for node exporter's textfile collector (design.md §5), written
 * atomically: a temp file in the same directory, fsync, then rename, so the collector never reads
 * half a file.
 */
import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

export interface Metric {
  name: string
  help: string
  type: 'gauge' | 'counter'
  samples: {labels?: Record<string, string>; value: number}[]
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

export function renderMetrics(metrics: Metric[]): string {
  const out: string[] = []
  for (const m of metrics) {
    out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`)
    for (const s of m.samples) {
      const labels = Object.entries(s.labels ?? {})
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : ''
      out.push(`${m.name}${l} ${formatValue(s.value)}`)
    }
  }
  return out.join('\n') + '\n'
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

export function writeFileAtomically(path: string, content: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    const fd = openSync(tmp, 'w', mode)
    try {
      writeSync(fd, content)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (error) {
    rmSync(tmp, {force: true})
    throw error
  }
}

export function writeTextfile(path: string, metrics: Metric[]): void {
  writeFileAtomically(path, renderMetrics(metrics))
}
