/**
 * The runbook's Grafana side against the lab's Grafana stand-in (api-facts.md §12), with the BUILT
 * cli (`npm run build` first): data sources (the seeded one on a dead address), the broken-panel
 * finder (the runbook's nvidia_gpu_* dashboard), import, generate, the whole-Grafana backup round
 * trip and a Viewer token. Every run's output and every file written is searched for secrets.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, beforeEach, describe, expect, inject, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {LabControl} from '../lab/control.js'

const lab = inject('lab')
const control = new LabControl(lab.controlUrl)
const TOKEN = readFileSync(join(lab.stateDir, 'secrets', 'grafana-token'), 'utf8').trim()
const VIEWER = 'glsa_viewer_0123456789abcdef'
const WORK = mkdtempSync(join(tmpdir(), 'hydra-grafana-it-'))
const CONFIG = join(WORK, 'hydra.yaml')
const CLI = resolve('bin/run.js')
const SECRETS = [TOKEN, VIEWER, 'lab-webhook-password']
const transcripts: string[] = []

interface Run {
  code: number | null
  stdout: string
  stderr: string
  json?: any
}

function hydra(args: string[], options: {token?: string; stdin?: string} = {}): Promise<Run> {
  return new Promise((done, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, HYDRA_GRAFANA_TOKEN: options.token ?? TOKEN, NO_COLOR: '1'}
    delete env.HYDRA_CONFIG
    const child = spawn(process.execPath, [CLI, ...args, '--config', CONFIG], {env, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    if (options.stdin !== undefined) child.stdin!.end(options.stdin)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      transcripts.push(stdout, stderr)
      let json: unknown
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
      }
      done({code, stdout, stderr, json})
    })
  })
}

async function freshGrafana(): Promise<void> {
  await control.clearFault('grafana')
  await control.setState('grafana', {emptyAll: true, labSeed: true, deny: null, delayMs: 0, tokens: [TOKEN, VIEWER], tokenRoles: {[VIEWER]: 'Viewer'}})
}

beforeAll(() => {
  const config = parse(readFileSync(lab.configPath, 'utf8')) as Record<string, any>
  config.services.grafana.auth = {tokenEnv: 'HYDRA_GRAFANA_TOKEN'}
  config.backup = {dashboards: {dir: join(WORK, 'backups'), keep: 30, concurrency: 8}}
  writeFileSync(CONFIG, stringify(config))
})

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

describe('no secret anywhere', () => {
  it('no token, password or tenant in any output or file', () => {
    const files = readdirSync(WORK, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    for (const text of [...transcripts, ...files]) for (const s of SECRETS) expect(text).not.toContain(s)
  })
})
