/**
 * The foundation against the lab's REAL Prometheus and node exporters (and the stand-ins):
 * `hydra targets` and `hydra health` end to end, through the built CLI.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeAll, describe, expect, inject, it} from 'vitest'

import {LabControl, waitForTargetHealth} from '../lab/control.js'
import {REPO, runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

const {configPath, controlUrl} = inject('lab')
const lab = new LabControl(controlUrl)
const PROM = 'http://127.0.0.2:9090'
const hydra = (...args: string[]) => runHydra([...args, '--config', configPath])

beforeAll(async () => {
  await lab.reset()
})
afterEach(async () => {
  await lab.reset()
})

describe('hydra targets against the real Prometheus', () => {
  it('all up → exit 0, every exporter of the lab config listed with its node', async () => {
    const r = await hydra('targets', '--json')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = r.json()
    const nodeTargets = doc.targets.filter((t: any) => t.job === 'node')
    expect(nodeTargets.map((t: any) => `${t.node} ${t.instance} ${t.health}`)).toEqual([
      'hydra-ai 127.0.0.4:9100 up',
      'hydra-compute 127.0.0.3:9100 up',
      'hydra-storage 127.0.0.2:9100 up',
    ])
    expect(doc.summary.down).toBe(0)
    const human = await hydra('targets')
    expect(human.stdout).toMatch(/NODE\s+JOB\s+INSTANCE\s+HEALTH\s+LAST SCRAPE\s+DURATION\s+ERROR/)
    expect(human.stdout).toMatch(/hydra-compute\s+node\s+127\.0\.0\.3:9100\s+up\s+\d+s ago/)
  })

  it('one node exporter killed → --down lists it with its real error, exit 1', async () => {
    await lab.stop('node-exporter@hydra-compute')
    await waitForTargetHealth(PROM, '127.0.0.3:9100', 'down', 20_000)
    const r = await hydra('targets', '--down', '--json')
    expect(r.code).toBe(1)
    const doc = r.json()
    expect(doc.targets).toHaveLength(1)
    expect(doc.targets[0]).toMatchObject({node: 'hydra-compute', job: 'node', instance: '127.0.0.3:9100', health: 'down', errorCause: 'refused'})
    expect(doc.targets[0].lastError).toMatch(/dial tcp 127\.0\.0\.3:9100: connect: connection refused/)
    expect(doc.errorsByCause[0]).toMatchObject({cause: 'refused', instances: ['127.0.0.3:9100']})
    const human = await hydra('targets', '--down')
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/127\.0\.0\.3:9100\s+down/)
    expect(human.stdout).toMatch(/refused \(1\): connection refused/)
  })

  it('--job filters', async () => {
    const r = await hydra('targets', '--job', 'nvidia-gpu', '--json')
    expect(r.code).toBe(0)
    expect(r.json().targets.map((t: any) => t.instance).sort()).toEqual(['127.0.0.3:9835', '127.0.0.4:9835'])
  })

  it('--textfile writes metrics for the textfile collector', async () => {
    const file = join(tempDir('hydra-tf-'), 'targets.prom')
    const r = await hydra('targets', '--textfile', file)
    expect(r.code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/hydra_target_up\{job="node",instance="127\.0\.0\.3:9100",node="hydra-compute"\} 1/)
  })

  it('Prometheus down → a clear error naming the cause, exit 1, no stack trace', async () => {
    await lab.stop('prometheus')
    const r = await hydra('targets')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Error: GET http:\/\/127\.0\.0\.2:9090\/api\/v1\/targets\?state=active: connection refused/)
    expect(r.stderr).not.toMatch(STACK_LINE)
  })
})

describe('hydra health against the lab', () => {
  it('everything healthy → exit 0', async () => {
    const r = await hydra('health', '--json')
    expect(r.code).toBe(0)
    const doc = r.json()
    expect(doc.results.filter((x: any) => x.status !== 'ok')).toEqual([])
    expect(doc.results.map((x: any) => x.id).sort()).toEqual(
      ['alertmanager', 'grafana', 'hydra-storage/cadvisor', 'litellm', 'loki', 'ollama', 'prometheus', 'qdrant', 'tabbyapi'].sort(),
    )
    expect(doc.results.find((x: any) => x.id === 'prometheus').detail).toBe('Prometheus Server is Ready.')
  })

  it('a stand-in answering 503 → health names it with its body, exit 1', async () => {
    await lab.fault('loki', {status: 503, body: 'Ingester not ready: waiting for 15s after being ready', paths: ['/ready']})
    const r = await hydra('health', '--json')
    expect(r.code).toBe(1)
    const loki = r.json().results.find((x: any) => x.id === 'loki')
    expect(loki).toMatchObject({status: 'fail', httpStatus: 503, cause: 'starting', detail: 'Loki is starting (Ingester not ready: waiting for 15s after being ready)'})
    const human = await hydra('health')
    expect(human.stdout).toMatch(/loki\s+hydra-storage\s+fail/)
  })

  it('an optional service down is reported without failing the run', async () => {
    await lab.stop('alertmanager')
    const r = await hydra('health', '--json')
    expect(r.code).toBe(0)
    expect(r.json().results.find((x: any) => x.id === 'alertmanager')).toMatchObject({status: 'fail', required: false, cause: 'refused'})
  })

  it('a hung service costs its timeout, not more', async () => {
    await lab.fault('qdrant', {hang: true})
    const t0 = Date.now()
    const r = await hydra('health', '--timeout', '1s', '--json')
    expect(Date.now() - t0).toBeLessThan(1000 + 3000) // 1s budget + CLI start-up
    expect(r.code).toBe(1)
    // it accepts connections and never answers: stuck, not blackholed (issue 10 item 3)
    const qdrant = r.json().results.find((x: any) => x.id === 'qdrant')
    expect(qdrant).toMatchObject({status: 'fail', cause: 'response_timeout'})
    expect(qdrant.hint).toMatch(/accepts connections but did not answer.*stuck.*restart it/)
    expect(qdrant.hint).not.toMatch(/blackholed|firewall/)
  })
})

describe('the embedded default inside the loopback-only namespace', () => {
  it('hydra health reports every service unreachable within its timeout and exits 1; it never hangs', async () => {
    const empty = tempDir('hydra-nocfg-')
    const t0 = Date.now()
    // no --config, no HYDRA_CONFIG, no ./hydra.yaml, no user config: the embedded default (192.168.1.x)
    const r = await runHydra(['health', '--json'], {cwd: empty, env: {HOME: empty, XDG_CONFIG_HOME: empty}, timeoutMs: 30_000})
    expect(Date.now() - t0).toBeLessThan(5000 + 3000)
    expect(r.code).toBe(1)
    const results = r.json().results
    expect(results.length).toBeGreaterThanOrEqual(9)
    for (const x of results) expect(x.status, x.id).toBe('fail')
    expect(results.filter((x: any) => x.id !== 'grafana').every((x: any) => ['unreachable', 'timeout', 'connect_timeout'].includes(x.cause))).toBe(true)
  })
})

describe('--json on every command prints exactly one JSON document', () => {
  const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {args: Record<string, {required?: boolean}>}>}
  // arguments that make each command do real work against the lab
  const ARGS: Record<string, string[]> = {
    query: ['up'],
    logs: ['{container_name="tabbyapi"}'],
    'docker:logs': ['tabbyapi'],
    'backup:verify': ['/nonexistent-backup'],
    'restore:dashboards': ['/nonexistent-backup', '--dry-run'],
    'tsdb:delete-series': ['--match', 'up{job="none"}'],
    'config:init': [join(tempDir('hydra-init-'), 'hydra.yaml')],
  }
  const ids = Object.keys(manifest.commands).filter((id) => !['help', 'autocomplete'].includes(id))
  it.each(ids)('%s', async (id) => {
    const r = await runHydra([...id.split(':'), ...(ARGS[id] ?? []), '--json', '--config', configPath, '--timeout', '3s'], {
      env: {HYDRA_GRAFANA_TOKEN: 'lab-token'},
      timeoutMs: 60_000,
    })
    expect([0, 1, 2, 3, 4]).toContain(r.code)
    expect(() => r.json(), `stdout of ${id}: ${r.stdout.slice(0, 300)}`).not.toThrow()
    expect(r.stdout).not.toMatch(STACK_LINE)
    expect(r.stderr).not.toMatch(STACK_LINE)
  })
})
