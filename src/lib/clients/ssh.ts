/**
 * The one SSH client (design.md §4): ssh2, one connection per node shared by every check on that
 * node (opened lazily, closed by `closeAll()`), bounded concurrency across nodes, a connect
 * timeout and a per-command timeout, agent or key-file auth, the user's ~/.ssh/config, and host
 * keys checked against known_hosts under the configured policy (strict | accept-new | off).
 *
 * ssh2 is imported on first connect only, so commands that never open SSH do not load it.
 * Clients never print, prompt or exit: everything comes back as results or `SshError`s.
 */
import {existsSync, readFileSync} from 'node:fs'

import type {AnyAuthMethod, Client, ClientChannel} from 'ssh2'

import type {HydraConfig, ResolvedNode} from '../config/resolve.js'
import {redact} from '../secrets.js'
import {commandLine, type RemoteCommand} from '../ssh/commands.js'
import {sshError, type SshError} from '../ssh/errors.js'
import {classifyConnectError, commandError, verifyHostKey} from '../ssh/failures.js'
import {commandTimeoutError, DEFAULT_MAX_OUTPUT_BYTES, outputTooLongError, runBatch, type QueuedExec} from './ssh-batch.js'
import type {HostKeyVerdict} from '../ssh/known-hosts.js'
import {cachedKey} from '../ssh/keys.js'
import {sshTargetForNode, type SshTarget, type TargetEnvironment} from '../ssh/target.js'

export interface ExecResult {
  command: string
  stdout: string
  stderr: string
  /** null when the remote process died of a signal */
  exitCode: number | null
  signal?: string
  elapsedMs: number
}

export interface ExecOptions {
  /** run through `sudo -n` */
  sudo?: boolean
  /** overrides the node's command timeout */
  timeoutMs?: number
  /** cap on stdout+stderr; the channel is closed beyond it */
  maxBytes?: number
}

/** OpenSSH's default MaxSessions is 10; stay below it so parallel checks never get refused channels. */
const MAX_CHANNELS_PER_CONNECTION = 8
/** at most this many commands in one batch script (each is a process on the node, all at once) */
const MAX_BATCH = 16

class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active++
    try {
      return await fn()
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }
}

/** Run `fn` over `items`, at most `limit` at a time, keeping the order of results. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({length: Math.min(Math.max(1, limit), items.length)}, () => worker()))
  return results
}

/** One node's connection, opened on the first command and reused by every later one. */
export class SshSession {
  readonly node: string
  readonly target: SshTarget
  private connecting?: Promise<Client>
  private client?: Client
  private readonly channels = new Semaphore(MAX_CHANNELS_PER_CONNECTION)
  private closed = false
  private queue: QueuedExec[] = []

  /**
   * `batch` (the node's `ssh.batch`, off by default): commands asked for in the same turn of the
   * event loop (a check's parallel reads, and those of every check that starts alongside it) go out
   * as ONE exec session (clients/ssh-batch.ts), each keeping its own result, exit code and timeout;
   * a lone command is a plain exec. Off by default because in the lab it did not pay: the same CPU
   * on the node and a little more wall time than one session per command (README, SSH).
   */
  constructor(
    target: SshTarget,
    private readonly batch = target.batch ?? false,
  ) {
    this.target = target
    this.node = target.node
  }

  /** Connect (once); a failed connect is remembered so later checks on this node fail fast with the same cause. */
  connect(): Promise<Client> {
    this.connecting ??= this.open()
    return this.connecting
  }

