/**
 * The runbook's Grafana side against the lab's Grafana stand-in (api-facts.md §12), with the BUILT
 * cli (`npm run build` first): data sources (the seeded one on a dead address), the broken-panel
 * finder (the runbook's nvidia_gpu_* dashboard), import, generate, the whole-Grafana backup round
 * trip and a Viewer token. Every run's output and every file written is searched for secrets.
 */
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeEach, describe, expect, it} from 'vitest'

import {grafanaLab} from '../helpers/grafana-lab.js'

const VIEWER = 'glsa_viewer_0123456789abcdef'
const {control, token: TOKEN, work: WORK, transcripts, hydra} = grafanaLab('grafana', (config, work) => {
  config.services.grafana.expectedDashboards = [
    {title: 'Node Exporter Full', gnetId: 1860},
    {title: 'NVIDIA DCGM', gnetId: 12239},
    {title: 'Hydra AI Control Plane', uid: 'hydra-ai-control-plane'},
  ]
  config.backup = {dashboards: {dir: join(work, 'backups'), keep: 30, concurrency: 8}}
})
const SECRETS = [TOKEN, VIEWER, 'lab-webhook-password']

async function freshGrafana(): Promise<void> {
  await control.clearFault('grafana')
  // the runbook's leftovers (a data source on a dead address, the nvidia_gpu_* dashboard) are what these scenarios find
  await control.setState('grafana', {emptyAll: true, labSeed: true, runbookFaults: true, deny: null, delayMs: 0, tokens: [TOKEN, VIEWER], tokenRoles: {[VIEWER]: 'Viewer'}})
}

beforeEach(freshGrafana)

afterAll(async () => {
  await control.setState('grafana', {emptyAll: true, labSeed: true, tokens: [TOKEN], tokenRoles: {}})
  rmSync(WORK, {recursive: true, force: true})
})

describe('hydra datasources', () => {
  it('flags the data source aimed at a dead address, and exits 1', async () => {
    const r = await hydra(['datasources', '--json'])
    expect(r.code).toBe(1)
    const byUid = Object.fromEntries(r.json.datasources.map((d: any) => [d.uid, d]))
    expect(byUid.prometheus).toMatchObject({health: {status: 'ok'}, target: {verdict: 'same'}, isDefault: true, problems: []})
    expect(byUid.loki).toMatchObject({health: {status: 'ok'}, target: {verdict: 'same'}, problems: []})
    expect(byUid['prometheus-old'].health.status).toBe('error')
    expect(byUid['prometheus-old'].health.message).toMatch(/127\.0\.0\.9:9090.*connection refused/)
    expect(byUid['prometheus-old'].target).toMatchObject({verdict: 'elsewhere'})
    const text = await hydra(['datasources'])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/Prometheus \(old\) \(prometheus-old\): unhealthy/)
  })
})

describe('hydra dashboards check', () => {
  it('names the nvidia_gpu_* panels with their replacement; the healthy dashboard is clean', async () => {
    const r = await hydra(['dashboards', 'check', '--json'])
    expect(r.code).toBe(1)
    const gpu = r.json.dashboards.find((d: any) => d.uid === 'gpu-overview')
    expect(gpu.status).toBe('broken')
    const temp = gpu.panels.find((p: any) => p.title === 'GPU temperature')
    expect(temp.problems).toEqual([expect.objectContaining({kind: 'metric_missing', metric: 'nvidia_gpu_temperature_celsius', replacement: 'nvidia_smi_temperature_gpu'})])
    expect(gpu.panels.find((p: any) => p.title === 'VRAM used')).toMatchObject({status: 'ok', row: 'Memory'})
    expect(gpu.panels.find((p: any) => p.title === 'Old Prometheus').problems[0].kind).toBe('datasource_elsewhere')
    expect(r.json.dashboards.find((d: any) => d.uid === 'rYdddlPWk').status).toBe('ok')
    const text = await hydra(['dashboards', 'check', 'gpu-overview'])
    expect(text.stdout).toMatch(/panel 1 "GPU temperature":\n.*nvidia_gpu_temperature_celsius.*→ use nvidia_smi_temperature_gpu/)
  })
})

