/**
 * The run's writer of new files (O_CREAT|O_EXCL, mode 0600), remembering the folders it made.
 *
 * Each file is created with one blocking open+write+close (writeFileSync) on the calling thread
 * while the disk answers at once, and by one worker thread once it does not.
 *
 * - On a disk that answers at once (this machine's ext4 when quiet: 30-50 µs a file, tmpfs less),
 *   the blocking call is the cheapest way there is: the thread already holds the bytes, and
 *   handing them to another thread costs more than the write (a structured clone and a message
 *   each way: at 1,000 dashboards some 100 ms of the main thread, issue 14 item 8, against 40-50 ms
 *   for the writes themselves).
 * - A disk that does not answer at once (a network filesystem; ext4 minutes after mass deletes,
 *   0.5-1 ms a file; a disk that is failing) must not stall the thread that fetches and parses
 *   every dashboard. Once writes are slow (WRITE_WINDOW below: a window's lower quartile over
 *   SLOW_WRITE_MS, or one write over STALLED_WRITE_MS), every later file goes to the worker thread,
 *   started then, which takes many files in one message and answers a whole batch in one message,
 *   so the fetches go on beside the disk. Until the thread is online (a new isolate: 30-80 ms on
 *   this 2-core machine) files are still written here: queued for a thread that is not running
 *   yet, every fetch waiting on a write stood still that long (measured: no request went out for
 *   60-85 ms). (fs.writeFile on libuv's pool is three pool
 *   jobs a file, open, write and close, each a callback on the main thread: 190 ms of it at 1,000
 *   dashboards, measured.)
 *
 * Where a worker cannot be started (a thread limit, a sandbox), files are written with
 * fs.writeFile. Not synced here: see syncBackup (files.ts).
 */
import {mkdirSync, writeFile, writeFileSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {Worker} from 'node:worker_threads'

export const MODE_DIR = 0o700
export const MODE_FILE = 0o600

/**
 * The blocking writes are timed in windows of WRITE_WINDOW: when the window's lower quartile (the 5th
 * fastest of 16) took longer than SLOW_WRITE_MS, or any one write longer than STALLED_WRITE_MS,
 * later files go to the writer thread. A write's time is wall time, and the thread is preempted
 * often on 2 shared cores (by the server it reads from when that runs here, by the other work of
 * the run): a preempted write takes 3-6 ms even on tmpfs, and in a backup against a server on the
 * same machine half of them were (the window's median was 0.26-0.28 ms where a write alone takes
 * 0.05 ms, measured). A slow disk makes every write slow, the fastest quarter too; preemption only
 * some. Handing over to the thread would not help then: it needs a core as much.
 */
export const WRITE_WINDOW = 16
export const SLOW_WRITE_MS = 0.25
export const STALLED_WRITE_MS = 50
/** the writer thread's young generation, MB (V8's default is 16 per semi-space) */
export const WORKER_YOUNG_GENERATION_MB = 2

export interface FileWriterOptions {
  /** 'adaptive' (default): blocking writes until the disk is slow, then the thread; 'thread': the thread from the start */
  mode?: 'adaptive' | 'thread'
  /** the median write time of a window above which the thread takes over (SLOW_WRITE_MS) */
  slowMs?: number
  /** one write slower than this hands over to the thread at once (STALLED_WRITE_MS) */
  stalledMs?: number
  /** the clock the blocking writes are timed by, ms (performance.now; tests give their own) */
  now?: () => number
}

/**
 * The worker, as source text (`eval`: no file to resolve, from dist or from src under the tests).
 * Messages in: lists of [id, path, text, dirToMake?, encoding?] (see flush). Writes queue up while it works; each batch is written
 * in order and answered in one message: a flat list of [id, errorCode, errorMessage] (empty code:
 * written). A folder is made before the first file that goes in it.
 */
const WORKER_SOURCE = `
const {parentPort} = require('node:worker_threads')
const {mkdirSync, writeFileSync} = require('node:fs')
let queue = []
let scheduled = false
function drain() {
  scheduled = false
  const batch = queue
  queue = []
  const answer = []
  for (const [id, path, data, dir, encoding] of batch) {
    try {
      if (dir) mkdirSync(dir, {recursive: true, mode: ${MODE_DIR}})
      writeFileSync(path, data, {flag: 'wx', mode: ${MODE_FILE}, encoding: encoding || 'utf8'})
      answer.push(id, '', '')
    } catch (error) {
      answer.push(id, String((error && error.code) || 'EIO'), String((error && error.message) || error))
    }
  }
  parentPort.postMessage(answer)
}
parentPort.on('message', (files) => {
  for (const f of files) queue.push(f)
  if (!scheduled) {
    scheduled = true
    setImmediate(drain)
  }
})
`

interface Pending {
  resolve: () => void
  reject: (error: Error) => void
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), {code})
}

export class NewFileWriter {
  readonly dirs = new Set<string>()
  private worker: Worker | undefined
  /** files are written on the calling thread (until the disk turns slow) */
  private inline: boolean
  /** the worker could not be started, or stopped: the pool writes */
  private workerGone = false
  /** the worker runs (its 'online' event): until then, after a hand-over, files are still written here */
  private workerOnline = false
  /** files go to the worker from the start (mode 'thread'), not only once it runs */
  private readonly threadOnly: boolean
  /** the durations of the current window's blocking writes, ms */
  private readonly window: number[] = []
  private readonly slowMs: number
  private readonly stalledMs: number
  private readonly now: () => number
  private readonly pending = new Map<number, Pending>()
  private nextId = 0

