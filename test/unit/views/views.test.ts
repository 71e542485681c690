import {describe, expect, it} from 'vitest'

import type {QueryData} from '../../../src/lib/prometheus/query.js'
import {buildClusterRows, clusterExitCode, clusterQueries, type Sample} from '../../../src/lib/views/cluster.js'
import {buildGpuRows, detectGpuExporters, gpuExitCode, GPU_EXPORTERS} from '../../../src/lib/views/gpu.js'
import {buildInferenceRows, INFERENCE_QUERIES, NO_TABBY_METRICS_EXPLANATION} from '../../../src/lib/views/inference.js'
import {clusterConfig, fixture} from '../../helpers/fixture-config.js'

/** A vector fixture of the real Prometheus as the views' samples. */
function samples(name: string): Sample[] {
  const data = fixture<{data: QueryData}>('prometheus', name).data
  if (data.resultType !== 'vector') throw new Error(`${name} is not a vector`)
  return data.result.map((s) => ({metric: s.metric, value: Number(s.value[1])}))
}

const cfg = clusterConfig()
const spec = (kind: string) => GPU_EXPORTERS.find((e) => e.kind === kind)!

describe('cluster view', () => {
  it("uses the runbook's queries with the config's node job", () => {
    expect(clusterQueries(cfg)).toEqual({
      up: 'up{job="node"}',
      disk: 'node_filesystem_avail_bytes{job="node",mountpoint="/"} / node_filesystem_size_bytes{job="node",mountpoint="/"} * 100',
      memory: 'node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"} * 100',
    })
  })

  it('fails the down node and the one below the disk threshold (40% in this config)', () => {
    // real answers: 127.0.0.3 down, 127.0.0.2 at 31.3% root free and 98.3% memory available
    const rows = buildClusterRows(cfg, samples('query-cluster-up.json'), samples('query-cluster-disk.json'), samples('query-cluster-memory.json'))
    expect(rows).toEqual([
      {node: 'hydra-compute', instance: '127.0.0.3:9100', up: false, status: 'fail', problems: ['node exporter is down']},
      {
        node: 'hydra-storage',
        instance: '127.0.0.2:9100',
        up: true,
        rootDiskFreePercent: 31.32588591216744,
        memoryAvailablePercent: 98.31384520848488,
        status: 'fail',
        problems: ['root disk 31.3% free, below 40%'],
      },
    ])
  })

  it('reports a configured node Prometheus has no series for', () => {
    const rows = buildClusterRows(cfg, [], [], [])
    expect(rows.map((r) => [r.node, r.status, r.problems[0]])).toEqual([
      ['hydra-compute', 'fail', 'no up series: Prometheus does not scrape its node exporter'],
      ['hydra-storage', 'fail', 'no up series: Prometheus does not scrape its node exporter'],
    ])
    expect(buildClusterRows(cfg, [], [], [], 'VictoriaMetrics')[0]!.problems[0]).toBe('no up series for its node exporter in VictoriaMetrics')
  })
})

