/**
 * Running the commands several callers ask for at the same moment as ONE exec session on the node
 * (ssh/batch.ts: the script and its framing). Each command keeps what a lone exec gives it: its
 * own stdout, stderr and exit code, its own timeout (the same `command_timeout` error, at the same
 * moment) and its own output cap. When the script cannot start on the node (no `sh`, no writable
 * temporary directory), the commands run one exec each, as before.
 */
import {randomBytes} from 'node:crypto'

import type {Client, ClientChannel} from 'ssh2'

import {redact} from '../secrets.js'
import {BATCH_EXEC_LINE, BatchParser, buildBatchScript} from '../ssh/batch.js'
import {sshError, type SshError} from '../ssh/errors.js'
import type {SshTarget} from '../ssh/target.js'
import type {ExecOptions, ExecResult} from './ssh.js'

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024

/** One queued command: its line as sent, its options, and the caller's promise. */
export interface QueuedExec {
  line: string
  options: ExecOptions
  resolve: (result: ExecResult) => void
  reject: (error: unknown) => void
}

export function commandTimeoutError(t: SshTarget, line: string, timeoutMs: number): SshError {
  return sshError('command_timeout', t.node, `${t.node}: \`${line}\` did not finish within ${timeoutMs}ms`, {
    hint: 'raise ssh.commandTimeout for this node, or check whether the command hangs there (e.g. a stale xtables lock)',
    details: {command: line, timeoutMs},
  })
}

export function outputTooLongError(t: SshTarget, line: string, maxBytes: number): SshError {
  return sshError('command_failed', t.node, `${t.node}: \`${line}\` printed more than ${maxBytes} bytes`)
}

/**
 * Run `entries` in one exec session. Resolves once every entry is settled (or handed to `single`,
 * the one-exec-per-command path, when the script could not start), so the caller's channel slot
 * is held exactly as long as the session is open.
 */
export function runBatch(client: Client, t: SshTarget, entries: QueuedExec[], single: (line: string, options: ExecOptions) => Promise<ExecResult>): Promise<void> {
  const nonce = randomBytes(16).toString('hex')
  const started = performance.now()
  const caps = entries.map((e) => e.options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
  const parser = new BatchParser(nonce, Math.max(...caps))
  const settled = entries.map(() => false)
  let open = entries.length
  let allAnswered = false
  let answered = 0
  let channel: ClientChannel | undefined

  return new Promise<void>((done) => {
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      timers.forEach((timer) => clearTimeout(timer))
      if (channel) {
        // sections still running (the client stopped waiting for them) end with the script: sshd
        // sends a session's TERM to its whole process group, and the script's trap removes its files
        // (sshd refuses signals to root sessions, which it runs without privilege separation)
        if (!allAnswered)
          try {
            channel.signal('TERM')
          } catch {
            /* the server may not support signals; closing the channel still ends the session */
          }
        channel.close()
      }
      done()
    }
    const settle = (i: number, outcome: () => void) => {
      if (settled[i]) return
      settled[i] = true
      clearTimeout(timers[i])
      open--
      outcome()
      if (open === 0) finish()
    }
    const timers = entries.map((e, i) => {
      const timeoutMs = e.options.timeoutMs ?? t.commandTimeoutMs
      return setTimeout(() => settle(i, () => e.reject(commandTimeoutError(t, e.line, timeoutMs))), timeoutMs)
    })
    /** the rest one exec each (the script did not start), or failed with `error` */
    const rest = (error?: SshError) => {
      entries.forEach((e, i) => {
        if (settled[i]) return
        if (error) settle(i, () => e.reject(error))
        else {
          settled[i] = true
          clearTimeout(timers[i])
          single(e.line, e.options).then(e.resolve, e.reject)
        }
      })
      finish()
    }
    const sections = entries.map((e) => ({line: e.line}))
    client.exec(BATCH_EXEC_LINE, (error, ch) => {
      if (finished) {
        ch?.close()
        return
      }
      if (error) {
        rest()
        return
      }
      channel = ch
      ch.on('data', (chunk: Buffer) => {
        let done
        try {
          done = parser.push(chunk)
        } catch (err) {
          rest(sshError('ssh', t.node, `${t.node}: the answer to a batch of commands was garbled: ${redact((err as Error).message)}`))
          return
        }
        for (const s of done) {
          const e = entries[s.index]
          if (!e) continue
          answered++
          if (answered === entries.length) allAnswered = true
          const tooLong = s.tooLong || s.stdout.length + s.stderr.length > caps[s.index]!
          settle(s.index, () =>
            tooLong
              ? e.reject(outputTooLongError(t, e.line, caps[s.index]!))
              : e.resolve({command: e.line, stdout: s.stdout.toString('utf8'), stderr: s.stderr.toString('utf8'), exitCode: s.status, elapsedMs: Math.round(performance.now() - started)}),
          )
        }
      })
      ch.stderr.on('data', () => undefined)
      ch.on('close', () => {
        if (open === 0) return finish()
        // the script never started (no sh, no mktemp/mkfifo): one exec per command, as before
        if (!parser.ready) return rest()
        rest(sshError('ssh', t.node, `${t.node}: the session running a batch of commands ended before they all finished`))
      })
      ch.end(buildBatchScript(nonce, sections, randomBytes(16).toString('hex')))
    })
  })
}