const IMPORTABLE = {
  __inputs: [{name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus'}],
  uid: 'imported-node',
  title: 'Imported node',
  templating: {list: [{name: 'node', type: 'query', datasource: {type: 'prometheus', uid: '${DS_PROMETHEUS}'}, query: 'label_values(node_uname_info, instance)'}]},
  panels: [
    {
      id: 1,
      type: 'timeseries',
      title: 'CPU',
      datasource: {type: 'prometheus', uid: '${DS_PROMETHEUS}'},
      targets: [{refId: 'A', datasource: {type: 'prometheus', uid: '${DS_PROMETHEUS}'}, expr: 'rate(node_cpu_seconds_total{mode="idle",instance=~"$node"}[$__rate_interval])'}],
    },
  ],
}

describe('hydra dashboards list / import / generate', () => {
  it('imports a JSON with __inputs into a folder, mapped to the config\'s Prometheus; it then checks clean', async () => {
    const file = join(WORK, 'imported.json')
    writeFileSync(file, JSON.stringify(IMPORTABLE))
    const dry = await hydra(['dashboards', 'import', file, '--folder', 'Imported', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(dry.json).toMatchObject({action: 'would-import', folder: {title: 'Imported', created: true}, inputs: [{name: 'DS_PROMETHEUS', value: 'prometheus'}]})
    const r = await hydra(['dashboards', 'import', file, '--folder', 'Imported', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.json).toMatchObject({action: 'imported', uid: 'imported-node', folder: {title: 'Imported'}})
    expect(r.json.inputs[0].via).toMatch(/points at the config's prometheus/)
    const check = await hydra(['dashboards', 'check', 'imported-node', '--json'])
    expect(check.code, check.stdout).toBe(0)
    expect(check.json.dashboards[0]).toMatchObject({folderTitle: 'Imported', status: 'ok', panels: [{status: 'ok', datasources: ['Prometheus']}]})
  })

  it('generate | import - gives a control plane that checks clean; list shows it; grafana.com without internet is a clear error', async () => {
    const gen = await hydra(['dashboards', 'generate'])
    expect(gen.code, gen.stderr).toBe(0)
    const model = JSON.parse(gen.stdout)
    expect(model.panels.map((p: any) => p.title)).toEqual(expect.arrayContaining(['GPU temperature', 'GPU utilisation', 'CPU busy']))
    expect(JSON.stringify(model)).toContain('nvidia_smi_temperature_gpu')
    const imp = await hydra(['dashboards', 'import', '-', '--overwrite', '--json'], {stdin: gen.stdout})
    expect(imp.code, imp.stderr).toBe(0)
    const check = await hydra(['dashboards', 'check', 'hydra-ai-control-plane', '--json'])
    expect(check.code, check.stdout).toBe(0)
    expect(check.json.summary).toMatchObject({brokenPanels: 0})
    expect(check.json.summary.panels).toBeGreaterThan(5)
    const list = await hydra(['dashboards', 'list', '--json'])
    expect(list.code).toBe(1)
    expect(list.json.expected).toEqual([
      expect.objectContaining({title: 'Node Exporter Full', present: true, match: expect.objectContaining({uid: 'rYdddlPWk', by: 'gnetId'})}),
      expect.objectContaining({title: 'NVIDIA DCGM', present: false}),
      expect.objectContaining({title: 'Hydra AI Control Plane', present: true}),
    ])
    const gnet = await hydra(['dashboards', 'import', '12239'])
    expect(gnet.code).toBe(1)
    expect(gnet.stderr).toMatch(/Grafana could not fetch dashboard 12239 from grafana.com \(HTTP 502\): the Grafana server has no internet access/)
  })
})

/** a backup's content without what only an instance or a secret decides */
function backupContent(dir: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
  const out: Record<string, unknown> = {folders: JSON.parse(readFileSync(join(dir, 'folders.json'), 'utf8'))}
  for (const d of manifest.dashboards) {
    const doc = JSON.parse(readFileSync(join(dir, d.path), 'utf8'))
    const {id: _id, version: _v, ...dashboard} = doc.dashboard
    out[`dashboard:${d.uid}`] = {dashboard, folderUid: doc.meta.folderUid}
  }
  for (const o of manifest.objects) {
    const items = JSON.parse(readFileSync(join(dir, o.path), 'utf8')).map(({secretFields: _s, ...rest}: any) => rest)
    out[o.kind] = items
  }
  return out
}

function secretFieldsOf(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
  return manifest.objects.flatMap((o: any) =>
    JSON.parse(readFileSync(join(dir, o.path), 'utf8'))
      .filter((x: any) => x.secretFields?.length)
      .map((x: any) => `${o.kind}:${x.uid}:${x.secretFields.join(',')}`),
  )
}

describe('whole-Grafana backup', () => {
  it('backup → empty Grafana → restore → backup is the same except secrets, which the restore lists', async () => {
    const first = await hydra(['backup', 'dashboards', '--json'])
    expect(first.code, first.stdout).toBe(0)
    const manifest = JSON.parse(readFileSync(join(first.json.dir, 'manifest.json'), 'utf8'))
    expect(Object.fromEntries(manifest.objects.map((o: any) => [o.kind, o.count]))).toEqual({datasources: 3, 'library-panels': 1, 'alert-rules': 1, 'contact-points': 1, policies: 1})
    expect(secretFieldsOf(first.json.dir).sort()).toEqual(['contact-points:ops-webhook:password', 'datasources:loki:httpHeaderValue1'])
    const verify = await hydra(['backup', 'verify', first.json.dir, '--json'])
    expect(verify.code, verify.stdout).toBe(0)

    await control.setState('grafana', {emptyAll: true})
    const restore = await hydra(['restore', 'dashboards', first.json.dir, '--json'])
    expect(restore.code, restore.stdout).toBe(0)
    expect(restore.json.secrets.map((x: any) => `${x.kind}:${x.uid}:${x.fields.join(',')}`).sort()).toEqual(secretFieldsOf(first.json.dir).sort())
    expect(restore.json.objects.every((o: any) => ['created', 'updated'].includes(o.action))).toBe(true)

    const second = await hydra(['backup', 'dashboards', '--json'])
    expect(second.code, second.stdout).toBe(0)
    expect(backupContent(second.json.dir)).toEqual(backupContent(first.json.dir))
    expect(secretFieldsOf(second.json.dir)).toEqual([])

    const only = await hydra(['backup', 'dashboards', '--only', 'datasources,policies', '--json'])
    expect(only.code, only.stdout).toBe(0)
    const m2 = JSON.parse(readFileSync(join(only.json.dir, 'manifest.json'), 'utf8'))
    expect([m2.dashboardCount, m2.objects.map((o: any) => o.kind)]).toEqual([0, ['datasources', 'policies']])
  })

  it('a Viewer token: import and restore exit 4 naming the permission', async () => {
    const backup = await hydra(['backup', 'dashboards', '--only', 'dashboards,datasources', '--json'])
    expect(backup.code, backup.stdout).toBe(0)
    const file = join(WORK, 'viewer.json')
    writeFileSync(file, JSON.stringify(IMPORTABLE))
    const imp = await hydra(['dashboards', 'import', file, '--input', 'DS_PROMETHEUS=prometheus'], {token: VIEWER})
    expect(imp.code).toBe(4)
    expect(imp.stderr).toMatch(/HTTP 403.*Permissions needed: dashboards:create/)
    expect(imp.stderr).toMatch(/Hint: .*lacks dashboards:create: give the service account the Editor role/)
    const restore = await hydra(['restore', 'dashboards', backup.json.dir], {token: VIEWER})
    expect(restore.code).toBe(4)
    expect(restore.stderr).toMatch(/Permissions needed: datasources:read/)
    // README (cron): a whole-Grafana backup needs Admin; a Viewer's is partial every night, unless --only dashboards
    const viewerFull = await hydra(['backup', 'dashboards', '--json'], {token: VIEWER})
    expect(viewerFull.code, viewerFull.stdout).toBe(3)
    expect(JSON.stringify(viewerFull.json.failed)).toMatch(/datasources not backed up: .*datasources:read/)
    const viewerDashboards = await hydra(['backup', 'dashboards', '--only', 'dashboards', '--json'], {token: VIEWER})
    expect(viewerDashboards.code, viewerDashboards.stdout).toBe(0)
  })
})

describe('no secret anywhere', () => {
  it('no token, password or tenant in any output or file', () => {
    const files = readdirSync(WORK, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    for (const text of [...transcripts, ...files]) for (const s of SECRETS) expect(text).not.toContain(s)
  })
})
