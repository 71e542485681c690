/** `hydra cluster`, `hydra gpu` and `hydra inference` for a person: the runbook's panels as tables. Pure. */
import {formatBytes} from '../format.js'
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import {formatSeconds} from '../output/time.js'
import type {ClusterReport, ClusterRow} from './cluster.js'
import {GPU_EXPORTERS, type GpuReport, type GpuRow} from './gpu.js'
import type {InferenceReport, InferenceRow} from './inference.js'

const pct = (v?: number) => (v === undefined ? '-' : `${v.toFixed(1)}%`)
const num = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? '-' : `${v.toFixed(digits)}${unit}`)

export function renderCluster(report: ClusterReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const t = report.thresholds
  return [
    renderTable(
      [
        {header: 'node', value: (r: ClusterRow) => r.node},
        {header: 'up', value: (r) => (r.up === undefined ? '-' : statusWord(style, r.up ? 'up' : 'down'))},
        {header: 'disk free /', value: (r) => pct(r.rootDiskFreePercent)},
        {header: 'mem available', value: (r) => pct(r.memoryAvailablePercent)},
        {header: 'status', value: (r) => statusWord(style, r.status)},
        {header: 'problems', value: (r) => r.problems.join('; '), maxWidth: 70},
      ],
      report.rows,
      {tty},
    ),
    `\n${report.summary.ok}/${report.summary.nodes} nodes ok (thresholds: disk free ${t.rootDiskFreePercent}%, memory available ${t.memoryAvailablePercent}%)`,
  ].join('\n')
}

export function renderGpu(report: GpuReport, {tty}: {tty: boolean}): string {
  if (report.rows.length === 0)
    return `no GPU metrics in Prometheus: none of ${GPU_EXPORTERS.map((e) => e.marker).join(', ')} is scraped\nnext: hydra targets --job nvidia-gpu, then hydra exporter status NODE`
  return [
    `exporter: ${report.exporters.map((e) => e.description).join(', ')}`,
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
      {tty},
    ),
  ].join('\n')
}

/** `hydra inference`: tokens/s, p99 latency and requests in progress per instance, or why there are none. */
export function renderInference(report: InferenceReport, {tty}: {tty: boolean}): string {
  if (!report.available) return report.explanation ?? 'no TabbyAPI metrics'
  return renderTable(
    [
      {header: 'node', value: (r: InferenceRow) => r.node ?? '-'},
      {header: 'instance', value: (r) => r.instance},
      {header: 'tokens/s', value: (r) => (r.tokensPerSecond === undefined ? '-' : r.tokensPerSecond.toFixed(1))},
      {header: 'p99 latency', value: (r) => (r.p99LatencySeconds === undefined ? '-' : formatSeconds(r.p99LatencySeconds))},
      {header: 'in progress', value: (r) => (r.requestsProcessing === undefined ? '-' : String(r.requestsProcessing))},
    ],
    report.rows,
    {tty},
  )
}
