/**
 * Issue 10: diagnosis that holds on real clusters. Each scenario is made for real in the lab (node
 * names through the namespace's /etc/hosts, a wrong port in the config, …) and asserts the one cause
 * hydra names, the fix it proposes and the exit code. Scenario names are quoted in the issue note.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, inject, it} from 'vitest'

import {variantConfig as variantConfigOf} from '../helpers/config-variant.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {loadConfig} from '../../src/lib/config/loader.js'
import {fetchActiveTargets, LabControl, waitFor} from '../lab/control.js'
import {FaultProxy} from '../lab/fault-proxy.js'

const {configPath, controlUrl, stateDir} = inject('lab')
const lab = new LabControl(controlUrl)
const scratch = mkdtempSync(join(tmpdir(), 'hydra-diag-it-'))
const variantConfig = (name: string, change: (doc: any) => void): string => variantConfigOf(configPath, scratch, name, change)

interface CheckJson {
  id: string
  status: 'ok' | 'warn' | 'fail' | 'skipped'
  detail: string
  cause?: string
  evidence?: string[]
  hint?: string
}

async function hydra(args: string[]) {
  const r = await runHydra(args, {timeoutMs: 90_000})
  expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)
  return r
}

async function doctor(config: string, ...args: string[]) {
  const r = await hydra(['doctor', '--config', config, '--json', ...args])
  const doc = r.json<{checks: CheckJson[]}>()
  const check = (id: string): CheckJson => {
    const c = doc.checks.find((x) => x.id === id)
    if (!c) throw new Error(`no check ${id} in ${doc.checks.map((x) => x.id).join(', ')}`)
    return c
  }
  return {code: r.code, doc, check, failing: doc.checks.filter((c) => c.status === 'fail')}
}

/** The lab's node names in the namespace's /etc/hosts (test/lab/netns-hosts). */
const NAMES: Record<string, string> = {'hydra-storage': 'storage.lab', 'hydra-compute': 'compute.lab', 'hydra-ai': 'ai.lab'}
let namesConfig: string

beforeAll(async () => {
  await lab.reset()
  // known_hosts by name, as ssh-keyscan or a first `ssh compute.lab` writes it
  const knownHosts = join(scratch, 'known_hosts_by_name')
  let kh = readFileSync(join(stateDir, 'known_hosts'), 'utf8')
  for (const [node, name] of Object.entries(NAMES)) kh = kh.replace(new RegExp(`^${configAddress(node).replace(/\./g, '\\.')} `, 'm'), `${name} `)
  writeFileSync(knownHosts, kh)
  namesConfig = variantConfig('dns-names', (doc) => {
    for (const [node, name] of Object.entries(NAMES)) doc.nodes[node].address = name
    doc.defaults.ssh.knownHosts = knownHosts
    doc.logs.lokiDriverExpected = []
  })
}, 120_000)

afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function configAddress(node: string): string {
  const m = new RegExp(`^  ${node}:\\n    address: (\\S+)`, 'm').exec(readFileSync(configPath, 'utf8'))
  if (!m) throw new Error(`no address for ${node} in the lab config`)
  return m[1]!
}

