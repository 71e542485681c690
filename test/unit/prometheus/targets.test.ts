import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {parseConfigText} from '../../../src/lib/config/loader.js'
import {buildTargetsReport, classifyScrapeError, targetsExitCode, type TargetsData} from '../../../src/lib/prometheus/targets.js'

// captured from the real Prometheus 2.42 of Debian: one node exporter up, one refused
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/prometheus/targets-one-down.json', import.meta.url), 'utf8')) as {data: TargetsData}

const cfg = resolveConfig(
  parseConfigText(
    `cluster: lab
nodes:
  hydra-compute: {address: 127.0.0.3, exporters: {node: {port: 9100, managedBy: systemd, unit: prometheus-node-exporter.service}}}
  hydra-ai: {address: 127.0.0.4}
services:
  prometheus: {node: hydra-compute, port: 9090}
`,
    'test.yaml',
  ),
)

describe('buildTargetsReport', () => {
  it('turns the real API answer into rows tied to nodes, with the cause of the failure', () => {
    const r = buildTargetsReport('http://p', fixture.data, cfg)
    expect(r.summary).toEqual({total: 2, up: 1, down: 1, unknown: 0})
    const down = r.targets.find((t) => t.health === 'down')!
    expect(down).toMatchObject({node: 'hydra-ai', job: 'node', instance: '127.0.0.4:9100', errorCause: 'refused'})
    expect(down.lastError).toContain('connect: connection refused')
    expect(r.errorsByCause).toEqual([{cause: 'refused', description: expect.stringMatching(/nothing listens/), instances: ['127.0.0.4:9100']}])
    const up = r.targets.find((t) => t.health === 'up')!
    expect(up.scrapeDurationSeconds).toBeGreaterThan(0)
    expect(up.errorCause).toBeUndefined()
  })

  it('sorts by node (targets on no node of the config last), job, then instance with its numbers by value', () => {
    const target = (instance: string, job: string) => ({labels: {instance, job}, scrapeUrl: `http://${instance}/metrics`, scrapePool: job, health: 'up', lastError: '', lastScrape: '2026-12-02T10:00:00Z', lastScrapeDuration: 0.01})
    const data = {activeTargets: [target('127.0.0.99:9100', 'node'), target('127.0.0.4:9835', 'nvidia-gpu'), target('127.0.0.3:9100', 'node'), target('127.0.0.4:9100', 'node'), target('127.0.0.3:9090', 'prometheus'), target('127.0.0.10:9100', 'node')]} as TargetsData
    expect(buildTargetsReport('p', data, cfg).targets.map((t) => [t.node, t.job, t.instance])).toEqual([
      ['hydra-ai', 'node', '127.0.0.4:9100'],
      ['hydra-ai', 'nvidia-gpu', '127.0.0.4:9835'],
      ['hydra-compute', 'node', '127.0.0.3:9100'],
      ['hydra-compute', 'prometheus', '127.0.0.3:9090'],
      [undefined, 'node', '127.0.0.10:9100'],
      [undefined, 'node', '127.0.0.99:9100'],
    ])
  })

  it('filters by --job and --down', () => {
    expect(buildTargetsReport('p', fixture.data, cfg, {down: true}).targets.map((t) => t.instance)).toEqual(['127.0.0.4:9100'])
    expect(buildTargetsReport('p', fixture.data, cfg, {job: 'nvidia-gpu'}).targets).toEqual([])
  })

  it('matches nodes by address when targets carry no node label', () => {
    const data: TargetsData = {
      activeTargets: fixture.data.activeTargets.map((t) => ({...t, labels: {instance: t.labels.instance!, job: t.labels.job!}})),
    }
    expect(buildTargetsReport('p', data, cfg).targets.map((t) => t.node)).toEqual(['hydra-ai', 'hydra-compute'])
  })
})

describe('classifyScrapeError', () => {
  it.each([
    ['Get "http://127.0.0.4:9100/metrics": dial tcp 127.0.0.4:9100: connect: connection refused', 'refused'],
    ['Get "http://10.0.0.1:9100/metrics": context deadline exceeded', 'timeout'],
    ['Get "http://h:9100/metrics": dial tcp 10.0.0.9:9100: connect: no route to host', 'unreachable'],
    ['Get "http://nohost:9100/metrics": dial tcp: lookup nohost on 127.0.0.53:53: no such host', 'dns'],
    ['server returned HTTP status 404 Not Found', 'http_status'],
    ['Get "https://h:9100/metrics": x509: certificate signed by unknown authority', 'tls'],
    // Prometheus 3 (scrape/scrape.go): an answer without a text-format Content-Type and no fallback_scrape_protocol
    ['received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target', 'parse'],
    ['something odd', 'other'],
  ])('%s → %s', (text, cause) => {
    expect(classifyScrapeError(text)).toBe(cause)
  })
})

describe('targetsExitCode (the exit policy of hydra targets)', () => {
  it('is 1 when a listed target is not up, 0 when every listed one is', () => {
    expect(buildTargetsReport('p', fixture.data, cfg).exitCode).toBe(1)
    expect(buildTargetsReport('p', fixture.data, cfg, {job: 'nvidia-gpu'}).exitCode).toBe(0)
    const up = buildTargetsReport('p', {activeTargets: fixture.data.activeTargets.filter((t) => t.health === 'up')}, cfg)
    expect(up.targets.length).toBeGreaterThan(0)
    expect(up.exitCode).toBe(0)
  })

  it('is 1 when the server scrapes nothing, even with no target listed', () => {
    expect(targetsExitCode({targets: [], notScraping: {message: 'VictoriaMetrics scrapes nothing', hint: 'h'}})).toBe(1)
    expect(targetsExitCode({targets: []})).toBe(0)
  })
})
