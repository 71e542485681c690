/**
 * Issue 3 against the lab's REAL Prometheus 2.42 and Alertmanager, through the built CLI:
 * tsdb status/compact/snapshot/delete-series, query, the Key Panel views, alerts and config scrape.
 *
 * Two extra real processes are started here and stopped by PID: a second Prometheus WITHOUT
 * --web.enable-admin-api (127.0.0.5), and a Prometheus fed the scrape config hydra renders
 * (127.0.0.7). A small recording HTTP proxy on loopback proves which admin routes hydra calls.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, request, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {LabControl, waitFor, waitForTargetHealth} from '../lab/control.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'

const {configPath, controlUrl, stateDir} = inject('lab')
const lab = new LabControl(controlUrl)
const PROM = 'http://127.0.0.2:9090'
const AM = 'http://127.0.0.2:9093'
const tmp = mkdtempSync(join(tmpdir(), 'hydra-prom-it-'))
const hydra = (args: string[], config = configPath) => runHydra([...args, '--config', config])

/** The lab config with `edit` applied, written to a temp file. */
function editedConfig(name: string, edit: (doc: any) => void): string {
  const doc = parse(readFileSync(configPath, 'utf8'))
  edit(doc)
  const path = join(tmp, `${name}.yaml`)
  writeFileSync(path, stringify(doc))
  return path
}

/** A config whose Prometheus is at `url` (keeping the lab's retention expectation). */
function configWithPrometheus(name: string, url: string): string {
  return editedConfig(name, (doc) => {
    doc.services.prometheus = {url, retention: doc.services.prometheus.retention}
  })
}

interface RecordingProxy {
  url: string
  requests: string[]
  close(): Promise<void>
}

/** A loopback HTTP proxy that forwards to `target` and records "METHOD /path" of every request. */
async function recordingProxy(host: string, port: number, target: URL): Promise<RecordingProxy> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`)
    const upstream = request(
      {host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers},
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', (err) => {
      res.writeHead(502).end(String(err))
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A real Prometheus of our own; stopped by PID in afterAll. */
function startPrometheus(name: string, address: string, configFile: string, extraArgs: string[] = []): ChildProcess {
  const dataDir = join(tmp, `${name}-data`)
  const log = join(tmp, `${name}.log`)
  const child = spawn('prometheus', [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=${address}`, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr!.on('data', (d) => writeFileSync(log, d, {flag: 'a'}))
  return child
}

async function waitReady(url: string): Promise<void> {
  await waitFor(async () => (await fetch(`${url}/-/ready`, {signal: AbortSignal.timeout(1000)})).ok, 30_000, {description: `${url} to be ready`})
}

