/**
 * The client side of one exec session for several commands (clients/ssh-batch.ts), with a fake
 * ssh2 connection whose exec channel runs the line with this machine's /bin/sh, as sshd would:
 * each command gets its own result, its own timeout (the same error a lone exec gives), its own
 * output cap, and the commands go one exec each when the script cannot start on the node.
 */
import {spawn, spawnSync} from 'node:child_process'
import {EventEmitter} from 'node:events'

import {describe, expect, it} from 'vitest'

import type {Client} from 'ssh2'

import type {ExecOptions, ExecResult} from '../../../src/lib/clients/ssh.js'
import {runBatch, type QueuedExec} from '../../../src/lib/clients/ssh-batch.js'
import type {SshTarget} from '../../../src/lib/ssh/target.js'

const target: SshTarget = {
  node: 'hydra-compute',
  host: '127.0.0.3',
  port: 22,
  user: 'root',
  identityFiles: [],
  hostKeys: 'strict',
  knownHostsFile: '/dev/null',
  knownHostNames: ['127.0.0.3'],
  connectTimeoutMs: 2000,
  commandTimeoutMs: 5000,
  sudo: false,
}

/** An ssh2 Client whose exec runs `line` with sh (a session process, as sshd makes it); `broken`: sh -s exits at once. */
function fakeClient(broken = false): {client: Client; lines: string[]} {
  const lines: string[] = []
  const client = {
    exec(line: string, cb: (error: Error | undefined, ch: unknown) => void) {
      lines.push(line)
      const ch = Object.assign(new EventEmitter(), {stderr: new EventEmitter()}) as unknown as EventEmitter & Record<string, unknown>
      const child = spawn('sh', broken ? ['-c', 'exit 0'] : ['-s'], {detached: true, stdio: ['pipe', 'pipe', 'pipe']})
      child.stdout.on('data', (d: Buffer) => ch.emit('data', d))
      child.stderr.on('data', (d: Buffer) => (ch.stderr as EventEmitter).emit('data', d))
      child.on('close', (code) => {
        ch.emit('exit', code)
        ch.emit('close')
      })
      child.stdin.on('error', () => undefined)
      ch.end = (input: string) => child.stdin.end(input)
      // sshd delivers a session signal with killpg, to the session's whole process group
      ch.signal = (name: string) => process.kill(-child.pid!, `SIG${name}` as NodeJS.Signals)
      ch.close = () => undefined
      cb(undefined, ch)
    },
  }
  return {client: client as unknown as Client, lines}
}

function queue(line: string, options: ExecOptions = {}) {
  let entry!: QueuedExec
  const settled: {result?: ExecResult; error?: Error & {code?: string}; at?: number} = {}
  const t0 = performance.now()
  const promise = new Promise<ExecResult>((resolve, reject) => {
    entry = {line, options, resolve, reject}
  }).then(
    (r) => {
      settled.result = r
      settled.at = performance.now() - t0
    },
    (e: Error) => {
      settled.error = e
      settled.at = performance.now() - t0
    },
  )
  return {entry, promise, settled}
}

const noSingle = (): Promise<ExecResult> => Promise.reject(new Error('single exec not expected'))

describe('runBatch: several commands, one exec session, each its own result', () => {
  it('gives each command its own stdout, stderr and exit code, with the line as the command', async () => {
    const {client, lines} = fakeClient()
    const q = [queue('echo one'), queue('echo two >&2; exit 4'), queue('no-such-command-hydra')]
    await runBatch(client, target, q.map((x) => x.entry), noSingle)
    await Promise.all(q.map((x) => x.promise))
    expect(lines).toEqual(['sh -s'])
    expect(q[0]!.settled.result).toMatchObject({command: 'echo one', stdout: 'one\n', stderr: '', exitCode: 0})
    expect(q[1]!.settled.result).toMatchObject({stdout: '', stderr: 'two\n', exitCode: 4})
    expect(q[2]!.settled.result).toMatchObject({exitCode: 127})
  })

  it('a hung command times out on its own budget with the lone-exec error; the others are not held back, and it is ended on the node', async () => {
    // bounded, so a failing run leaves nothing behind for long
    const marker = `20.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}5`
    const {client} = fakeClient()
    const hung = queue(`sleep ${marker}`, {timeoutMs: 400})
    const fast = queue('echo fast')
    const done = runBatch(client, target, [hung.entry, fast.entry], noSingle)
    await fast.promise
    expect(fast.settled.result?.stdout).toBe('fast\n')
    expect(fast.settled.at).toBeLessThan(400)
    await hung.promise
    await done
    expect(hung.settled.error?.code).toBe('ssh_command_timeout')
    expect(hung.settled.error?.message).toBe(`hydra-compute: \`sleep ${marker}\` did not finish within 400ms`)
    expect(hung.settled.at).toBeGreaterThanOrEqual(390)
    await new Promise((r) => setTimeout(r, 300))
    expect(spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status).toBe(1)
  })

  it('output over a command’s cap fails that command only, as a lone exec does', async () => {
    const {client} = fakeClient()
    const big = queue("printf '%05000d' 0", {maxBytes: 1000})
    const small = queue('echo ok')
    await runBatch(client, target, [big.entry, small.entry], noSingle)
    await Promise.all([big.promise, small.promise])
    expect(big.settled.error?.message).toBe("hydra-compute: `printf '%05000d' 0` printed more than 1000 bytes")
    expect(small.settled.result?.stdout).toBe('ok\n')
  })

  it('when the script cannot start on the node, each command goes as its own exec', async () => {
    const {client} = fakeClient(true)
    const singles: string[] = []
    const single = async (line: string): Promise<ExecResult> => {
      singles.push(line)
      return {command: line, stdout: `${line}!`, stderr: '', exitCode: 0, elapsedMs: 1}
    }
    const q = [queue('echo a'), queue('echo b')]
    await runBatch(client, target, q.map((x) => x.entry), single)
    await Promise.all(q.map((x) => x.promise))
    expect(singles).toEqual(['echo a', 'echo b'])
    expect(q.map((x) => x.settled.result?.stdout)).toEqual(['echo a!', 'echo b!'])
  })
})

describe('ssh.batch in the config', () => {
  it('is off unless the config turns it on (defaults.ssh or the node), and reaches the node’s SSH target', async () => {
    const {parseConfigText} = await import('../../../src/lib/config/loader.js')
    const {resolveConfig} = await import('../../../src/lib/config/resolve.js')
    const {sshTargetForNode} = await import('../../../src/lib/ssh/target.js')
    const yaml = (defaults: string, node: string) =>
      `defaults:\n  ssh: {user: root${defaults}}\nnodes:\n  a: {address: 127.0.0.2}\n  b: {address: 127.0.0.3, ssh: {user: root${node}}}\nservices:\n  prometheus: {node: a, port: 9090}\n`
    const batchOf = (text: string) => {
      const cfg = resolveConfig(parseConfigText(text, '/tmp/hydra.yaml'))
      return cfg.nodes.map((n) => sshTargetForNode(cfg, n, {env: {}, home: '/nonexistent'}).batch)
    }
    expect(batchOf(yaml('', ''))).toEqual([false, false])
    expect(batchOf(yaml(', batch: true', ''))).toEqual([true, true])
    expect(batchOf(yaml('', ', batch: true'))).toEqual([false, true])
  })
})