describe('gpu view', () => {
  it('detects utkuozdemir/nvidia_gpu_exporter from the real scrape, and nothing where there is none', () => {
    expect(detectGpuExporters(samples('query-gpu-detect-nvidia-smi.json')).map((e) => e.kind)).toEqual(['nvidia_smi'])
    expect(detectGpuExporters(samples('query-gpu-detect-none.json'))).toEqual([])
  })

  it('joins nvidia_smi_* by uuid with nvidia_smi_gpu_info, util ratio → %', () => {
    // the lab's Prometheus scraping the GPU exporter stand-ins of hydra-compute (2 GPUs) and hydra-ai
    const rows = buildGpuRows(cfg, spec('nvidia_smi'), samples('query-gpu-nvidia-smi.json'))
    expect(rows.map((r) => [r.node, r.index, r.name])).toEqual([
      ['hydra-ai', '0', 'NVIDIA GeForce RTX 4090'],
      ['hydra-compute', '0', 'NVIDIA GeForce RTX 3090'],
      ['hydra-compute', '1', 'NVIDIA GeForce RTX 3090'],
    ])
    const ai = rows[0]!
    expect(ai.gpu).toBe('GPU-9c8d7e6f-5a4b-4321-8fed-cba987654321')
    expect(ai.memoryTotalBytes).toBe(24_564 * 2 ** 20) // an RTX 4090 reports 24564 MiB
    expect(ai.vramPercent).toBeCloseTo((ai.memoryUsedBytes! / ai.memoryTotalBytes!) * 100)
    for (const r of rows) {
      expect(r.utilizationPercent).toBeGreaterThanOrEqual(0)
      expect(r.utilizationPercent).toBeLessThanOrEqual(100)
      expect(r.temperatureCelsius).toBeGreaterThan(20)
      expect(r.powerWatts).toBeGreaterThan(0)
    }
    expect(rows.find((r) => r.node === 'hydra-compute' && r.index === '0')!.utilizationPercent).toBeGreaterThan(1)
  })

  it('converts DCGM: MiB framebuffer, total = used + free, util already %', () => {
    const m = {instance: '127.0.0.3:9400', gpu: '0', UUID: 'GPU-a', modelName: 'NVIDIA A100', Hostname: 'hydra-compute'}
    const rows = buildGpuRows(cfg, spec('dcgm'), [
      {metric: {...m, __name__: 'DCGM_FI_DEV_GPU_TEMP'}, value: 55},
      {metric: {...m, __name__: 'DCGM_FI_DEV_POWER_USAGE'}, value: 210.5},
      {metric: {...m, __name__: 'DCGM_FI_DEV_FB_USED'}, value: 30_000},
      {metric: {...m, __name__: 'DCGM_FI_DEV_FB_FREE'}, value: 10_000},
      {metric: {...m, __name__: 'DCGM_FI_DEV_GPU_UTIL'}, value: 80},
    ])
    expect(rows).toEqual([
      {
        node: 'hydra-compute',
        instance: '127.0.0.3:9400',
        exporter: 'dcgm',
        gpu: 'GPU-a',
        index: '0',
        name: 'NVIDIA A100',
        temperatureCelsius: 55,
        powerWatts: 210.5,
        memoryUsedBytes: 30_000 * 2 ** 20,
        memoryTotalBytes: 40_000 * 2 ** 20,
        vramPercent: 75,
        utilizationPercent: 80,
      },
    ])
  })

  it("converts mindprince's milliwatts to watts", () => {
    const m = {instance: '127.0.0.4:9445', uuid: 'GPU-b', minor_number: '0', name: 'Tesla T4'}
    const [row] = buildGpuRows(cfg, spec('nvidia_gpu'), [
      {metric: {...m, __name__: 'nvidia_gpu_power_usage_milliwatts'}, value: 70_000},
      {metric: {...m, __name__: 'nvidia_gpu_duty_cycle'}, value: 42},
    ])
    expect(row).toMatchObject({node: 'hydra-ai', powerWatts: 70, utilizationPercent: 42, name: 'Tesla T4'})
  })
})

describe('inference view', () => {
  it('names the real tabbyapi: metrics and not the runbook ones', () => {
    expect(NO_TABBY_METRICS_EXPLANATION).toContain('tabbyapi:tokens_predicted_total')
    expect(NO_TABBY_METRICS_EXPLANATION).toContain('#443/#444')
    expect(INFERENCE_QUERIES.p99Seconds).toBe('histogram_quantile(0.99, sum by (instance, le) (rate(tabbyapi:e2e_request_latency_seconds_bucket[5m])))')
  })

  it('joins tokens/s, p99 and requests per instance, dropping a NaN p99', () => {
    const i = (instance: string) => ({instance})
    expect(
      buildInferenceRows(cfg, [{metric: i('127.0.0.4:5000'), value: 41.5}], [{metric: i('127.0.0.4:5000'), value: Number.NaN}], [{metric: i('127.0.0.4:5000'), value: 2}]),
    ).toEqual([{instance: '127.0.0.4:5000', node: 'hydra-ai', tokensPerSecond: 41.5, requestsProcessing: 2}])
  })
})

describe('the exit policies of hydra cluster and hydra gpu', () => {
  it('cluster: 1 when any node fails, 0 when none does', () => {
    expect(clusterExitCode({nodes: 2, ok: 1, failing: 1})).toBe(1)
    expect(clusterExitCode({nodes: 2, ok: 2, failing: 0})).toBe(0)
    expect(clusterExitCode({nodes: 0, ok: 0, failing: 0})).toBe(0)
  })

  it('gpu: 1 when Prometheus has no GPU metrics at all, 0 when it has a GPU', () => {
    expect(gpuExitCode([])).toBe(1)
    const spec = GPU_EXPORTERS.find((e) => e.kind === 'nvidia_smi')!
    const rows = buildGpuRows(cfg, spec, samples('query-gpu-nvidia-smi.json'))
    expect(rows.length).toBeGreaterThan(0)
    expect(gpuExitCode(rows)).toBe(0)
  })
})
