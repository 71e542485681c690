/**
 * Progress where a person sees it: the built CLI in a real pseudo-terminal (util-linux `script`).
 * A terminal that reports 0 columns (a pty nobody sized: `script` without a tty, `docker exec -t`)
 * gets whole lines, not listr2's drawing wrapped to no width (one character per line). No hydra
 * command here leaves the machine: the Grafana is a loopback port nothing listens on.
 */
import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {BIN, REPO} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

/** What a terminal of `columns` columns shows (CR LF → LF, colour and cursor codes taken out). */
function inTerminal(columns: number, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `stty cols ${columns} rows 40; exec ${quoted}`, '/dev/null'], {
      cwd: REPO,
      env: {...process.env, HYDRA_CONFIG: undefined, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(out.replaceAll('\r\n', '\n').replaceAll('\r', '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))
    })
  })
}

describe('progress in a pseudo-terminal', () => {
  const dir = tempDir('hydra-progress-')
  const config = join(dir, 'refused.yaml')
  writeFileSync(config, 'cluster: t\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "http://127.0.0.1:9"}\n  grafana: {url: "http://127.0.0.1:9", auth: {tokenEnv: HYDRA_PROGRESS_TOKEN}}\n')
  const args = ['backup', 'dashboards', '--config', config, '--dir', join(dir, 'backups')]
  const env = {HYDRA_PROGRESS_TOKEN: 'glsa_progress_test', FORCE_COLOR: '1'}

  it.each([0, 80])('a %i-column terminal shows the progress and the failure as whole lines', async (columns) => {
    const screen = await inTerminal(columns, args, env)
    const lines = screen.split('\n').filter((l) => l.trim() !== '')
    expect(lines.filter((l) => l.trim().length === 1)).toEqual([])
    expect(lines).toContain('Error: GET http://127.0.0.1:9/api/health: connection refused')
    expect(lines.some((l) => l.includes('GET http://127.0.0.1:9/api/health: connection refused') && !l.startsWith('Error:'))).toBe(true)
    expect(screen).not.toContain('glsa_progress_test')
  }, 90_000)
})
