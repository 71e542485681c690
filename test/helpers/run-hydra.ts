/**
 * Runs the BUILT hydra CLI (bin/run.js → dist/) as a child process, as a user or cron would, and
 * returns its exit code, stdout and stderr. Every call names its config explicitly so that no test
 * ever falls back to the embedded default (which names the real cluster's addresses).
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = `${REPO}bin/run.js`

export interface HydraRun {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as one JSON document (throws if it is not exactly one) */
  json<T = any>(): T
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
}

export function runHydra(args: string[], options: RunOptions = {}): Promise<HydraRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: {...process.env, NO_COLOR: '1', HYDRA_CONFIG: undefined, ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`hydra ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000}ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json() {
          return JSON.parse(stdout)
        },
      })
    })
  })
}

/** A stack trace line as Node prints it. No user-facing output may contain one. */
export const STACK_LINE = /^\s+at .+(\(|:\d+:\d+)/m
