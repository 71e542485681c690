/**
 * A node's SSH session scripted command line by command line (no sshd), for the unit tests of
 * what hydra reads on a node: each line sent is recorded, answered from `answers` (stdout, exit
 * code, stderr), and a failing one becomes the same SshError the real session gives (commandError).
 * An unexpected line fails the test. The pool runs every node over that one session.
 */
import type {ExecResult, SshPool, SshSession} from '../../src/lib/clients/ssh.js'
import type {HydraConfig, ResolvedNode} from '../../src/lib/config/resolve.js'
import {commandError} from '../../src/lib/ssh/failures.js'
import {sshTargetForNode} from '../../src/lib/ssh/target.js'

export type ScriptedAnswer = [stdout: string, exitCode: number] | [stdout: string, exitCode: number, stderr: string]

export function scriptedSsh(cfg: HydraConfig, node: ResolvedNode, answers: Record<string, ScriptedAnswer>): {sent: string[]; pool: SshPool} {
  const sent: string[] = []
  const target = sshTargetForNode(cfg, node)
  const session = {
    async exec(command: {line: string}): Promise<ExecResult> {
      sent.push(command.line)
      const a = answers[command.line]
      if (!a) throw new Error(`unexpected command ${command.line}`)
      return {command: command.line, stdout: a[0], stderr: a[2] ?? '', exitCode: a[1], elapsedMs: 1}
    },
    async execOk(command: {line: string}) {
      const r = await session.exec(command)
      if (r.exitCode !== 0) throw commandError(target, r, false)
      return r
    },
    errorFor: (r: ExecResult) => commandError(target, r, false),
  }
  const pool = {forEachNode: (nodes: ResolvedNode[], fn: (s: SshSession, n: ResolvedNode) => Promise<unknown>) => Promise.all(nodes.map((n) => fn(session as unknown as SshSession, n)))}
  return {sent, pool: pool as unknown as SshPool}
}
