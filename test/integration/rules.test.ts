/**
 * Issue 15 against the lab's REAL Prometheus 2.42, Alertmanager 0.25 and VictoriaMetrics + vmalert
 * 1.79.5, through the built CLI: rules render (lab config live, VictoriaMetrics config live,
 * embedded default offline, Prometheus unreachable) → promtool check/test; the rendered rules loaded
 * into the lab's Prometheus and vmalert (swapped into their rules dirs, /-/reload); rules diff
 * clean on both, then one rule changed on both; a stopped node exporter fires the rendered
 * NodeExporterDown; silence add --node → Alertmanager lists the silences (its API, not hydra) and
 * mutes the alert; hydra alerts shows it silenced; doctor reports the node's failure as silenced
 * (who, why, until when) and still exits 1 (a silenced failure is a failure); silence expire ends them.
 * afterAll puts the lab's own rules back.
 *
 * Kept short: hydra runs that do not depend on each other run in parallel, waits poll the servers'
 * APIs (not hydra), and every rendered `for` is capped at 1 s.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, inject, it} from 'vitest'

import {DEFAULT_CONFIG_YAML} from '../../src/lib/config/default-config.js'
import {LabControl, waitFor, waitForTargetHealth} from '../lab/control.js'
import {runHydra, STACK_LINE, type HydraRun} from '../helpers/run-hydra.js'

const {configPath, controlUrl, stateDir, victoria} = inject('lab')
const lab = new LabControl(controlUrl)
const PROM = 'http://127.0.0.2:9090'
const AM = 'http://127.0.0.2:9093'
const MAX_FOR = '1s'
const tmp = mkdtempSync(join(tmpdir(), 'hydra-rules-it-'))
const hydra = (args: string[], config = configPath) => runHydra([...args, '--config', config])
const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url, {signal: AbortSignal.timeout(3000)})).json()) as T
const promtool = (args: string[]) =>
  new Promise<{code: number; out: string}>((resolve) => execFile('promtool', args, {encoding: 'utf8'}, (error, stdout, stderr) => resolve({code: error ? ((error as {code?: number}).code ?? 1) : 0, out: stdout + stderr})))

interface RulesAnswer {
  data: {groups: {name: string; file: string; rules: {name: string; query: string; state?: string}[]}[]}
}
interface AmSilence {
  id: string
  status: {state: string}
  comment: string
  createdBy: string
  endsAt: string
  matchers: {name: string; value: string; isRegex: boolean}[]
}
interface AmAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  status: {state: string; silencedBy: string[]}
}

/** A rule engine the rendered rules are loaded into: its rules dir (the lab's own file set aside), its reload and its /api/v1/rules. */
class Engine {
  readonly own: string
  readonly loaded: string
  swapped = false
  constructor(
    readonly name: string,
    rulesDir: string,
    private readonly reloadUrl: string,
    private readonly reloadMethod: 'GET' | 'POST',
    private readonly rulesUrl: string,
  ) {
    this.own = join(rulesDir, 'hydra-alerts.yml')
    this.loaded = join(rulesDir, 'hydra-rendered.yml')
  }

  rules(): Promise<RulesAnswer> {
    return getJson<RulesAnswer>(this.rulesUrl)
  }

  /** Writes the loaded file, reloads, and waits until the engine answers with it (`until` on its rules). */
  async load(text: string, until: (a: RulesAnswer) => boolean): Promise<void> {
    if (!this.swapped) renameSync(this.own, `${this.own}.off`)
    this.swapped = true
    writeFileSync(this.loaded, text)
    await this.reloadUntil(until, `${this.name} to load the rendered rules`)
  }

  async restore(): Promise<void> {
    if (!this.swapped) return
    rmSync(this.loaded, {force: true})
    if (existsSync(`${this.own}.off`)) renameSync(`${this.own}.off`, this.own)
    await this.reloadUntil((a) => !a.data.groups.some((g) => g.name === 'hydra-nodes'), `${this.name}'s own rules back`)
  }

