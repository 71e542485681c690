import {describe, expect, it} from 'vitest'

import {makeStyler} from '../../../src/lib/output/terminal.js'
import type {QueryData} from '../../../src/lib/prometheus/query.js'
import {buildClusterRows, clusterExitCode, clusterQueries, type ClusterReport, type Sample} from '../../../src/lib/views/cluster.js'
import {buildGpuRows, GPU_EXPORTERS, gpuExitCode, type GpuReport} from '../../../src/lib/views/gpu.js'
import {renderCluster, renderGpu, renderInference} from '../../../src/lib/views/render.js'
import {clusterConfig, fixture} from '../../helpers/fixture-config.js'

function samples(name: string): Sample[] {
  const data = fixture<{data: QueryData}>('prometheus', name).data
  if (data.resultType !== 'vector') throw new Error(`${name} is not a vector`)
  return data.result.map((s) => ({metric: s.metric, value: Number(s.value[1])}))
}

const cfg = clusterConfig()
const style = makeStyler(false)

describe('renderCluster', () => {
  it('one row per node with its problems, then the count and the thresholds', () => {
    const rows = buildClusterRows(cfg, samples('query-cluster-up.json'), samples('query-cluster-disk.json'), samples('query-cluster-memory.json'))
    const summary = {nodes: 2, ok: 0, failing: 2}
    const report: ClusterReport = {prometheus: 'p', thresholds: cfg.thresholds, queries: clusterQueries(cfg), rows, summary, warnings: [], exitCode: clusterExitCode(summary)}
    const text = renderCluster(report, {style, tty: false})
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^NODE\s+UP\s+DISK FREE \/\s+MEM AVAILABLE\s+STATUS\s+PROBLEMS$/)
    expect(lines[1]).toMatch(/^hydra-compute\s+down\s+-\s+-\s+fail\s+node exporter is down$/)
    expect(lines[2]).toMatch(/^hydra-storage\s+up\s+31\.3%\s+98\.3%\s+fail\s+root disk 31\.3% free, below 40%$/)
    expect(lines.slice(3)).toEqual(['', `0/2 nodes ok (thresholds: disk free ${cfg.thresholds.rootDiskFreePercent}%, memory available ${cfg.thresholds.memoryAvailablePercent}%)`])
  })
})

describe('renderGpu', () => {
  it('names the exporter found, then one row per GPU in °C, W, bytes and %', () => {
    const spec = GPU_EXPORTERS.find((e) => e.kind === 'nvidia_smi')!
    const rows = buildGpuRows(cfg, spec, samples('query-gpu-nvidia-smi.json'))
    const report: GpuReport = {prometheus: 'p', exporters: [{kind: spec.kind, description: spec.description}], rows, warnings: [], exitCode: gpuExitCode(rows)}
    const lines = renderGpu(report, {tty: false}).split('\n')
    expect(lines[0]).toBe(`exporter: ${spec.description}`)
    expect(lines[1]).toMatch(/^NODE\s+GPU\s+NAME\s+TEMP\s+POWER\s+VRAM\s+VRAM %\s+UTIL$/)
    expect(lines).toHaveLength(2 + rows.length)
    expect(lines[2]).toMatch(/°C\s+\d+\.\dW\s+/)
  })

  it('no GPU metrics: says which exporters were looked for and what to run next', () => {
    const text = renderGpu({prometheus: 'p', exporters: [], rows: [], warnings: [], exitCode: 1}, {tty: false})
    expect(text).toBe(`no GPU metrics in Prometheus: none of ${GPU_EXPORTERS.map((e) => e.marker).join(', ')} is scraped\nnext: hydra targets --job nvidia-gpu, then hydra exporter status NODE`)
  })
})

describe('renderInference', () => {
  it('one row per instance: tokens/s to one decimal, p99 in seconds, requests in progress; - where a series is missing', () => {
    const rows = [{instance: '127.0.0.3:5000', node: 'hydra-ai', tokensPerSecond: 41.26, p99LatencySeconds: 1.5, requestsProcessing: 2}, {instance: 'x:5000'}]
    const lines = renderInference({prometheus: 'p', available: true, metricsFound: [], rows, warnings: []}, {tty: false}).split('\n')
    expect(lines[0]).toMatch(/^NODE\s+INSTANCE\s+TOKENS\/S\s+P99 LATENCY\s+IN PROGRESS$/)
    expect(lines[1]).toMatch(/^hydra-ai\s+127\.0\.0\.3:5000\s+41\.3\s+1\.50s\s+2$/)
    expect(lines[2]).toMatch(/^-\s+x:5000\s+-\s+-\s+-$/)
  })
  it('no TabbyAPI metrics: the explanation', () => {
    expect(renderInference({prometheus: 'p', available: false, metricsFound: [], rows: [], explanation: 'TabbyAPI exposes no metrics', warnings: []}, {tty: false})).toBe('TabbyAPI exposes no metrics')
    expect(renderInference({prometheus: 'p', available: false, metricsFound: [], rows: [], warnings: []}, {tty: false})).toBe('no TabbyAPI metrics')
  })
})
