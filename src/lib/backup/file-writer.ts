/**
 * The run's writer of new files (O_CREAT|O_EXCL, mode 0600), remembering the folders it made.
 *
 * Files are created by one worker thread, each with one blocking open+write+close there, not with
 * fs.writeFile on libuv's pool. fs.writeFile is three pool jobs a file (open, write, close), each a
 * hand-off to a pool thread and a callback back on the main thread: at 1,000 dashboards that was
 * some 190 ms of the main thread's time (issue 14 item 8: the CPU profile's top three entries),
 * the thread that also fetches, parses and hashes every dashboard. The worker takes each file in
 * one message and answers a whole batch of files in one message. Creating a file costs the kernel
 * 0.05-0.5 ms of CPU on this machine's ext4; that now runs on the worker, beside the fetches.
 *
 * Where a worker cannot be started (a thread limit, a sandbox), files are written with
 * fs.writeFile as before. Not synced here: see syncBackup (files.ts).
 */
import {writeFile} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {Worker} from 'node:worker_threads'

export const MODE_DIR = 0o700
export const MODE_FILE = 0o600

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
  private readonly pending = new Map<number, Pending>()
  private nextId = 0

  constructor(root: string) {
    this.dirs.add(root)
    try {
      this.worker = new Worker(WORKER_SOURCE, {eval: true})
      this.worker.unref()
      this.worker.on('message', (answer: string[] | number[]) => this.settle(answer as (string | number)[]))
      this.worker.on('error', (error) => this.fail(error))
      this.worker.on('exit', () => this.fail(new Error('the file writer thread stopped')))
    } catch {
      this.worker = undefined
    }
  }

  write(path: string, data: Buffer | string): Promise<void> {
    if (!this.worker) return this.writeOnPool(path, data)
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
