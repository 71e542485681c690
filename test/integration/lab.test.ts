/**
 * Proves the test lab itself: its real Prometheus scrapes its real node exporters, stopping one
 * is seen by Prometheus with its own error, and the stand-ins take faults.
 */
import {readFileSync} from 'node:fs'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse} from 'yaml'

import {resolveConfig} from '../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../src/lib/config/schema.js'
import {fetchActiveTargets, LabControl, waitFor, waitForTargetHealth} from '../lab/control.js'

const provided = inject('lab')
const control = new LabControl(provided.controlUrl)
const config = resolveConfig(ConfigSchema.parse(parse(readFileSync(provided.configPath, 'utf8'))))
const prom = config.prometheus.baseUrl

async function get(url: string, init: RequestInit = {}): Promise<{status: number; type: string | null; body: string}> {
  const res = await fetch(url, {...init, signal: AbortSignal.timeout(5000)})
  return {status: res.status, type: res.headers.get('content-type'), body: await res.text()}
}

describe('the test lab', () => {
  beforeAll(async () => {
    await control.reset()
  })
  afterAll(async () => {
    await control.reset()
  })

  it('writes a config that points at loopback addresses only', () => {
    expect(prom).toBe('http://127.0.0.2:9090')
    for (const n of config.nodes) expect(n.address).toMatch(/^127\.0\.0\.[234]$/)
  })

  it('runs a real Prometheus that is ready, with the runbook retention and the admin API', async () => {
    expect(await get(`${prom}/-/ready`)).toMatchObject({status: 200, body: 'Prometheus Server is Ready.\n'})
    const flags = JSON.parse((await get(`${prom}/api/v1/status/flags`)).body).data
    expect(flags['storage.tsdb.retention.time']).toBe('15d')
    expect(flags['storage.tsdb.retention.size']).toBe('10GiB')
    expect((await get(`${prom}/api/v1/admin/tsdb/clean_tombstones`, {method: 'POST'})).status).toBe(204)
    expect(await get(`${prom}/api/v1/admin/tsdb/compact`, {method: 'POST'})).toMatchObject({status: 404})
  })

  it('scrapes the three real node exporters, labelled with their node', async () => {
    const node = (await fetchActiveTargets(prom)).filter((t) => t.labels.job === 'node')
    expect(node.map((t) => [t.labels.instance, t.labels.node, t.health]).sort()).toEqual([
      ['127.0.0.2:9100', 'hydra-storage', 'up'],
      ['127.0.0.3:9100', 'hydra-compute', 'up'],
      ['127.0.0.4:9100', 'hydra-ai', 'up'],
    ])
    const q = await get(`${prom}/api/v1/query?query=${encodeURIComponent('node_filesystem_avail_bytes{mountpoint="/"}')}`)
    expect(JSON.parse(q.body).data.result.length).toBe(3)
  })

  it('scrapes the stand-in exporters with the real nvidia_smi_* names', async () => {
    const jobs = new Set((await fetchActiveTargets(prom)).map((t) => t.labels.job))
    expect([...jobs].sort()).toEqual(['cadvisor', 'node', 'nvidia-gpu', 'qdrant'])
    const r = await waitFor(async () => {
      const res = await get(`${prom}/api/v1/query?query=${encodeURIComponent('nvidia_smi_temperature_gpu * on(uuid) group_left(name) nvidia_smi_gpu_info')}`)
      const result = JSON.parse(res.body).data.result as {metric: Record<string, string>}[]
      return result.length === 3 ? result : undefined
    }, 10_000)
    expect(r.map((s) => s.metric.node).sort()).toEqual(['hydra-ai', 'hydra-compute', 'hydra-compute'])
  })

  it('sees a stopped node exporter go down with Prometheus’s own error, and up again when started', async () => {
    const before = await control.component('node-exporter@hydra-compute')
    expect(before).toMatchObject({kind: 'process', running: true})
    const stopped = await control.stop('node-exporter@hydra-compute')
    expect(stopped.running).toBe(false)
    expect(stopped.lastExit).toBeDefined()

    const down = await waitForTargetHealth(prom, '127.0.0.3:9100', 'down', 10_000)
    expect(down.lastError).toMatch(/dial tcp 127\.0\.0\.3:9100: connect: connection refused/)
    // the others stay up
    const others = (await fetchActiveTargets(prom)).filter((t) => t.labels.job === 'node' && t.labels.instance !== '127.0.0.3:9100')
    expect(others.every((t) => t.health === 'up')).toBe(true)

    // the lab's real alert rule fires
    await waitFor(async () => {
      const alerts = JSON.parse((await get(`${prom}/api/v1/alerts`)).body).data.alerts as {labels: Record<string, string>; state: string}[]
      return alerts.some((a) => a.labels.alertname === 'NodeExporterDown' && a.labels.node === 'hydra-compute' && a.state === 'firing')
    }, 10_000)

    const started = await control.start('node-exporter@hydra-compute')
    expect(started.running).toBe(true)
    expect(started.pid).not.toBe(before.pid)
    const up = await waitForTargetHealth(prom, '127.0.0.3:9100', 'up', 10_000)
    expect(up.lastError).toBe('')
  })

  it('makes a stand-in answer 503 on a fault, and heals when faults are cleared', async () => {
    const loki = config.loki!.baseUrl
    expect(await get(`${loki}/ready`)).toMatchObject({status: 200, body: 'ready\n'})
    await control.fault('loki', {status: 503, body: 'Ingester not ready: waiting for 15s after being ready\n'})
    expect(await get(`${loki}/ready`)).toMatchObject({
      status: 503,
      type: 'text/plain; charset=utf-8',
      body: 'Ingester not ready: waiting for 15s after being ready\n',
    })
    await control.clearFaults()
    expect((await get(`${loki}/ready`)).status).toBe(200)
  })

  it('stops a stand-in so that its port refuses, and reopens it', async () => {
    await control.stop('qdrant')
    await expect(fetch(`${config.apps.find((a) => a.id === 'qdrant')!.baseUrl}/readyz`)).rejects.toThrow()
    const down = await waitForTargetHealth(prom, '127.0.0.2:6333', 'down', 10_000)
    expect(down.lastError).toMatch(/connection refused/)
    await control.start('qdrant')
    expect(await get('http://127.0.0.2:6333/readyz')).toMatchObject({status: 200, body: 'all shards are ready'})
  })

  it('delays and hangs stand-in answers', async () => {
    await control.fault('ollama', {delayMs: 300})
    const t0 = Date.now()
    expect(await get('http://127.0.0.4:11434/')).toMatchObject({status: 200, body: 'Ollama is running'})
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280)
    await control.fault('ollama', {hang: true, paths: ['/api/tags']})
    await expect(fetch('http://127.0.0.4:11434/api/tags', {signal: AbortSignal.timeout(300)})).rejects.toThrow()
    expect((await get('http://127.0.0.4:11434/')).status).toBe(200)
    await control.clearFault('ollama')
  })

  it.each([
    // [url, status, content type, body] as api-facts.md documents them
    ['http://127.0.0.2:3003/api/health', 200, 'application/json; charset=UTF-8', '{"commit":"1a2b3c4d5e","database":"ok","version":"11.3.0"}'],
    ['http://127.0.0.2:3003/api/nope', 404, 'application/json; charset=UTF-8', '{"message":"Not found"}'],
    ['http://127.0.0.2:3100/nope', 404, 'text/plain; charset=utf-8', '404 page not found\n'],
    ['http://127.0.0.2:8080/healthz', 200, 'text/plain; charset=utf-8', 'ok'],
    ['http://127.0.0.2:6333/healthz', 200, 'text/plain; charset=utf-8', 'healthz check passed'],
    ['http://127.0.0.2:6333/livez', 200, 'text/plain; charset=utf-8', 'healthz check passed'],
    ['http://127.0.0.4:5000/health', 200, 'application/json', '{"status":"healthy","issues":[]}'],
    ['http://127.0.0.4:5000/metrics', 404, 'application/json', '{"detail":"Not Found"}'],
    ['http://127.0.0.4:11434/', 200, 'text/plain; charset=utf-8', 'Ollama is running'],
    ['http://127.0.0.4:11434/metrics', 404, 'text/plain', '404 page not found'],
    ['http://127.0.0.2:4000/health/liveliness', 200, 'application/json', '"I\'m alive!"'],
    ['http://127.0.0.2:4000/health/liveness', 200, 'application/json', '"I\'m alive!"'],
    ['http://127.0.0.3:9835/nope', 404, 'text/plain; charset=utf-8', '404 page not found\n'],
  ])('stand-in %s answers %i', async (url, status, type, body) => {
    expect(await get(url)).toEqual({status, type, body})
  })

  it('stand-ins keep auth where the real servers do', async () => {
    const litellm = await get('http://127.0.0.2:4000/health')
    expect(litellm.status).toBe(401)
    expect(JSON.parse(litellm.body).error.type).toBe('auth_error')
    const key = readFileSync(config.apps.find((a) => a.id === 'litellm')!.auth!.tokenFile!, 'utf8').trim()
    const ok = await get('http://127.0.0.2:4000/health', {headers: {Authorization: `Bearer ${key}`}})
    expect(JSON.parse(ok.body)).toMatchObject({healthy_count: 1, unhealthy_count: 0})
  })

  it('stand-in state changes answer as the real servers do when unhealthy', async () => {
    await control.setState('qdrant', {ready: false})
    expect(await get('http://127.0.0.2:6333/readyz')).toMatchObject({status: 503, body: 'some shards are not ready'})
    await control.setState('tabbyapi', {issues: ['CUDA out of memory']})
    const tabby = await get('http://127.0.0.4:5000/health')
    expect(tabby.status).toBe(503)
    expect(JSON.parse(tabby.body)).toMatchObject({status: 'unhealthy', issues: [{description: 'CUDA out of memory'}]})
    await control.setState('gpu-exporter@hydra-ai', {gpus: [{index: 0, temperatureC: 93, utilizationGpuPercent: 50}]})
    const metrics = (await get('http://127.0.0.4:9835/metrics')).body
    expect(metrics).toMatch(/^nvidia_smi_temperature_gpu\{uuid="GPU-[^"]+"\} 93$/m)
    expect(metrics).toMatch(/^nvidia_smi_utilization_gpu_ratio\{uuid="GPU-[^"]+"\} 0\.5$/m)
    expect(metrics).toMatch(/^nvidia_smi_memory_total_bytes\{uuid="GPU-[^"]+"\} 25757220864$/m)
    await control.reset()
    expect((await get('http://127.0.0.2:6333/readyz')).status).toBe(200)
    expect((await get('http://127.0.0.4:5000/health')).status).toBe(200)
  })

  it('rejects faults on real processes and unknown components', async () => {
    await expect(control.fault('prometheus', {status: 500})).rejects.toThrow(/409.*real process/)
    await expect(control.stop('nope')).rejects.toThrow(/404.*no lab component nope/)
  })
})