  async exec(command: RemoteCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.connect()
    const line = commandLine(command, options.sudo ?? false)
    if (!this.batch) return this.channels.run(() => this.run(client, line, options))
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush(client))
      this.queue.push({line, options, resolve, reject})
    })
  }

  /** Send what was queued this turn: one command as a plain exec, several as batches of up to MAX_BATCH. */
  private flush(client: Client): void {
    const queued = this.queue.splice(0)
    const single = (line: string, options: ExecOptions) => this.channels.run(() => this.run(client, line, options))
    for (let i = 0; i < queued.length; i += MAX_BATCH) {
      const part = queued.slice(i, i + MAX_BATCH)
      if (part.length === 1) single(part[0]!.line, part[0]!.options).then(part[0]!.resolve, part[0]!.reject)
      else void this.channels.run(() => runBatch(client, this.target, part, single))
    }
  }

  /** Like exec, but a non-zero exit becomes an SshError naming the command and the first stderr line. */
  async execOk(command: RemoteCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const result = await this.exec(command, options)
    if (result.exitCode !== 0) throw this.errorFor(result, options.sudo ?? false)
    return result
  }

  /** The classified error for a command that exited non-zero (sudo wants a password, not installed, failed). */
  errorFor(result: ExecResult, sudo: boolean): SshError {
    return commandError(this.target, result, sudo)
  }

  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    if (!client) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy()
        resolve()
      }, 1000)
      client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      client.end()
    })
  }

  private async open(): Promise<Client> {
    const t = this.target
    // ssh2 is CommonJS: its `utils` is only on the default export under ESM
    const ssh2 = (await import('ssh2')).default
    const {Client: SshClient, utils} = ssh2
    const auth: AnyAuthMethod[] = []
    const keyProblems: string[] = []
    for (const file of t.identityFiles) {
      if (!existsSync(file)) {
        keyProblems.push(`${file} does not exist`)
        continue
      }
      let data: Buffer
      try {
        data = readFileSync(file)
      } catch (error) {
        keyProblems.push(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
        continue
      }
      const parsed = cachedKey(file, data, (d) => utils.parseKey(d))
      if (parsed instanceof Error) {
        // Never echo the parser's message verbatim: it could quote file contents.
        keyProblems.push(/encrypted|passphrase/i.test(parsed.message) ? `${file} is protected by a passphrase` : `${file} is not a private key ssh2 can read`)
        continue
      }
      auth.push({type: 'publickey', username: t.user, key: parsed})
    }
    if (t.agentSocket) auth.push({type: 'agent', username: t.user, agent: t.agentSocket})
    if (auth.length === 0) {
      throw sshError('key_file', t.node, `no usable SSH credentials for ${t.user}@${t.host}${keyProblems.length ? `: ${keyProblems.join('; ')}` : ''}`, {
        hint: keyProblems.some((p) => p.includes('passphrase'))
          ? 'load the key into ssh-agent (ssh-add) and make sure SSH_AUTH_SOCK is set for hydra'
          : 'set nodes.<node>.ssh.identityFile (or defaults.ssh.identityFile), or start ssh-agent with the key loaded',
      })
    }

    let verdict: {verdict: HostKeyVerdict; blob: Buffer} | undefined
    const client = new SshClient()
    return new Promise<Client>((resolve, reject) => {
      let settled = false
      // Two budgets: the TCP connect gets connectTimeout (no answer in time: down, blackholed,
      // firewalled); once the node has answered, the SSH handshake may also take the command
      // budget, because a slow handshake there is CPU (a busy node, or hydra with 30 handshakes
      // at once on a loaded machine), not a node that is away.
      const tcpTimer = setTimeout(() => {
        fail(classifyConnectError(t, Object.assign(new Error('Timed out while connecting'), {level: 'client-timeout'}), verdict, keyProblems))
      }, t.connectTimeoutMs)
      const fail = (error: SshError): void => {
        clearTimeout(tcpTimer)
        if (settled) return
        settled = true
        client.destroy()
        reject(error)
      }
      let answered = false
      client.on('connect', () => {
        answered = true
        clearTimeout(tcpTimer)
      })
      client.on('ready', () => {
        clearTimeout(tcpTimer)
        if (settled) return
        settled = true
        if (this.closed) {
          client.end()
          reject(sshError('closed', t.node, `the SSH session to ${t.node} was closed`))
          return
        }
        this.client = client
        resolve(client)
      })
      client.on('error', (error: Error & {level?: string; code?: string}) => {
        if (answered && error.level === 'client-timeout') {
          const ms = t.connectTimeoutMs + t.commandTimeoutMs
          fail(sshError('timeout', t.node, `${t.node}: ${t.host}:${t.port} accepted the connection but the SSH handshake did not finish within ${ms}ms`, {
            hint: `sshd on ${t.node} is stuck or the node is overloaded: look at its load and sshd's log (journalctl -u ssh -n 50)`,
          }))
          return
        }
        fail(classifyConnectError(t, error, verdict, keyProblems))
      })
      client.on('close', () => {
        this.client = undefined
        fail(sshError('closed', t.node, `${t.host}:${t.port} closed the connection before the SSH handshake finished`))
      })
      client.connect({
        host: t.host,
        port: t.port,
        username: t.user,
        readyTimeout: t.connectTimeoutMs + t.commandTimeoutMs,
        authHandler: auth,
        tryKeyboard: false,
        hostVerifier: (blob: Buffer): boolean => {
          const check = verifyHostKey(t, blob)
          verdict = {verdict: check.verdict, blob}
          return check.accept
        },
      })
    })
  }

  private run(client: Client, line: string, options: ExecOptions): Promise<ExecResult> {
    const t = this.target
    const timeoutMs = options.timeoutMs ?? t.commandTimeoutMs
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES
    const started = performance.now()
    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | undefined
      let settled = false
      const timer = setTimeout(() => {
        if (settled) return
        settled = true
        // Kill the remote process too, not just our end: a hung `iptables -w` must not linger.
        try {
          channel?.signal('KILL')
        } catch {
          /* the server may not support signals; closing the channel still ends the session */
        }
        channel?.close()
        reject(commandTimeoutError(t, line, timeoutMs))
      }, timeoutMs)
      client.exec(line, (error, ch) => {
        if (settled) {
          ch?.close()
          return
        }
        if (error) {
          settled = true
          clearTimeout(timer)
          reject(sshError('ssh', t.node, `${t.node}: cannot run \`${line}\`: ${redact(error.message)}`, {cause: error}))
          return
        }
        channel = ch
        const out: Buffer[] = []
        const err: Buffer[] = []
        let bytes = 0
        let exitCode: number | null = null
        let signal: string | undefined
        const take = (into: Buffer[]) => (chunk: Buffer) => {
          bytes += chunk.length
          if (bytes > maxBytes) {
            if (!settled) {
              settled = true
              clearTimeout(timer)
              ch.close()
              reject(outputTooLongError(t, line, maxBytes))
            }
            return
          }
          into.push(chunk)
        }
        ch.on('data', take(out))
        ch.stderr.on('data', take(err))
        ch.on('exit', (code: number | null, sig?: string) => {
          exitCode = code
          signal = sig ?? undefined
        })
        ch.on('close', () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve({
            command: line,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            exitCode,
            signal,
            elapsedMs: Math.round(performance.now() - started),
          })
        })
      })
    })
  }
}

export interface SshPoolOptions extends TargetEnvironment {
  /** how many nodes to talk to at once (default: the config's defaults.concurrency) */
  concurrency?: number
}

/** One session per node, created lazily; `forEachNode` bounds how many nodes are worked on at once. */
export class SshPool {
  private readonly sessions = new Map<string, SshSession>()
  readonly concurrency: number

  constructor(
    private readonly cfg: HydraConfig,
    private readonly options: SshPoolOptions = {},
  ) {
    this.concurrency = options.concurrency ?? cfg.concurrency
  }

  session(node: ResolvedNode): SshSession {
    let s = this.sessions.get(node.name)
    if (!s) {
      s = new SshSession(sshTargetForNode(this.cfg, node, this.options))
      this.sessions.set(node.name, s)
    }
    return s
  }

  forEachNode<R>(nodes: readonly ResolvedNode[], fn: (session: SshSession, node: ResolvedNode) => Promise<R>): Promise<R[]> {
    return mapWithConcurrency(nodes, this.concurrency, (node) => fn(this.session(node), node))
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()))
    this.sessions.clear()
  }
}
