/**
 * SSH failures, classified so that commands and `doctor` can say what went wrong and what to do.
 * Messages name the node, user, host and key file, never key contents.
 */
import {ExitCode, HydraError, type ExitCodeValue} from '../errors.js'

export type SshFailure =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'dns'
  | 'reset'
  | 'auth'
  | 'key_file'
  | 'host_key_unknown'
  | 'host_key_changed'
  | 'host_key_revoked'
  | 'closed'
  | 'command_timeout'
  | 'command_failed'
  | 'command_missing'
  | 'sudo_password'
  | 'ssh'

export class SshError extends HydraError {
  readonly failure: SshFailure
  readonly node: string

  constructor(failure: SshFailure, node: string, message: string, options: {hint?: string; cause?: unknown; details?: Record<string, unknown>; exitCode?: ExitCodeValue} = {}) {
    super(`ssh_${failure}`, message, {
      exitCode: options.exitCode ?? (failure === 'auth' ? ExitCode.AUTH : ExitCode.FAILURE),
      hint: options.hint,
      cause: options.cause,
      details: {failure, node, ...options.details},
    })
    this.failure = failure
    this.node = node
  }
}

export function isSshError(error: unknown): error is SshError {
  return error instanceof SshError
}

/** Is a failure about reaching/logging in to the node (vs. one command failing on it)? */
export function isConnectionFailure(failure: SshFailure): boolean {
  return !['command_timeout', 'command_failed', 'command_missing', 'sudo_password'].includes(failure)
}