  private async reloadUntil(until: (a: RulesAnswer) => boolean, description: string): Promise<void> {
    const r = await fetch(this.reloadUrl, {method: this.reloadMethod, signal: AbortSignal.timeout(5000)})
    expect(r.status).toBe(200)
    await waitFor(async () => until(await this.rules()), 10_000, {description})
  }
}

const prometheus = new Engine('Prometheus', join(stateDir, 'prometheus', 'rules'), `${PROM}/-/reload`, 'POST', `${PROM}/api/v1/rules`)
const vmalert = new Engine('vmalert', victoria.vmalertRulesDir, `${victoria.vmalertUrl}/-/reload`, 'GET', `${victoria.vmalertUrl}/api/v1/rules`)
const hasRule = (name: string, query: RegExp) => (a: RulesAnswer) => a.data.groups.some((g) => g.rules.some((r) => r.name === name && query.test(r.query)))

const created: string[] = []

afterAll(async () => {
  // the lab's own rules back, the rendered alerts resolved in Alertmanager, our silences ended
  await Promise.all([prometheus.restore(), vmalert.restore()])
  if (prometheus.swapped) {
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
  it('lab config and VictoriaMetrics config (live), embedded default (--offline): promtool check rules and the generated promtool tests pass; Prometheus unreachable: exit 3', async () => {
    const defaultFile = join(tmp, 'default-config.yaml')
    writeFileSync(defaultFile, DEFAULT_CONFIG_YAML)
    const noProm = join(tmp, 'no-prom.yaml')
    writeFileSync(noProm, readFileSync(configPath, 'utf8').replace(/(prometheus:\n\s+node: hydra-storage\n\s+port: )9090/, '$19'))
    const out = (name: string) => ['-o', join(tmp, `${name}.yml`), '--tests', join(tmp, `${name}.test.yml`)]
    const [labRun, def, vm, unreachable, bare] = await Promise.all([
      hydra(['rules', 'render', ...out('lab'), '--max-for', MAX_FOR, '--json']),
      hydra(['rules', 'render', '--offline', ...out('default')], defaultFile),
      hydra(['rules', 'render', '-o', join(tmp, 'vm.yml'), '--max-for', MAX_FOR], victoria.configPath),
      hydra(['rules', 'render', '--timeout', '1s'], noProm),
      // (rules diff) a VictoriaMetrics with no vmalert behind it: said so, never "every rule missing"
      hydra(['rules', 'diff', '--max-for', MAX_FOR], victoria.bareConfigPath),
    ])
    expect(labRun.stderr).not.toMatch(STACK_LINE)
    expect(labRun.code, labRun.stderr).toBe(0)
    const doc = labRun.json()
    expect(doc.source.mode).toBe('live')
    expect(doc.context).toMatchObject({nodeJobs: ['node'], gpuExporters: ['nvidia_smi']})
    expect(doc.source.notes.join('\n')).toMatch(/does not scrape Loki/)
    expect(def.code, def.stderr).toBe(0)
    expect(vm.code, vm.stderr).toBe(0)

    expect(unreachable.code).toBe(3)
    expect(unreachable.stderr).toMatch(/could not be asked .*rendered from the config alone/s)
    expect(unreachable.stdout).toContain('alert: NodeExporterDown')
    expect(bare.code).toBe(1)
    expect(bare.stderr).toMatch(/cannot compare the rules: .*no vmalert is attached/s)
    expect(bare.stdout + bare.stderr).not.toMatch(/missing from/)

    // (the VictoriaMetrics file is checked by vmalert itself, which loads it in the next test)
    const checks = await Promise.all(['lab', 'default'].flatMap((name) => [promtool(['check', 'rules', join(tmp, `${name}.yml`)]), promtool(['test', 'rules', join(tmp, `${name}.test.yml`)])]))
    for (const c of checks) expect(c.code, c.out).toBe(0)
  }, 120_000)
})

describe('the rendered rules in the lab', () => {
  it('loaded into the real Prometheus and vmalert: rules diff is clean on both, then names the one rule edited in the loaded file', async () => {
    const labYml = readFileSync(join(tmp, 'lab.yml'), 'utf8')
    const vmYml = readFileSync(join(tmp, 'vm.yml'), 'utf8')
    const disk = /< 10$/m
    await Promise.all([prometheus.load(labYml, hasRule('RootDiskSpaceLow', /< 10$/)), vmalert.load(vmYml, hasRule('RootDiskSpaceLow', /< 10$/))])
    const [clean, vmClean] = await Promise.all([
      hydra(['rules', 'diff', '--max-for', MAX_FOR, '--json']),
      hydra(['rules', 'diff', '--max-for', MAX_FOR, '--json'], victoria.configPath),
    ])
    expect(clean.stderr).not.toMatch(STACK_LINE)
    expect(clean.json()).toMatchObject({inSync: true, missing: [], extra: [], changed: [], engine: 'Prometheus'})
    expect(clean.code).toBe(0)
    expect(clean.json().compared).toBeGreaterThanOrEqual(11)
    // vmalert, through VictoriaMetrics' -vmalert.proxyURL: the same rules, as loaded there
    expect(vmClean.stderr).not.toMatch(STACK_LINE)
    expect(vmClean.json()).toMatchObject({inSync: true, missing: [], extra: [], changed: [], server: victoria.url, engine: expect.stringMatching(/^vmalert/)})
    expect(vmClean.json().compared).toBe(clean.json().compared)
    expect(vmClean.code).toBe(0)

    await Promise.all([prometheus.load(labYml.replace(disk, '< 25'), hasRule('RootDiskSpaceLow', /< 25$/)), vmalert.load(vmYml.replace(disk, '< 25'), hasRule('RootDiskSpaceLow', /< 25$/))])
    // Prometheus as JSON, vmalert as a person reads it (the same renderer serves both)
    const [drift, vmHuman] = await Promise.all([hydra(['rules', 'diff', '--max-for', MAX_FOR, '--json']), hydra(['rules', 'diff', '--max-for', MAX_FOR], victoria.configPath)])
    expect(drift.code).toBe(1)
    expect(drift.json()).toMatchObject({inSync: false, missing: [], extra: []})
    expect(drift.json().changed).toEqual([expect.objectContaining({alert: 'RootDiskSpaceLow', field: 'expr', rendered: expect.stringMatching(/< 10$/), live: expect.stringMatching(/< 25$/)})])
    expect(vmHuman.code).toBe(1)
    expect(vmHuman.stdout.match(/^(changed|missing|not rendered)/gm)).toEqual(['changed'])
    expect(vmHuman.stdout).toMatch(/changed: RootDiskSpaceLow expr: rendered .*< 10, loaded .*< 25/)
    // Prometheus back to the rendered file (a 25 % disk threshold could fire in the next test)
    await prometheus.load(labYml, hasRule('RootDiskSpaceLow', /< 10$/))
  }, 120_000)

  it('a stopped node exporter fires the rendered NodeExporterDown; silence add --node mutes it, hydra alerts and doctor show it silenced (doctor still exits 1), expire ends it', async () => {
    await lab.stop('node-exporter@hydra-compute')
    try {
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'down', 20_000)
      const firing = (a: AmAlert) => a.labels.alertname === 'NodeExporterDown' && a.labels.node === 'hydra-compute'
      await waitFor(async () => (await getJson<{data: {alerts: {labels: Record<string, string>; state: string}[]}}>(`${PROM}/api/v1/alerts`)).data.alerts.some((a) => a.labels.alertname === 'NodeExporterDown' && a.labels.node === 'hydra-compute' && a.state === 'firing'), 20_000, {
        description: 'the rendered NodeExporterDown to fire in Prometheus',
      })
      await waitFor(async () => (await getJson<AmAlert[]>(`${AM}/api/v2/alerts`)).some(firing), 20_000, {description: 'Alertmanager to receive it'})
      /** the node's failed checks (which link of the chain fails first may vary under load: ssh, exporter) */
      const nodeFailures = (run: HydraRun) => run.json().checks.filter((c: {node?: string; status: string}) => c.node === 'hydra-compute' && c.status === 'fail')

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
      const endsAt = silences.find((s) => s.id === ids[0])!.endsAt

      await waitFor(async () => (await getJson<AmAlert[]>(`${AM}/api/v2/alerts`)).find(firing)?.status.state === 'suppressed', 10_000, {description: 'the alert muted'})
      const textfile = join(tmp, 'doctor.prom')
      const [doctor, alerts, list, again, refused] = await Promise.all([
        hydra(['doctor', '--only', 'hydra-compute', '--json', '--textfile', textfile]),
        hydra(['alerts']),
        hydra(['silence', 'list', '--json']),
        hydra(['silence', 'expire', '00000000-0000-4000-8000-000000000000', '--json']),
        hydra(['silence', 'add', 'alertname=~.*', '--for', '1h', '--comment', 'x']),
      ])
      // hydra alerts: the firing alert muted, by these two silences
      expect(alerts.stdout).toMatch(/NodeExporterDown\s+firing \(silenced\)\s+critical\s+hydra-compute/)
      for (const id of ids) expect(alerts.stdout).toMatch(new RegExp(`silence ${id} \\(active\\) .* by typhon: reboot`))
      expect(list.json().silences.map((s: {id: string}) => s.id)).toEqual(expect.arrayContaining(ids))

      // doctor: the failure is still a failure (exit 1, as for any failed check; the same run without a
      // silence is test/unit/doctor/silenced.test.ts), now explained: by whom, why, until when
      expect(doctor.stderr).not.toMatch(STACK_LINE)
      expect(doctor.code).toBe(1)
      expect(doctor.json()).toMatchObject({exitCode: 1, silences: {status: 'read'}})
      expect(doctor.json().summary.fail).toBe(doctor.json().checks.filter((c: {status: string}) => c.status === 'fail').length)
      expect(doctor.json().verdict).toMatch(/hydra-compute\S* \w+ \(silenced\)/)
      expect(nodeFailures(doctor).length).toBeGreaterThan(0)
      for (const c of nodeFailures(doctor)) {
        expect(c.silenced?.map((s: {id: string}) => s.id).sort(), c.id).toEqual([...ids].sort())
        for (const s of c.silenced) expect(s).toMatchObject({createdBy: 'typhon', comment: 'reboot', endsAt})
      }
      const metrics = readFileSync(textfile, 'utf8')
      expect(metrics).toMatch(new RegExp(`^hydra_check_silenced\\{check="${nodeFailures(doctor)[0].id}",node="hydra-compute"\\} 1$`, 'm'))
      expect(metrics).toMatch(new RegExp(`^hydra_check_up\\{check="${nodeFailures(doctor)[0].id}",node="hydra-compute"\\} 0$`, 'm'))

      expect(again.code).toBe(1)
      expect(again.json().results[0]).toMatchObject({expired: false, code: 'silence_not_found'})
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/Alertmanager refused the silence: .*must not match the empty string/)

      const expire = await hydra(['silence', 'expire', ...ids])
      expect(expire.code, expire.stderr).toBe(0)
      const after = await getJson<AmSilence[]>(`${AM}/api/v2/silences`)
      for (const id of ids) expect(after.find((s) => s.id === id)!.status.state).toBe('expired')
    } finally {
      await lab.start('node-exporter@hydra-compute')
      await waitForTargetHealth(PROM, '127.0.0.3:9100', 'up', 20_000)
    }
  }, 150_000)
})
