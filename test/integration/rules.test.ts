/**
 * Issue 15 against the lab's REAL Prometheus 2.42 and Alertmanager 0.25, through the built CLI:
 * rules render (lab config live, embedded default offline) → promtool check/test; the rendered
 * rules loaded into the lab's Prometheus (swapped into its rules dir, /-/reload); rules diff clean,
 * then one rule changed; a stopped node exporter fires the rendered NodeExporterDown; silence add
 * --node → Alertmanager lists the silences (its API, not hydra) and mutes the alert; hydra alerts
 * shows it silenced; silence expire ends them. afterAll puts the lab's own rules back.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, inject, it} from 'vitest'

import {DEFAULT_CONFIG_YAML} from '../../src/lib/config/default-config.js'
import {LabControl, waitFor, waitForTargetHealth} from '../lab/control.js'
import {runHydra, STACK_LINE} from '../helpers/run-hydra.js'

const {configPath, controlUrl, stateDir} = inject('lab')
const lab = new LabControl(controlUrl)
const PROM = 'http://127.0.0.2:9090'
const AM = 'http://127.0.0.2:9093'
const tmp = mkdtempSync(join(tmpdir(), 'hydra-rules-it-'))
const rulesDir = join(stateDir, 'prometheus', 'rules')
const labRules = join(rulesDir, 'hydra-alerts.yml')
const loaded = join(rulesDir, 'hydra-rendered.yml')
const hydra = (args: string[], config = configPath) => runHydra([...args, '--config', config])
const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url, {signal: AbortSignal.timeout(3000)})).json()) as T

interface PromRules {
  data: {groups: {name: string; file: string; rules: {name: string; state?: string; duration?: number}[]}[]}
}
interface AmSilence {
  id: string
  status: {state: string}
  comment: string
  createdBy: string
  matchers: {name: string; value: string; isRegex: boolean}[]
}
interface AmAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  status: {state: string; silencedBy: string[]}
}

async function reloadAndWaitFor(groupName: string, present: boolean): Promise<void> {
  const r = await fetch(`${PROM}/-/reload`, {method: 'POST', signal: AbortSignal.timeout(5000)})
  expect(r.status).toBe(200)
  await waitFor(async () => (await getJson<PromRules>(`${PROM}/api/v1/rules`)).data.groups.some((g) => g.name === groupName) === present, 10_000, {
    description: `rule group ${groupName} ${present ? 'loaded' : 'gone'}`,
  })
}

const created: string[] = []
let swapped = false

afterAll(async () => {
  // the lab's own rules back, the rendered alerts resolved in Alertmanager, our silences ended
  if (swapped) {
    rmSync(loaded, {force: true})
    if (existsSync(`${labRules}.off`)) renameSync(`${labRules}.off`, labRules)
    await reloadAndWaitFor('hydra-nodes', false)
    const leftovers = await getJson<AmAlert[]>(`${AM}/api/v2/alerts`)
    const now = new Date().toISOString()
    const resolve = leftovers.filter((a) => a.labels.alertname !== undefined).map((a) => ({labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: now}))
    if (resolve.length > 0) await fetch(`${AM}/api/v2/alerts`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(resolve)})
  }
  for (const id of created) await fetch(`${AM}/api/v2/silence/${id}`, {method: 'DELETE'}).catch(() => {})
  await lab.start('node-exporter@hydra-compute')
  rmSync(tmp, {recursive: true, force: true})
})

describe('hydra rules render', () => {
  it('lab config (live) and embedded default (--offline): promtool check rules and the generated promtool tests pass', async () => {
    const lab = await hydra(['rules', 'render', '-o', join(tmp, 'lab.yml'), '--tests', join(tmp, 'lab.test.yml'), '--max-for', '2s', '--json'])
    expect(lab.stderr).not.toMatch(STACK_LINE)
    expect(lab.code, lab.stderr).toBe(0)
    const doc = lab.json()
    expect(doc.source.mode).toBe('live')
    expect(doc.context).toMatchObject({nodeJobs: ['node'], gpuExporters: ['nvidia_smi']})
    expect(doc.source.notes.join('\n')).toMatch(/does not scrape Loki/)
    const defaultFile = join(tmp, 'default-config.yaml')
    writeFileSync(defaultFile, DEFAULT_CONFIG_YAML)
    const def = await hydra(['rules', 'render', '--offline', '-o', join(tmp, 'default.yml'), '--tests', join(tmp, 'default.test.yml')], defaultFile)
    expect(def.code, def.stderr).toBe(0)
    for (const name of ['lab', 'default']) {
      const check = spawnSync('promtool', ['check', 'rules', join(tmp, `${name}.yml`)], {encoding: 'utf8'})
      expect(check.status, check.stdout + check.stderr).toBe(0)
      const test = spawnSync('promtool', ['test', 'rules', join(tmp, `${name}.test.yml`)], {encoding: 'utf8'})
      expect(test.status, test.stdout + test.stderr).toBe(0)
    }
  })

  it('Prometheus unreachable: rendered from the config alone, said so, exit 3', async () => {
    const cfg = join(tmp, 'no-prom.yaml')
    writeFileSync(cfg, readFileSync(configPath, 'utf8').replace(/(prometheus:\n\s+node: hydra-storage\n\s+port: )9090/, '$19'))
    const r = await hydra(['rules', 'render', '--timeout', '1s'], cfg)
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/could not be asked .*rendered from the config alone/s)
    expect(r.stdout).toContain('alert: NodeExporterDown')
  })
})

describe('the rendered rules in the lab', () => {
  it('loaded into the real Prometheus: rules diff is clean, then names the one rule edited in the loaded file', async () => {
    renameSync(labRules, `${labRules}.off`)
    writeFileSync(loaded, readFileSync(join(tmp, 'lab.yml'), 'utf8'))
    swapped = true
    await reloadAndWaitFor('hydra-nodes', true)
    const clean = await hydra(['rules', 'diff', '--max-for', '2s', '--json'])
    expect(clean.stderr).not.toMatch(STACK_LINE)
    expect(clean.json()).toMatchObject({inSync: true, missing: [], extra: [], changed: []})
    expect(clean.code).toBe(0)
    expect(clean.json().compared).toBeGreaterThanOrEqual(11)

    writeFileSync(loaded, readFileSync(join(tmp, 'lab.yml'), 'utf8').replace(/< 10$/m, '< 25'))
    await reloadAndWaitFor('hydra-nodes', true)
    await waitFor(async () => (await hydra(['rules', 'diff', '--max-for', '2s'])).code === 1, 10_000, {description: 'the edited rule to be loaded'})
    const drift = await hydra(['rules', 'diff', '--max-for', '2s', '--json'])
    expect(drift.code).toBe(1)
    expect(drift.json().changed).toEqual([expect.objectContaining({alert: 'RootDiskSpaceLow', field: 'expr'})])
    const human = await hydra(['rules', 'diff', '--max-for', '2s'])
    expect(human.stdout).toMatch(/changed: RootDiskSpaceLow expr: rendered .*< 10, loaded .*< 25/)
    writeFileSync(loaded, readFileSync(join(tmp, 'lab.yml'), 'utf8'))
    await reloadAndWaitFor('hydra-nodes', true)
  })

  it('a stopped node exporter fires the rendered NodeExporterDown; silence add --node mutes it, hydra alerts shows it, expire ends it', async () => {
    await lab.stop('node-exporter@hydra-compute')
    try {
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'down', 20_000)
      const firing = (a: AmAlert) => a.labels.alertname === 'NodeExporterDown' && a.labels.node === 'hydra-compute'
      await waitFor(async () => (await getJson<{data: {alerts: {labels: Record<string, string>; state: string}[]}}>(`${PROM}/api/v1/alerts`)).data.alerts.some((a) => a.labels.alertname === 'NodeExporterDown' && a.labels.node === 'hydra-compute' && a.state === 'firing'), 20_000, {
        description: 'the rendered NodeExporterDown to fire in Prometheus',
      })
      await waitFor(async () => (await getJson<AmAlert[]>(`${AM}/api/v2/alerts`)).some(firing), 20_000, {description: 'Alertmanager to receive it'})

      const add = await hydra(['silence', 'add', '--node', 'hydra-compute', '--for', '1h', '--comment', 'reboot', '--author', 'typhon', '--json'])
      expect(add.stderr).not.toMatch(STACK_LINE)
      expect(add.code, add.stderr).toBe(0)
      const ids = (add.json().silences as {id: string}[]).map((s) => s.id)
      created.push(...ids)
      expect(ids).toHaveLength(2)
      // Alertmanager's own API lists them
      const silences = await getJson<AmSilence[]>(`${AM}/api/v2/silences`)
      for (const id of ids) expect(silences.find((s) => s.id === id)).toMatchObject({status: {state: 'active'}, comment: 'reboot', createdBy: 'typhon'})
      expect(silences.find((s) => s.id === ids[0])!.matchers).toEqual([{name: 'node', value: 'hydra-compute', isRegex: false, isEqual: true}])

      await waitFor(async () => (await getJson<AmAlert[]>(`${AM}/api/v2/alerts`)).find(firing)?.status.state === 'suppressed', 10_000, {description: 'the alert muted'})
      const alerts = await hydra(['alerts', '--json'])
      const row = alerts.json().alerts.find((a: {alertname: string; node?: string}) => a.alertname === 'NodeExporterDown' && a.node === 'hydra-compute')
      expect(row.silencedBy.sort()).toEqual([...ids].sort())
      const human = await hydra(['alerts'])
      expect(human.stdout).toMatch(/NodeExporterDown\s+firing \(silenced\)\s+critical\s+hydra-compute/)
      const list = await hydra(['silence', 'list', '--json'])
      expect(list.json().silences.map((s: {id: string}) => s.id)).toEqual(expect.arrayContaining(ids))

      const expire = await hydra(['silence', 'expire', ...ids])
      expect(expire.code, expire.stderr).toBe(0)
      const after = await getJson<AmSilence[]>(`${AM}/api/v2/silences`)
      for (const id of ids) expect(after.find((s) => s.id === id)!.status.state).toBe('expired')
      const again = await hydra(['silence', 'expire', '00000000-0000-4000-8000-000000000000', '--json'])
      expect(again.code).toBe(1)
      expect(again.json().results[0]).toMatchObject({expired: false, code: 'silence_not_found'})
      const refused = await hydra(['silence', 'add', 'alertname=~.*', '--for', '1h', '--comment', 'x'])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/Alertmanager refused the silence: .*must not match the empty string/)
    } finally {
      await lab.start('node-exporter@hydra-compute')
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'up', 20_000)
    }
  }, 150_000)
})
