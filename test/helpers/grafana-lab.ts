/**
 * What the Grafana integration files (backup.test.ts, grafana.test.ts) share: the lab's control
 * and Grafana token, a work folder holding a copy of the lab's config (the token taken from
 * HYDRA_GRAFANA_TOKEN, changed further by `configure`), and a runner of the BUILT cli
 * (`npm run build` first) that keeps every run's stdout and stderr, so a test can search all of
 * them for secrets.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {inject} from 'vitest'
import {parse, stringify} from 'yaml'

import {LabControl} from '../lab/control.js'

export interface GrafanaRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed, when the run had --json and printed one document */
  json?: any
}

export interface GrafanaRunOptions {
  /** HYDRA_GRAFANA_TOKEN for this run (default: the lab's Admin token) */
  token?: string
  env?: Record<string, string>
  stdin?: string
  onSpawn?: (child: ChildProcess) => void
  /** killed with SIGKILL after this long (default 60 s) */
  timeoutMs?: number
}

export function grafanaLab(name: string, configure: (config: Record<string, any>, work: string) => void = () => {}) {
  const lab = inject('lab')
  const control = new LabControl(lab.controlUrl)
  const token = readFileSync(join(lab.stateDir, 'secrets', 'grafana-token'), 'utf8').trim()
  const work = mkdtempSync(join(tmpdir(), `hydra-${name}-it-`))
  const config = join(work, 'hydra.yaml')
  const cli = resolve('bin/run.js')
  const transcripts: string[] = []

  const doc = parse(readFileSync(lab.configPath, 'utf8')) as Record<string, any>
  doc.services.grafana.auth = {tokenEnv: 'HYDRA_GRAFANA_TOKEN'}
  configure(doc, work)
  writeFileSync(config, stringify(doc))

  function hydra(args: string[], options: GrafanaRunOptions = {}): Promise<GrafanaRun> {
    return new Promise((done, reject) => {
      const env: NodeJS.ProcessEnv = {...process.env, HYDRA_GRAFANA_TOKEN: options.token ?? token, NO_COLOR: '1', ...options.env}
      delete env.HYDRA_CONFIG
      const child = spawn(process.execPath, [cli, ...args, '--config', config], {env, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
      if (options.stdin !== undefined) child.stdin!.end(options.stdin)
      options.onSpawn?.(child)
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
      child.on('error', reject)
      child.on('close', (code, signal) => {
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
        done({code, signal, stdout, stderr, json})
      })
    })
  }

  return {lab, control, token, work, config, transcripts, hydra}
}