async function stopByPid(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

async function promApi<T>(path: string, base = PROM): Promise<T> {
  const res = await fetch(`${base}${path}`, {signal: AbortSignal.timeout(5000)})
  const body = (await res.json()) as {data: T}
  return body.data
}

let adminOff: ChildProcess | undefined
let rendered: ChildProcess | undefined
const ADMIN_OFF = 'http://127.0.0.5:9090'

beforeAll(async () => {
  await lab.reset()
  // the second, admin-API-less Prometheus: started once, with no retention flags (the 15d default)
  const cfg = join(tmp, 'admin-off.yml')
  writeFileSync(cfg, 'global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: self\n    static_configs: [{targets: ["127.0.0.5:9090"]}]\n')
  adminOff = startPrometheus('admin-off', '127.0.0.5:9090', cfg)
  await waitReady(ADMIN_OFF)
})

afterAll(async () => {
  await stopByPid(adminOff)
  await stopByPid(rendered)
  await lab.reset()
  rmSync(tmp, {recursive: true, force: true})
})

describe('hydra tsdb', () => {
  it('status: head stats, retention 15d/10GiB matching the config\'s 10GB, admin API on', async () => {
    const r = await hydra(['tsdb', 'status', '--json', '--top', '5'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.head.series).toBeGreaterThan(100)
    expect(doc.head.chunks).toBeGreaterThan(0)
    expect(doc.topSeriesByMetric).toHaveLength(5)
    expect(doc.retention).toMatchObject({ok: true, mismatches: [], actual: {text: '15d or 10GiB', source: 'runtimeinfo'}})
    expect(doc.adminApiEnabled).toBe(true)
    expect(doc.dataDir).toBe(join(stateDir, 'prometheus', 'data'))
    const human = await hydra(['tsdb', 'status'])
    expect(human.stdout).toMatch(/retention: 15d or 10GiB = 10GiB \(from runtimeinfo\); config expects 15d \/ 10GB: ok/)
    expect(human.stdout).toMatch(/admin API: enabled/)
  })

  it('status against a Prometheus without size retention and admin API: mismatch → exit 1 with a hint', async () => {
    const r = await hydra(['tsdb', 'status'], configWithPrometheus('admin-off-status', ADMIN_OFF))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/MISMATCH/)
    expect(r.stdout).toMatch(/size: expected 10GB \(10GiB\), server runs with no size limit/)
    expect(r.stdout).toMatch(/--storage\.tsdb\.retention\.size/)
    expect(r.stdout).toMatch(/admin API: disabled/)
  })

  it('compact: cleans tombstones with the admin API on, and never calls /api/v1/admin/tsdb/compact', async () => {
    const proxy = await recordingProxy('127.0.0.6', 9090, new URL(PROM))
    try {
      const r = await hydra(['tsdb', 'compact', '--json'], configWithPrometheus('proxy-on', proxy.url))
      expect(r.code).toBe(0)
      expect(r.json()).toMatchObject({cleanedTombstones: true})
      expect(r.json().explanation).toMatch(/no compaction endpoint/)
      expect(proxy.requests).toContain('POST /api/v1/admin/tsdb/clean_tombstones')
      expect(proxy.requests.filter((x) => x.includes('/admin/tsdb/compact'))).toEqual([])
      // --snapshot first: snapshot, then clean_tombstones, still no compact
      const before = proxy.requests.length
      const s = await hydra(['tsdb', 'compact', '--snapshot', '--json'], configWithPrometheus('proxy-on', proxy.url))
      expect(s.code).toBe(0)
      const calls = proxy.requests.slice(before).filter((x) => x.startsWith('POST'))
      expect(calls).toEqual(['POST /api/v1/admin/tsdb/snapshot', 'POST /api/v1/admin/tsdb/clean_tombstones'])
      expect(existsSync(s.json().snapshot.path)).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('compact: admin API off → a clear error naming --web.enable-admin-api, exit 1, no compact call', async () => {
    const proxy = await recordingProxy('127.0.0.6', 9091, new URL(ADMIN_OFF))
    try {
      const config = configWithPrometheus('proxy-off', proxy.url)
      const r = await hydra(['tsdb', 'compact'], config)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^Error: cannot clean tombstones: the TSDB admin API of http:\/\/127\.0\.0\.6:9091 is disabled \("admin APIs disabled"\)/)
      expect(r.stderr).toMatch(/Hint: start Prometheus with --web\.enable-admin-api/)
      expect(r.stderr).not.toMatch(STACK_LINE)
      const j = await hydra(['tsdb', 'compact', '--json'], config)
      expect(j.code).toBe(1)
      expect(j.json().error).toMatchObject({code: 'admin_api_disabled', exitCode: 1})
      expect(proxy.requests).toContain('POST /api/v1/admin/tsdb/clean_tombstones')
      expect(proxy.requests.filter((x) => x.includes('/admin/tsdb/compact'))).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('snapshot: returns the name, and the snapshot is in <data dir>/snapshots/<name>', async () => {
    const r = await hydra(['tsdb', 'snapshot', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.name).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{16}$/)
    expect(doc.path).toBe(join(stateDir, 'prometheus', 'data', 'snapshots', doc.name))
    expect(existsSync(doc.path)).toBe(true)
    const human = await hydra(['tsdb', 'snapshot', '--skip-head'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^snapshot \d{8}T\d{6}Z-[0-9a-f]{16}\non the server's host in .*\/snapshots\//)
  })

  it('snapshot with the admin API off → exit 1 naming the flag', async () => {
    const r = await hydra(['tsdb', 'snapshot'], configWithPrometheus('admin-off-snap', ADMIN_OFF))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/--web\.enable-admin-api/)
  })

  it('delete-series without --yes deletes nothing: the series count is unchanged', async () => {
    const selector = 'node_load1'
    const before = await promApi<unknown[]>(`/api/v1/series?match[]=${encodeURIComponent(selector)}`)
    expect(before.length).toBe(3)
    const r = await hydra(['tsdb', 'delete-series', '--match', selector, '--json'])
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({deleted: false, seriesCount: 3, reason: 'dry run: add --yes to delete'})
    const human = await hydra(['tsdb', 'delete-series', '--match', selector])
    expect(human.stdout).toMatch(/^3 series match node_load1/)
    expect(human.stdout).toMatch(/nothing deleted \(dry run\): add --yes to delete them/)
    // deleted data would be gone from a query over the past minute: it is all still there
    const after = await promApi<unknown[]>(`/api/v1/series?match[]=${encodeURIComponent(selector)}`)
    expect(after.length).toBe(3)
    const {result} = await promApi<{result: {values: unknown[]}[]}>(
      `/api/v1/query_range?query=node_load1&start=${Date.now() / 1000 - 20}&end=${Date.now() / 1000}&step=1`,
    )
    expect(result).toHaveLength(3)
    for (const s of result) expect(s.values.length).toBeGreaterThan(5)
  })

  it('delete-series --yes with the admin API off → exit 1; a bad selector → exit 2', async () => {
    const off = await hydra(['tsdb', 'delete-series', '--match', 'up', '--yes'], configWithPrometheus('admin-off-del', ADMIN_OFF))
    expect(off.code).toBe(1)
    expect(off.stderr).toMatch(/cannot delete series: .*--web\.enable-admin-api/s)
    const bad = await hydra(['tsdb', 'delete-series', '--match', 'up{'])
    expect(bad.code).toBe(2)
  })
})

describe('hydra query', () => {
  it("'up{' prints Prometheus's parse error plainly, exit 2", async () => {
    const r = await hydra(['query', 'up{'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: bad PromQL: 1:4: parse error: unexpected end of input inside braces\n/)
    expect(r.stderr).not.toMatch(STACK_LINE)
    const j = await hydra(['query', 'up{', '--json'])
    expect(j.code).toBe(2)
    expect(j.json().error).toMatchObject({code: 'prometheus_bad_data', exitCode: 2})
  })

  it('instant: a table of series and values', async () => {
    const r = await hydra(['query', 'up{job="node"}'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^SERIES\s+VALUE\n/)
    expect(r.stdout).toMatch(/up\{instance="127\.0\.0\.3:9100", job="node", node="hydra-compute"\}\s+1/)
  })

  it('an empty answer says why: a name Prometheus has no series of (the runbook\'s GPU name, with the rename), or matchers that select nothing', async () => {
    const gpu = await hydra(['query', 'avg(nvidia_gpu_temperature_celsius{node="hydra-ai"})'])
    expect(gpu.code).toBe(0)
    expect(gpu.stdout).toBe('no data\n')
    expect(gpu.stderr).toMatch(/Prometheus has no series of a metric named nvidia_gpu_temperature_celsius: .* serves nvidia_smi_temperature_gpu/)
    const none = await hydra(['query', 'up{job="no-such-job"}', '--json'])
    expect(none.json()).toMatchObject({rows: [], note: 'up exists in Prometheus: the label matchers, or the time (--time, --since), select no series of it'})
  })

  it('range: last, min, max and points per series', async () => {
    const r = await hydra(['query', 'up{job="node"}', '--since', '30s', '--step', '5s', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc).toMatchObject({kind: 'range', resultType: 'matrix'})
    expect(doc.range.stepSeconds).toBe(5)
    expect(doc.rows).toHaveLength(3)
    for (const row of doc.rows) expect(row).toMatchObject({value: 1, min: expect.any(Number), max: 1, points: expect.any(Number)})
  })
})

describe('views', () => {
  it('gpu: finds nvidia_smi_* and shows every lab GPU with its node', async () => {
    const r = await hydra(['gpu', '--json'])
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.exporters.map((e: any) => e.kind)).toEqual(['nvidia_smi'])
    expect(doc.rows.map((g: any) => `${g.node} ${g.index}`)).toEqual(['hydra-ai 0', 'hydra-compute 0', 'hydra-compute 1'])
    for (const g of doc.rows) {
      expect(g.utilizationPercent).toBeGreaterThanOrEqual(0)
      expect(g.utilizationPercent).toBeLessThanOrEqual(100)
      expect(g.vramPercent).toBeGreaterThan(0)
    }
  })

  it('cluster: every node up with disk and memory, exit 0', async () => {
    const r = await hydra(['cluster', '--json'])
    expect(r.code).toBe(0)
    expect(r.json().rows.map((x: any) => `${x.node} ${x.up} ${x.status}`)).toEqual(['hydra-ai true ok', 'hydra-compute true ok', 'hydra-storage true ok'])
  })

  it('inference: says plainly that TabbyAPI has no metrics, naming the tabbyapi: names', async () => {
    const r = await hydra(['inference'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/TabbyAPI exposes no Prometheus metrics on main/)
    expect(r.stdout).toMatch(/tabbyapi:tokens_predicted_total/)
  })
})

describe('hydra alerts', () => {
  it('a killed node exporter makes the real rule fire: shown with Alertmanager\'s copy, exit 1', async () => {
    const quiet = await hydra(['alerts', '--json'])
    expect(quiet.code).toBe(0)
    expect(quiet.json().summary).toMatchObject({firing: 0, unhealthyRules: 0})
    await lab.stop('node-exporter@hydra-compute')
    try {
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'down', 20_000)
      await waitFor(
        async () => {
          const am = (await (await fetch(`${AM}/api/v2/alerts`, {signal: AbortSignal.timeout(2000)})).json()) as {labels: Record<string, string>}[]
          return am.some((a) => a.labels.alertname === 'NodeExporterDown')
        },
        30_000,
        {description: 'Alertmanager to receive NodeExporterDown'},
      )
      const r = await hydra(['alerts', '--json'])
      expect(r.code).toBe(1)
      const doc = r.json()
      expect(doc.alerts).toEqual([
        expect.objectContaining({alertname: 'NodeExporterDown', state: 'firing', severity: 'critical', node: 'hydra-compute', instance: '127.0.0.3:9100'}),
      ])
      expect(doc.alertmanager).toMatchObject({reachable: true})
      expect(doc.alertmanager.alerts).toEqual([expect.objectContaining({alertname: 'NodeExporterDown', state: 'active', instance: '127.0.0.3:9100'})])
      const human = await hydra(['alerts'])
      expect(human.code).toBe(1)
      expect(human.stdout).toMatch(/NodeExporterDown\s+firing\s+critical\s+hydra-compute\s+127\.0\.0\.3:9100/)
      expect(human.stdout).toMatch(/Alertmanager http:\/\/127\.0\.0\.2:9093: 1 alert,/)
      const cron = await hydra(['alerts', '--no-fail-on-firing', '--json'])
      expect(cron.code).toBe(0)
      expect(cron.json().summary.firing).toBe(1)
    } finally {
      await lab.start('node-exporter@hydra-compute')
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'up', 20_000)
    }
  })
})

describe('hydra config scrape', () => {
  it('renders a config promtool accepts, and a Prometheus started from it scrapes every lab exporter', async () => {
    const r = await hydra(['config', 'scrape', '--full'])
    expect(r.code).toBe(0)
    const file = join(tmp, 'rendered.yml')
    writeFileSync(file, r.stdout)
    const check = spawnSync('promtool', ['check', 'config', file], {encoding: 'utf8'})
    expect(check.stdout + check.stderr).toMatch(/SUCCESS/)
    expect(check.status).toBe(0)
    // the scrape_configs-only output is a valid prometheus.yml too
    const only = await hydra(['config', 'scrape'])
    writeFileSync(join(tmp, 'only.yml'), only.stdout)
    expect(spawnSync('promtool', ['check', 'config', join(tmp, 'only.yml')]).status).toBe(0)

    rendered = startPrometheus('rendered', '127.0.0.7:9090', file)
    await waitReady('http://127.0.0.7:9090')
    const expected = (await promApi<{activeTargets: {labels: Record<string, string>}[]}>('/api/v1/targets?state=active')).activeTargets
      .map((t) => `${t.labels.job} ${t.labels.instance}`)
      .sort()
    // every exporter of the lab config, and Qdrant, the one app with a metrics path
    expect(expected).toEqual([
      'cadvisor 127.0.0.2:8080',
      'node 127.0.0.2:9100',
      'node 127.0.0.3:9100',
      'node 127.0.0.4:9100',
      'nvidia-gpu 127.0.0.3:9835',
      'nvidia-gpu 127.0.0.4:9835',
      'qdrant 127.0.0.2:6333',
    ])
    const seen = await waitFor(
      async () => {
        const t = (await promApi<{activeTargets: {labels: Record<string, string>; health: string}[]}>('/api/v1/targets?state=active', 'http://127.0.0.7:9090')).activeTargets
        return t.length === expected.length && t.every((x) => x.health === 'up') ? t : undefined
      },
      30_000,
      {description: 'the rendered config\'s Prometheus to scrape every target up'},
    )
    expect(seen.map((t) => `${t.labels.job} ${t.labels.instance}`).sort()).toEqual(expected)
    expect(seen.every((t) => t.labels.node)).toBe(true)
  })

  it('--diff: in sync with the lab, drift named when the config gains and loses an exporter', async () => {
    const ok = await hydra(['config', 'scrape', '--diff', '--json'])
    expect(ok.code).toBe(0)
    expect(ok.json()).toMatchObject({inSync: true})
    const drifted = editedConfig('drift', (doc) => {
      doc.nodes['hydra-storage'].exporters.extra = {port: 9999, managedBy: 'process', process: 'extra_exporter'}
      delete doc.nodes['hydra-ai'].exporters.gpu
    })
    const r = await hydra(['config', 'scrape', '--diff', '--json'], drifted)
    expect(r.code).toBe(1)
    const doc = r.json()
    expect(doc.inSync).toBe(false)
    expect(doc.missingFromPrometheus).toEqual([{job: 'extra', target: '127.0.0.2:9999', metricsPath: '/metrics', scheme: 'http'}])
    expect(doc.missingFromConfig).toEqual([{job: 'nvidia-gpu', target: '127.0.0.4:9835', metricsPath: '/metrics', scheme: 'http'}])
    const human = await hydra(['config', 'scrape', '--diff'], drifted)
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/missing from Prometheus \(in the config\): extra 127\.0\.0\.2:9999/)
    expect(human.stdout).toMatch(/missing from the config \(scraped by Prometheus\): nvidia-gpu 127\.0\.0\.4:9835/)
  })
})
