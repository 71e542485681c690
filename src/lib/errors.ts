/**
 * hydra's error hierarchy and exit-code contract (design.md §2).
 *
 * Library code throws these; only the base command turns them into output and an exit code.
 * Every error carries a stable `code` (for --json and tests) and, where we know it, a `hint`
 * naming the next thing to run or change.
 */

export const ExitCode = {
  /** everything checked is healthy / the operation succeeded */
  OK: 0,
  /** something checked is unhealthy, or an operation failed */
  FAILURE: 1,
  /** bad usage or bad config */
  USAGE: 2,
  /** partial success: some items failed (e.g. a backup missing dashboards) */
  PARTIAL: 3,
  /** authentication or authorisation refused */
  AUTH: 4,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface HydraErrorOptions {
  hint?: string
  exitCode?: ExitCodeValue
  cause?: unknown
  /** extra structured detail for --json (must never contain secrets) */
  details?: Record<string, unknown>
}

export class HydraError extends Error {
  readonly code: string
  readonly hint?: string
  readonly exitCode: ExitCodeValue
  readonly details?: Record<string, unknown>

  constructor(code: string, message: string, options: HydraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.FAILURE
    this.details = options.details
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? {hint: this.hint} : {}),
      exitCode: this.exitCode,
      ...(this.details ? {details: this.details} : {}),
    }
  }
}

/** The user asked for something that cannot be done as asked (bad flag, bad argument). Exit 2. */
export class UserError extends HydraError {
  constructor(message: string, options: Omit<HydraErrorOptions, 'exitCode'> & {code?: string} = {}) {
    super(options.code ?? 'usage', message, {...options, exitCode: ExitCode.USAGE})
  }
}

export interface ConfigLocation {
  file: string
  line?: number
  col?: number
  /** dotted key path, e.g. nodes.hydra-ai.exporters.node.port */
  keyPath?: string
}

/** The config is malformed or inconsistent. Exit 2, with file:line:col and the key path. */
export class ConfigError extends HydraError {
  readonly location: ConfigLocation
  readonly problems: ConfigProblem[]

  constructor(problems: ConfigProblem[], options: {hint?: string} = {}) {
    const first = problems[0]
    if (!first) throw new BugError('ConfigError needs at least one problem')
    const lines = problems.map((p) => formatConfigProblem(p))
    const message =
      problems.length === 1 ? `invalid config: ${lines[0]}` : `invalid config (${problems.length} problems):\n  ${lines.join('\n  ')}`
    super('config_invalid', message, {
      exitCode: ExitCode.USAGE,
      hint: options.hint ?? 'fix the file, then check it with: hydra config validate ' + first.file,
      details: {problems: problems.map((p) => ({...p}))},
    })
    this.location = first
    this.problems = problems
  }
}

export interface ConfigProblem extends ConfigLocation {
  message: string
}

export function formatConfigProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file
  const key = p.keyPath ? ` at ${p.keyPath}` : ''
  return `${where}${key}: ${p.message}`
}

/** A server refused our credentials (401/403) or a login was refused. Exit 4. */
export class AuthError extends HydraError {
  constructor(message: string, options: Omit<HydraErrorOptions, 'exitCode'> & {code?: string} = {}) {
    super(options.code ?? 'auth_refused', message, {...options, exitCode: ExitCode.AUTH})
  }
}

/** An operation could not be done (unreachable host, server error). Exit 1. */
export class OperationError extends HydraError {
  constructor(code: string, message: string, options: Omit<HydraErrorOptions, 'exitCode'> = {}) {
    super(code, message, {...options, exitCode: ExitCode.FAILURE})
  }
}

/** Something that should not happen happened: a bug in hydra. Exit 1, with a request to report it. */
export class BugError extends HydraError {
  constructor(message: string, options: Omit<HydraErrorOptions, 'exitCode'> = {}) {
    super('bug', message, {hint: 'this is a bug in hydra; please report it with the command you ran', ...options})
  }
}

export function isHydraError(err: unknown): err is HydraError {
  return err instanceof HydraError
}
