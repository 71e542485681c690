/**
 * SSH failures, classified so that commands and `doctor` can say what went wrong and what to do.
 * Messages name the node, user, host and key file, never key contents.
 */
import {AuthError, ExitCode, HydraError} from '../errors.js'

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
  | 'docker_down'
  | 'docker_permission'
  | 'ssh'

export interface SshErrorOptions {
  hint?: string
  cause?: unknown
  details?: Record<string, unknown>
}

/** A failure that is the login being refused (or no usable credential): exit 4, as for HTTP 401/403. */
export type SshAuthFailure = Extract<SshFailure, 'auth' | 'key_file'>

function init(failure: SshFailure, node: string, options: SshErrorOptions) {
  return {hint: options.hint, cause: options.cause, details: {failure, node, ...options.details}}
}

/** Reaching the node, or a command on it, failed. Exit 1. */
export class SshOperationError extends HydraError {
  constructor(
    readonly failure: SshFailure,
    readonly node: string,
    message: string,
    options: SshErrorOptions = {},
  ) {
    super(`ssh_${failure}`, message, {...init(failure, node, options), exitCode: ExitCode.FAILURE})
  }
}

/** The node refused hydra's login, or hydra had no credential to offer. An AuthError: exit 4. */
export class SshAuthError extends AuthError {
  constructor(
    readonly failure: SshAuthFailure,
    readonly node: string,
    message: string,
    options: SshErrorOptions = {},
  ) {
    super(message, {...init(failure, node, options), code: `ssh_${failure}`})
  }
}

/** Any SSH failure. */
export type SshError = SshOperationError | SshAuthError

export function isAuthFailure(failure: SshFailure): failure is SshAuthFailure {
  return failure === 'auth' || failure === 'key_file'
}

/** The error for a failure: auth failures are AuthErrors (exit 4), the rest exit 1. */
export function sshError(failure: SshFailure, node: string, message: string, options: SshErrorOptions = {}): SshError {
  return isAuthFailure(failure) ? new SshAuthError(failure, node, message, options) : new SshOperationError(failure, node, message, options)
}

export function isSshError(error: unknown): error is SshError {
  return error instanceof SshOperationError || error instanceof SshAuthError
}

/** Is a failure about reaching/logging in to the node (vs. one command failing on it)? */
export function isConnectionFailure(failure: SshFailure): boolean {
  return !['command_timeout', 'command_failed', 'command_missing', 'sudo_password'].includes(failure)
}
