/**
 * The built hydra in a REAL pseudo-terminal (util-linux `script`), as an operator sees it: a
 * terminal of a given width, colour on (TERM=xterm-256color, no NO_COLOR or FORCE_COLOR from the
 * caller's environment), stdout and stderr both on the terminal.
 */
import {spawn} from 'node:child_process'

import {BIN} from './run-hydra.js'

/** The bytes a terminal of `columns` columns receives from `hydra ARGS` (stdout and stderr). */
export function inTerminal(columns: number, args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {}): Promise<string> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color'}
    delete env.NO_COLOR
    delete env.FORCE_COLOR
    delete env.HYDRA_CONFIG
    Object.assign(env, options.env)
    const child = spawn('script', ['-qfec', `stty cols ${columns} rows 60; exec ${quoted}`, '/dev/null'], {env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000)
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
  })
}

/** What is left on screen of each line: escape sequences removed, a carriage return starts over. */
export function screenLines(raw: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = raw.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\u001B[()][0-9A-Za-z]/g, '')
  return plain.split('\n').flatMap((l) => l.split('\r'))
}
