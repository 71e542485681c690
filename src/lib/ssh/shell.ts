/**
 * The quoting layer between values (from the config or from a remote answer such as `docker ps`)
 * and the remote shell. Every value goes through an allow-list check AND single quotes, so a
 * value that slips past one of the two still cannot reach the shell as code.
 */
import {UserError} from '../errors.js'

/**
 * POSIX single-quoting: everything between single quotes is literal; a single quote itself is
 * written as '\'' (close, escaped quote, reopen). NUL cannot be passed through a shell word at all.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new UserError('a value sent to a remote shell contains a NUL byte', {code: 'ssh_bad_value'})
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** What a value is, and the allow-list it must match before it may be sent to a node. */
export const REMOTE_VALUE_RULES = {
  /** systemd unit names: letters, digits and :_.@- (backslash escapes are not needed by any exporter unit) */
  unit: /^[A-Za-z0-9:_.@-]{1,255}$/,
  /** Docker container names ([a-zA-Z0-9][a-zA-Z0-9_.-]+ in the engine), also accepted with the leading / of inspect */
  container: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
  process: /^[A-Za-z0-9_.+-]{1,64}$/,
} as const

export type RemoteValueKind = keyof typeof REMOTE_VALUE_RULES

/** Check a value against its allow-list; the error names the value (JSON-escaped, so it cannot mangle a terminal). */
export function checkRemoteValue(kind: RemoteValueKind, value: string): string {
  if (!REMOTE_VALUE_RULES[kind].test(value)) {
    throw new UserError(`refusing to send ${kind} name ${JSON.stringify(value)} to a node: it is not a valid ${kind} name`, {
      code: 'ssh_bad_value',
      hint: `a ${kind} name may contain only ${describeRule(kind)}; fix the name in the config`,
      details: {kind, value},
    })
  }
  return value
}

/** Allow-list check, then quoting: the only way a value gets into a remote command line. */
export function quoteRemoteValue(kind: RemoteValueKind, value: string): string {
  return shellQuote(checkRemoteValue(kind, value))
}

export function isValidRemoteValue(kind: RemoteValueKind, value: string): boolean {
  return REMOTE_VALUE_RULES[kind].test(value)
}

function describeRule(kind: RemoteValueKind): string {
  switch (kind) {
    case 'unit':
      return "letters, digits and ':', '_', '.', '@', '-'"
    case 'container':
      return "letters, digits and '_', '.', '-' (starting with a letter or digit)"
    case 'process':
      return "letters, digits and '_', '.', '+', '-'"
  }
}
