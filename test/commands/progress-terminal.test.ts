/**
 * Progress where a person sees it: the built CLI in a real pseudo-terminal (test/helpers/pty.ts),
 * colour on. A terminal that reports 0 columns (a pty nobody sized: `script` without a tty, `docker
 * exec -t`) gets whole lines, not listr2's drawing wrapped to no width (one character per line).
 * No hydra command here leaves the machine: the Grafana is a loopback port nothing listens on.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {inTerminal, screenLines} from '../helpers/pty.js'
import {REPO} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

describe('progress in a pseudo-terminal', () => {
  const dir = tempDir('hydra-progress-')
  const config = join(dir, 'refused.yaml')
  writeFileSync(config, 'cluster: t\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "http://127.0.0.1:9"}\n  grafana: {url: "http://127.0.0.1:9", auth: {tokenEnv: HYDRA_PROGRESS_TOKEN}}\n')
  const args = ['backup', 'dashboards', '--config', config, '--dir', join(dir, 'backups')]

  it.each([0, 80])('a %i-column terminal shows the progress and the failure as whole lines', async (columns) => {
    const raw = await inTerminal(columns, args, {cwd: REPO, env: {HYDRA_PROGRESS_TOKEN: 'glsa_progress_test'}, timeoutMs: 60_000})
    const lines = screenLines(raw).filter((l) => l.trim() !== '')
    expect(lines.filter((l) => l.trim().length === 1)).toEqual([])
    expect(lines).toContain('Error: GET http://127.0.0.1:9/api/health: connection refused')
    expect(lines.some((l) => l.includes('GET http://127.0.0.1:9/api/health: connection refused') && !l.startsWith('Error:'))).toBe(true)
    expect(raw).not.toContain('glsa_progress_test')
  }, 90_000)
})
