/**
 * Prometheus text-format metrics for node exporter's textfile collector, written atomically: a
 * temp file in the same directory, fsync, then rename, so the collector never reads half a file.
 * Names follow the exporter conventions (`promtool check metrics` is clean): gauges carry no
 * `_total`, times are `_timestamp_seconds`/`_seconds`, every file has `hydra_build_info`. A label
 * with an empty value is left out (Prometheus treats the two alike).
 */
import {closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync} from 'node:fs'
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
      const labels = Object.entries(s.labels ?? {}).filter(([, v]) => v !== '')
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

/**
 * `hydra_build_info{command,version,revision,nodejs} 1`: which hydra wrote the file. `command`
 * keeps the series of the different files apart (the collector refuses one series in two files).
 */
export function buildInfoMetric(command: string, version: string, revision: string): Metric {
  return {
    name: 'hydra_build_info',
    help: 'Which hydra wrote this file: version, commit and Node.js version (always 1).',
    type: 'gauge',
    samples: [{labels: {command, version, revision, nodejs: process.version}, value: 1}],
  }
}

/** The value of an unlabelled sample `name` in the file at `path` (a previous run's), if any. */
export function previousValue(path: string, name: string): number | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  const v = m ? Number(m[1]) : NaN
  return Number.isFinite(v) ? v : undefined
}

/**
 * `<prefix>_last_success_timestamp_seconds`: this run's time when it succeeded, else the value the
 * previous run left in the same file (0: never), so a failing run does not erase the last success.
 */
export function lastSuccessMetric(prefix: string, help: string, path: string, succeededAt?: Date): Metric {
  const name = `${prefix}_last_success_timestamp_seconds`
  const value = succeededAt ? Math.floor(succeededAt.getTime() / 1000) : (previousValue(path, name) ?? 0)
  return {name, help, type: 'gauge', samples: [{value}]}
}
