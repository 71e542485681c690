/**
 * One real server of the lab (prometheus, alertmanager, a node exporter): spawned from Debian's
 * binary, its stdout+stderr appended to a log file, stopped by PID (SIGTERM, then SIGKILL).
 */
import {connect} from 'node:net'
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, openSync, readFileSync, writeSync} from 'node:fs'

import type {ComponentStatus} from './types.js'

export interface ProcessSpec {
  name: string
  /** what it is, e.g. "prometheus 2.42 (Debian)" */
  what: string
  node: string
  address: string
  port: number
  command: string
  args: string[]
  logFile: string
  /** true once the server answers; polled after each spawn */
  ready: () => Promise<boolean>
}

export const STOP_GRACE_MS = 5000

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** The last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 25): string {
  try {
    const text = readFileSync(file, 'utf8')
    return text.trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** GET a URL and say whether it answered 200 (false on any error). */
export async function answers200(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

export class LabProcess {
  private child?: ChildProcess
  private exitPromise?: Promise<void>
  private lastExit?: {code: number | null; signal: string | null}
  private exited = true

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined
  }

  get running(): boolean {
    return this.child !== undefined && this.child.pid !== undefined && !this.exited
  }

  get url(): string {
    return `http://${this.spec.address}:${this.spec.port}`
  }

  status(): ComponentStatus {
    return {
      name: this.spec.name,
      kind: 'process',
      what: this.spec.what,
      node: this.spec.node,
      address: this.spec.address,
      port: this.spec.port,
      url: this.url,
      running: this.running,
      ...(this.pid === undefined ? {} : {pid: this.pid}),
      ...(this.lastExit ? {lastExit: this.lastExit} : {}),
      logFile: this.spec.logFile,
    }
  }

  /**
   * Refuse to start when something already listens on our address: its answers would pass our
   * readiness check while our own server dies of EADDRINUSE (seen with a stray Prometheus).
   */
  async assertPortFree(): Promise<void> {
    const taken = await new Promise<boolean>((resolve) => {
      const sock = connect({host: this.spec.address, port: this.spec.port})
      sock.setTimeout(1000)
      sock.once('connect', () => (sock.destroy(), resolve(true)))
      sock.once('timeout', () => (sock.destroy(), resolve(false)))
      sock.once('error', () => resolve(false))
    })
    if (taken) throw new Error(`${this.name}: ${this.spec.address}:${this.spec.port} is already in use in this network namespace; stop whatever listens there first`)
  }

  /** Spawn it (no-op if running). Resolves once spawned; `waitReady` waits for it to answer. */
  spawn(): void {
    if (this.running) return
    const {command, args, logFile} = this.spec
    const fd = openSync(logFile, 'a')
    writeSync(fd, `--- ${new Date().toISOString()} lab: ${command} ${args.join(' ')}\n`)
    let child: ChildProcess
    try {
      child = spawn(command, args, {stdio: ['ignore', fd, fd]})
    } finally {
      closeSync(fd)
    }
    this.child = child
    this.exited = false
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true
        this.lastExit = {code, signal}
        resolve()
      })
      // a spawn failure (ENOENT) emits 'error' and no 'exit'
      child.on('error', (err) => {
        this.exited = true
        this.lastExit = {code: null, signal: null}
        try {
          const efd = openSync(logFile, 'a')
          writeSync(efd, `lab: cannot run ${command}: ${err.message}\n`)
          closeSync(efd)
        } catch {
          /* the message below still says it */
        }
        resolve()
      })
    })
  }

  /** Poll `ready()` until it is true; fail loudly, with the log's tail, if it exits or times out. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const child = this.child
    if (!child) throw new Error(`${this.name} was never started`)
    for (;;) {
      if (!this.running) {
        const how = this.lastExit?.signal ? `signal ${this.lastExit.signal}` : `code ${this.lastExit?.code ?? '?'}`
        throw new Error(`${this.name} exited (${how}) before it was ready. Last lines of ${this.spec.logFile}:\n${tailFile(this.spec.logFile)}`)
      }
      if (await this.spec.ready()) return
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} did not become ready within ${Math.round(timeoutMs / 1000)}s (${this.url}). Last lines of ${this.spec.logFile}:\n${tailFile(this.spec.logFile)}`,
        )
      await sleep(50)
    }
  }

  async start(timeoutMs?: number): Promise<void> {
    this.spawn()
    await this.waitReady(timeoutMs)
  }

  /** SIGTERM by PID, SIGKILL after the grace period; resolves once it has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const child = this.child
    if (!child || !this.running || child.pid === undefined) return
    const pid = child.pid
    const exited = this.exitPromise!
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        if (this.running) process.kill(pid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }, graceMs)
    await exited
    clearTimeout(timer)
  }

  /** For exit handlers: signal it now, synchronously, without waiting. */
  killNow(signal: NodeJS.Signals): void {
    const pid = this.pid
    if (pid === undefined) return
    try {
      process.kill(pid, signal)
    } catch {
      /* already gone */
    }
  }
}