describe('issue 10: diagnosis on real-cluster faults', () => {
  it('dns-names: nodes given as DNS names are listening, matched to their Prometheus targets, and in sync with the scrape config', async () => {
    const status = await hydra(['exporter', 'status', 'hydra-compute', '--config', namesConfig, '--json'])
    const rows = status.json<{rows: {id: string; listening: boolean | null; listenDetail: string; fetch: {ok: boolean}}[]}>().rows
    expect(rows.length).toBe(2)
    for (const r of rows) expect(r, JSON.stringify(r)).toMatchObject({listening: true, fetch: {ok: true}})
    expect(status.code).toBe(0)

    const diff = await hydra(['config', 'scrape', '--diff', '--config', namesConfig, '--json'])
    expect(diff.json()).toMatchObject({inSync: true, missingFromPrometheus: [], missingFromConfig: []})
    expect(diff.code).toBe(0)

    const d = await doctor(namesConfig, '--only', 'hydra-compute', '--only', 'hydra-ai')
    expect(d.doc.checks.filter((c) => c.cause === 'not_listening')).toEqual([])
    for (const id of ['exporter:hydra-compute/node', 'fetch:hydra-compute/node', 'target:hydra-compute/node', 'disk:hydra-compute', 'memory:hydra-ai'])
      expect(d.check(id).status, JSON.stringify(d.check(id))).toBe('ok')
  }, 180_000)

  it('wrong-port: the config names 9101, the exporter listens on and Prometheus scrapes 9100 → port_mismatch with the config fix, no firewall_blocked', async () => {
    const cfg = variantConfig('wrong-port', (doc) => {
      doc.nodes['hydra-compute'].exporters.node.port = 9101
    })
    const d = await doctor(cfg, '--only', 'hydra-compute')
    const c = d.check('exporter:hydra-compute/node')
    expect(c.cause).toBe('port_mismatch')
    expect(c.detail).toMatch(/config says .*9101.*listens on 127\.0\.0\.3:9100/)
    expect(c.hint).toMatch(/set nodes\.hydra-compute\.exporters\.node\.port: 9100/)
    expect(c.hint).not.toMatch(/web\.listen-address/)
    expect(d.doc.checks.filter((x) => x.cause === 'firewall_blocked')).toEqual([])
    expect(d.code).toBe(1)
  }, 120_000)

  it("docker-down: a node's Docker daemon stopped → one problem per node, docker_down with how to start it; its other container checks and its refused containerised services skipped under it", async () => {
    // the nodes' own docker CLI, aimed at a socket nothing listens on: what a node whose dockerd is stopped answers
    const real = spawnSync('sh', ['-c', 'command -v docker'], {encoding: 'utf8'}).stdout.trim()
    expect(real, 'the docker CLI (docker.io) is needed on this machine').toMatch(/^\//)
    const shims = ['hydra-storage', 'hydra-ai'].map((node) => join(stateDir, `bin-${node}`, 'docker'))
    for (const shim of shims) writeFileSync(shim, `#!/bin/sh\nDOCKER_HOST=unix://${join(scratch, 'no-dockerd.sock')} exec ${real} "$@"\n`, {mode: 0o755})
    // and TabbyAPI, a container on hydra-ai, gone with its daemon
    await lab.stop('tabbyapi')
    try {
      // two container checks on hydra-storage (cAdvisor's state, the loki container's log driver), one on hydra-ai
      const config = variantConfig('docker-down', (doc) => (doc.logs.lokiDriverExpected = ['loki', 'tabbyapi']))
      // (whether a dashboard backup exists depends on the tests run before: not this scenario's business)
      const d = await doctor(config, '--skip', 'backup')
      expect(d.failing.map((c) => [c.id, c.cause])).toEqual([
        ['exporter:hydra-storage/cadvisor', 'docker_down'],
        ['logdriver:tabbyapi', 'docker_down'],
      ])
      const [storage, ai] = d.failing as [CheckJson, CheckJson]
      expect(storage.detail).toMatch(/hydra-storage: the Docker daemon is not running \(docker cannot connect to unix:\/\/\S+no-dockerd\.sock\)/)
      expect(storage.hint).toMatch(/^start it on hydra-storage: systemctl start docker/)
      expect(storage.evidence).toContain('logdriver:loki fails the same way (skipped under this failure)')
      expect(d.check('logdriver:loki')).toMatchObject({status: 'skipped', detail: 'skipped: exporter:hydra-storage/cadvisor failed'})
      expect(ai.evidence).toContain('health:tabbyapi refuses connections: its container cannot run without the daemon (skipped under this failure)')
      expect(d.check('health:tabbyapi')).toMatchObject({status: 'skipped', detail: 'skipped: logdriver:tabbyapi failed'})
      expect(d.code).toBe(1)
    } finally {
      for (const shim of shims) rmSync(shim, {force: true})
      await lab.start('tabbyapi')
    }
  }, 120_000)

  describe("Prometheus's scrape fails where hydra's fetch does not (faults on hydra-ai's GPU exporter stand-in; the real Prometheus scrapes it every 1s, scrape_timeout 1s)", () => {
    const gpu = 'gpu-exporter@hydra-ai'
    const PROM = 'http://127.0.0.2:9090'
    const target = async (health: 'up' | 'down', error = /.*/) => {
      const instance = `${configAddress('hydra-ai')}:9835`
      return waitFor(async () => (await fetchActiveTargets(PROM)).find((t) => t.labels.instance === instance && t.health === health && error.test(t.lastError)), 20_000, {description: `${instance} ${health} (${error})`})
    }
    const diagnosis = async () => (await doctor(configPath, '--only', 'hydra-ai')).check('target:hydra-ai/gpu')
    afterEach(async () => {
      await lab.clearFault(gpu)
      await target('up')
    })

    it('prometheus-only-401: the exporter refuses Prometheus alone → scrape_http_status, credentials or source address; not "the path differs"', async () => {
      await lab.fault(gpu, {status: 401, userAgent: 'Prometheus/', paths: ['/metrics']})
      await target('down', /401/)
      const c = await diagnosis()
      expect(c).toMatchObject({status: 'fail', cause: 'scrape_http_status'})
      expect(c.detail).toMatch(/answers hydra with HTTP 200 in \d+ ms, Prometheus with an HTTP error: .*server returned HTTP status 401 Unauthorized/)
      expect(c.hint).toMatch(/wants credentials Prometheus does not send.*basic_auth\/authorization for job nvidia-gpu/)
    }, 60_000)

    it('slow-exporter: slower than the scrape_timeout for everyone → scrape_timeout, raise it or find the slow part', async () => {
      await lab.fault(gpu, {delayMs: 1300, paths: ['/metrics']})
      await target('down', /deadline exceeded|timeout/i)
      const c = await diagnosis()
      expect(c).toMatchObject({status: 'fail', cause: 'scrape_timeout'})
      expect(c.detail).toMatch(/answers hydra in \d{4} ms, at or past the scrape_timeout of 1s Prometheus gives job nvidia-gpu/)
      expect(c.hint).toMatch(/raise scrape_timeout for job nvidia-gpu in prometheus.yml/)
    }, 60_000)

    it('prometheus-path-drops: only Prometheus times out, hydra gets a quick answer → its path drops packets', async () => {
      await lab.fault(gpu, {hang: true, userAgent: 'Prometheus/', paths: ['/metrics']})
      await target('down', /deadline exceeded|timeout/i)
      const c = await diagnosis()
      expect(c).toMatchObject({status: 'fail', cause: 'prometheus_cannot_scrape'})
      expect(c.hint).toMatch(/^hydra gets an answer in \d+ ms where Prometheus times out: the path from Prometheus's host to \S+:9835 drops packets/)
    }, 60_000)
  })

  describe('a proxy in front of the real Prometheus (items 3, 4, 5)', () => {
    let proxy: FaultProxy
    let viaProxy: string
    beforeAll(async () => {
      const lab = loadConfig({flag: configPath}).config
      proxy = new FaultProxy({host: '127.0.0.9', port: 19090, upstream: lab.prometheus.baseUrl, name: 'prometheus-proxy'})
      await proxy.start()
      viaProxy = variantConfig('prometheus-via-proxy', (doc) => {
        delete doc.services.prometheus.node
        delete doc.services.prometheus.port
        doc.services.prometheus.url = proxy.url
        doc.logs.lokiDriverExpected = []
      })
    })
    afterAll(async () => {
      await proxy.stop()
    })

    it('login-page: an HTML 200 on Prometheus is not healthy, and it is one problem (no http_html per check, no false retention_mismatch)', async () => {
      await proxy.setFault('html200')
      const d = await doctor(viaProxy, '--only', 'prometheus', '--only', 'hydra-compute')
      expect(d.check('health:prometheus')).toMatchObject({status: 'fail', cause: 'http_html'})
      expect(d.check('health:prometheus').hint).toMatch(/login page or reverse proxy/)
      expect(d.failing.map((c) => c.id)).toEqual(['health:prometheus'])
      expect(d.doc.checks.filter((c) => c.cause === 'retention_mismatch')).toEqual([])
      expect(d.code).toBe(1)
    }, 120_000)

    it('prometheus-401: every 401/403 is exit 4 with a hint that fits a config without credentials', async () => {
      await proxy.setFault('status401')
      const targets = await hydra(['targets', '--config', viaProxy, '--json'])
      expect(targets.code).toBe(4)
      expect(targets.json().error).toMatchObject({code: 'auth_refused'})
      expect(targets.json().error.hint).toMatch(/gives Prometheus no credential/)
      await proxy.setFault('status403')
      const health = await hydra(['health', '--only', 'prometheus', '--config', viaProxy, '--json'])
      expect(health.code).toBe(4)
      const p = health.json().results[0]
      expect(p).toMatchObject({cause: 'auth'})
      expect(p.hint).toMatch(/the config gives no credential for it/)
      expect(p.hint).not.toMatch(/check the auth reference/)
    }, 120_000)

    it('prometheus-hang: a Prometheus that accepts and never answers is stuck (response_timeout: its logs, restart), not blackholed', async () => {
      await proxy.setFault('hang')
      const health = await hydra(['health', '--only', 'prometheus', '--timeout', '2s', '--config', viaProxy, '--json'])
      const p = health.json().results[0]
      expect(p.cause).toBe('response_timeout')
      expect(p.hint).toMatch(/stuck.*restart it/)
      expect(p.hint).not.toMatch(/blackholed|firewall/)
      await proxy.setFault('blackhole')
      const bh = (await hydra(['health', '--only', 'prometheus', '--timeout', '2s', '--config', viaProxy, '--json'])).json().results[0]
      expect(bh.cause).toBe('connect_timeout')
      await proxy.setFault(undefined)
    }, 120_000)
  })

  describe('a proxy in front of the real Alertmanager (items 5, 10)', () => {
    let proxy: FaultProxy
    let viaProxy: string
    beforeAll(async () => {
      const lab = loadConfig({flag: configPath}).config
      proxy = new FaultProxy({host: '127.0.0.9', port: 19093, upstream: lab.alertmanager!.baseUrl, name: 'alertmanager-proxy'})
      await proxy.start()
      viaProxy = variantConfig('alertmanager-via-proxy', (doc) => {
        delete doc.services.alertmanager.node
        delete doc.services.alertmanager.port
        doc.services.alertmanager.url = proxy.url
        doc.services.alertmanager.required = true
      })
    })
    afterAll(async () => {
      await proxy.stop()
    })

    it('alerts-am-faults: a 401 is exit 4 "refused hydra\'s credentials"; a 500, an HTML page and a hang are named as such, not "unreachable"', async () => {
      const alerts = async (...extra: string[]) => hydra(['alerts', '--config', viaProxy, '--no-fail-on-firing', ...extra])
      await proxy.setFault('status401')
      const auth = await alerts('--json')
      expect(auth.code).toBe(4)
      expect(auth.json().alertmanager).toMatchObject({reachable: false, cause: 'auth'})
      expect(auth.stderr).toMatch(/Alertmanager http:\/\/127\.0\.0\.9:19093\S* refused hydra's credentials: .*HTTP 401: an HTML page \("401 Authorization Required"\)/)
      expect(auth.stderr).toMatch(/fix: the config gives Alertmanager no credential/)

      await proxy.setFault('status500')
      const e500 = await alerts()
      expect(e500.code).toBe(1)
      expect(e500.stdout).toMatch(/: answered with an error \(.*HTTP 500/)
      expect(e500.stdout + e500.stderr).not.toMatch(/unreachable/)

      await proxy.setFault('html200')
      const html = await alerts()
      expect(html.code).toBe(1)
      expect(html.stdout).toMatch(/answered, but not with Alertmanager's API \(.*HTML/)

      await proxy.setFault('hang')
      const hang = await alerts('--timeout', '2s')
      expect(hang.stdout).toMatch(/accepted the connection but did not answer/)

      await proxy.setFault(undefined)
      expect((await alerts()).code).toBe(0)
    }, 120_000)
  })

  describe('backup and restore (item 9)', () => {
    const grafana = (patch: Record<string, unknown>) => lab.setState('grafana', patch)
    const fresh = {empty: true, deny: null, delayMs: 0, database: 'ok'}
    let backupRoot: string
    let backupConfig: string
    beforeAll(() => {
      backupRoot = join(scratch, 'backups')
      backupConfig = variantConfig('backups', (doc) => {
        doc.backup.dashboards.dir = backupRoot
      })
    })
    afterAll(async () => {
      await grafana(fresh)
    })

    it('backup-deadline: a Grafana that answers slowly is bounded by --deadline as a whole → partial, exit 3, the deadline named', async () => {
      await grafana({...fresh, seed: {dashboards: 400, folders: 2}, delayMs: 400})
      const r = await hydra(['backup', 'dashboards', '--config', backupConfig, '--deadline', '4s', '--concurrency', '4', '--only', 'dashboards', '--json'])
      const j = r.json()
      expect(j.aborted).toMatch(/the --deadline of 4s passed: \d+ dashboards saved/)
      expect(j.status).toBe('partial')
      expect(r.code).toBe(3)
      expect(j.saved).toBeGreaterThan(0)
      expect(j.saved).toBeLessThan(400)
      // the dashboards phase ended at the deadline, not after 400 × 400 ms / 4
      expect(j.durationSeconds).toBeLessThan(4 + 1)
    }, 120_000)

    it('backup-empty: a token that sees no dashboard is not a complete backup → failed, exit 1, with the likely cause', async () => {
      await grafana(fresh)
      const r = await hydra(['backup', 'dashboards', '--config', backupConfig, '--json'])
      const j = r.json()
      expect(j).toMatchObject({status: 'failed', empty: true, saved: 0})
      expect(j.aborted).toMatch(/Grafana listed no dashboards.*Viewer role/)
      expect(r.code).toBe(1)
    }, 120_000)

    it('restore-name-clash: a different dashboard with the same title in the folder → --dry-run names the 412 name-exists; --overwrite says what it replaces', async () => {
      await grafana({...fresh, seed: {dashboards: 3, folders: 1, prefix: 'clash'}})
      const b = await hydra(['backup', 'dashboards', '--config', backupConfig, '--json'])
      expect(b.code, b.stderr).toBe(0)
      const dir = b.json().dir as string
      // someone recreated "clash dashboard 0" by hand: same title and folder, another uid
      await grafana({empty: true, folders: [{uid: 'clash-folder-0', title: 'clash folder 0'}]})
      await grafana({dashboards: [{uid: 'by-hand', title: 'clash dashboard 0', folderUid: 'clash-folder-0', model: {title: 'clash dashboard 0', panels: []}}]})

      const dry = await hydra(['restore', 'dashboards', dir, '--dry-run', '--config', backupConfig, '--json'])
      const d0 = dry.json().dashboards.find((d: any) => d.uid === 'clash-000000')
      expect(d0).toMatchObject({action: 'conflict', grafanaStatus: 'name-exists', nameClash: {uid: 'by-hand'}})
      expect(d0.detail).toMatch(/a different dashboard "clash dashboard 0" \(uid by-hand\) has the same title in the folder: Grafana would refuse it \(412 name-exists\)/)
      // the dry run exits as the real run would: one of three refused → partial
      expect(dry.code).toBe(3)

      const over = await hydra(['restore', 'dashboards', dir, '--overwrite', '--config', backupConfig, '--json'])
      const o0 = over.json().dashboards.find((d: any) => d.uid === 'clash-000000')
      expect(o0.detail).toMatch(/replaced the different dashboard "clash dashboard 0" \(uid by-hand\)/)
      expect(over.code).toBe(0)
    }, 120_000)
  })
})