  constructor(root: string, options: FileWriterOptions = {}) {
    this.dirs.add(root)
    this.slowMs = options.slowMs ?? SLOW_WRITE_MS
    this.stalledMs = options.stalledMs ?? STALLED_WRITE_MS
    this.now = options.now ?? (() => performance.now())
    this.threadOnly = options.mode === 'thread'
    this.inline = !this.threadOnly
    if (this.threadOnly) this.startWorker()
  }

  /**
   * Where files are written now: on the caller's thread; there still, handed over, while the writer
   * thread starts ('starting'); by the writer thread; or through libuv's pool.
   */
  get writingOn(): 'caller' | 'starting' | 'thread' | 'pool' {
    if (this.inline) return 'caller'
    if (!this.worker) return 'pool'
    return this.workerOnline || this.threadOnly ? 'thread' : 'starting'
  }

  private startWorker(): void {
    try {
      // its young generation capped small: it holds one batch of files at a time, and a worker's own
      // heap is RSS the backup pays for (5,000 dashboards on a slow disk: 135 → 132 MiB, measured)
      const worker = new Worker(WORKER_SOURCE, {eval: true, resourceLimits: {maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB}})
      worker.unref()
      worker.once('online', () => (this.workerOnline = true))
      worker.on('message', (answer: string[] | number[]) => this.settle(answer as (string | number)[]))
      worker.on('error', (error) => this.fail(error))
      worker.on('exit', () => this.fail(new Error('the file writer thread stopped')))
      this.worker = worker
    } catch {
      this.workerGone = true
    }
  }

  write(path: string, data: Buffer | string): Promise<void> {
    if (this.inline) return this.writeHere(path, data)
    if (!this.worker) return this.writeOnPool(path, data)
    if (!this.workerOnline && !this.threadOnly) return this.writeHere(path, data)
    const dir = dirname(path)
    // one mkdir per folder, not per dashboard: creating files is what a backup disk is slow at.
    // The worker writes in the order it is sent: the folder is made before any file goes in it.
    const newDir = !this.dirs.has(dir)
    if (newDir) this.dirs.add(dir)
    const id = this.nextId++
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, {resolve, reject})
      // sent once per turn of the event loop, with every file that turn produced: each message
      // wakes the worker, and a wake-up costs the sending thread its time slice as often as not
      if (this.outbox.push([id, path, data, newDir ? dir : undefined]) === 1) setImmediate(this.flush)
    })
  }

  /** One blocking write, timed: once the disk is slow (WRITE_WINDOW above), later files go to the thread. */
  private writeHere(path: string, data: Buffer | string): Promise<void> {
    const started = this.now()
    try {
      const dir = dirname(path)
      if (!this.dirs.has(dir)) {
        mkdirSync(dir, {recursive: true, mode: MODE_DIR})
        this.dirs.add(dir)
      }
      writeFileSync(path, data, {flag: 'wx', mode: MODE_FILE})
    } catch (error) {
      return Promise.reject(error as Error)
    } finally {
      this.timed(this.now() - started)
    }
    return Promise.resolve()
  }

  /** A blocking write took `ms`: at the end of a window (or at once, for a stalled write), decide where the next files go. */
  private timed(ms: number): void {
    if (!this.inline) return // handed over already: written while the thread started
    const window = this.window
    window.push(ms)
    if (ms <= this.stalledMs && window.length < WRITE_WINDOW) return
    const lowerQuartile = window.sort((a, b) => a - b)[window.length >> 2]!
    window.length = 0
    if (ms <= this.stalledMs && lowerQuartile <= this.slowMs) return
    this.inline = false
    if (!this.workerGone) this.startWorker()
  }

  private readonly outbox: [number, string, Buffer | string, string | undefined][] = []
  private readonly flush = (): void => {
    const files = this.outbox.splice(0)
    if (!this.worker) {
      for (const [id, path, data] of files) {
        const p = this.pending.get(id)
        this.pending.delete(id)
        this.writeOnPool(path, data).then(p?.resolve, p?.reject)
      }
      return
    }
    // Bytes go over as latin1 strings (one character per byte, so written back byte for byte), not
    // as Buffers: a cloned Buffer's memory sits outside the worker's heap until a major GC that the
    // worker, allocating little, seldom runs; a string lives in its young generation and goes at the
    // next scavenge. Peak RSS of a 5,000-dashboard backup: 160 → 150 MiB; 20,000: 206 → 200 MiB.
    this.worker.postMessage(files.map(([id, path, data, dir]) => (typeof data === 'string' ? [id, path, data, dir] : [id, path, data.toString('latin1'), dir, 'latin1'])))
  }

  /** Stop the worker (every write has been answered by then, or fails). */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.inline = false
    this.workerGone = true
    if (worker) await worker.terminate()
  }

  private settle(answer: (string | number)[]): void {
    for (let i = 0; i < answer.length; i += 3) {
      const p = this.pending.get(answer[i] as number)
      if (!p) continue
      this.pending.delete(answer[i] as number)
      const code = answer[i + 1] as string
      if (code === '') p.resolve()
      else p.reject(fsError(code, answer[i + 2] as string))
    }
  }

  /** The worker is gone: what it had not answered fails; later writes go through the pool. */
  private fail(error: Error): void {
    this.worker = undefined
    this.workerGone = true
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
  }

  private async writeOnPool(path: string, data: Buffer | string): Promise<void> {
    const dir = dirname(path)
    if (!this.dirs.has(dir)) {
      await mkdir(dir, {recursive: true, mode: MODE_DIR})
      this.dirs.add(dir)
    }
    return new Promise((resolve, reject) => writeFile(path, data, {flag: 'wx', mode: MODE_FILE}, (error) => (error ? reject(error) : resolve())))
  }
}
