/**
 * What the terminal can take: colour only on a TTY, never with NO_COLOR (https://no-color.org),
 * TERM=dumb or --no-color. Pure apart from reading the environment it is given.
 */
import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'

export interface TerminalInfo {
  isTTY: boolean
  color: boolean
  columns: number
}

export function detectTerminal(
  stream: {isTTY?: boolean; columns?: number} = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
  noColorFlag = false,
): TerminalInfo {
  const isTTY = Boolean(stream.isTTY)
  const color =
    isTTY && !noColorFlag && env.NO_COLOR === undefined && env.TERM !== 'dumb' && env.FORCE_COLOR !== '0'
  // a terminal that reports 0 columns (a pty nobody sized: script(1) without a tty, docker exec -t) has no width: 120
  return {isTTY, color, columns: stream.columns || 120}
}

const CODES = {red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39]} as const
export type StyleName = keyof typeof CODES

export interface Styler {
  (name: StyleName, text: string): string
  enabled: boolean
}

export function makeStyler(enabled: boolean): Styler {
  const fn = ((name: StyleName, text: string) => {
    if (!enabled) return text
    const [open, close] = CODES[name]
    return `\u001B[${open}m${text}\u001B[${close}m`
  }) as Styler
  fn.enabled = enabled
  return fn
}

/** A status word coloured by meaning: ok/up green, down/fail red, warn/skip yellow. */
export function statusWord(style: Styler, status: string): string {
  const s = status.toLowerCase()
  if (['ok', 'up', 'healthy', 'pass', 'allowed', 'active', 'ready'].includes(s)) return style('green', status)
  if (['warn', 'warning', 'skipped', 'skip', 'unknown', 'optional', 'pending'].includes(s)) return style('yellow', status)
  return style('red', status)
}

/** Columns a string takes on a terminal: colour codes count 0, wide (CJK) characters 2. */
export function visibleWidth(s: string): number {
  return stringWidth(s)
}

/**
 * A paragraph wrapped to `width` visible columns at word boundaries (a word longer than a line is
 * cut, unless `breakWords` is false: then it stays whole on a line of its own), every line after
 * the first indented by `indent`. Colour codes survive the wrap.
 */
export function wrapText(text: string, width: number, indent = '', {breakWords = true}: {breakWords?: boolean} = {}): string {
  const lead = /^\s*/.exec(text)![0]
  const room = Math.max(10, width - Math.max(visibleWidth(lead), visibleWidth(indent)))
  return wrapAnsi(text.slice(lead.length), room, {hard: breakWords, trim: true})
    .split('\n')
    .map((l, i) => (i === 0 ? lead : indent) + l)
    .join('\n')
}

/**
 * Every line wider than `width` wrapped at word boundaries, its continuation indented 2 more. A word
 * longer than the line (a URL, a query, a path) is never cut, so it still copies and pastes whole.
 */
export function fitLines(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => (visibleWidth(line) <= width ? line : wrapText(line, width, /^\s*/.exec(line)![0] + '  ', {breakWords: false})))
    .join('\n')
}

/**
 * A labelled message ("Error: …", "Hint: …") for a terminal of `width` columns: each of its lines
 * wrapped at word boundaries, continuation lines indented under the text after the label (a line
 * of the message that starts indented keeps its indent, plus two). A word longer than the line,
 * such as a URL, is never cut: it stays whole on a line of its own.
 */
export function wrapLabelled(label: string, message: string, width: number): string {
  const hanging = ' '.repeat(visibleWidth(label) + 1)
  return `${label} ${message}`
    .split('\n')
    .map((line, i) => (visibleWidth(line) <= width ? line : wrapText(line, width, i === 0 ? hanging : /^\s*/.exec(line)![0] + '  ', {breakWords: false})))
    .join('\n')
}

/**
 * A note or warning for stderr on a terminal of `width` columns: a line that starts with a label
 * ("note:", "warning:") wraps under the text after it, any other as fitLines does; never a word cut.
 */
export function fitNote(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^([a-z]+:) (.*)$/.exec(line)
      return m ? wrapLabelled(m[1]!, m[2]!, width) : fitLines(line, width)
    })
    .join('\n')
}
