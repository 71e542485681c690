/**
 * Small helpers to write PromQL the way Prometheus prints it back (GET /api/v1/rules returns the
 * parsed expression re-printed), so `rules diff` compares like with like.
 */

/** A label value as a PromQL string literal (Go strconv.Quote for the characters label values use). */
export function quote(value: string): string {
  return JSON.stringify(value)
}

const REGEX_META = /[.*+?^${}()|[\]\\]/g

/** `job="a"` for one job, `job=~"a|b"` for several (regex metacharacters escaped). */
export function labelIn(name: string, values: string[]): string {
  const unique = [...new Set(values)]
  if (unique.length === 1) return `${name}=${quote(unique[0]!)}`
  return `${name}=~${quote(unique.map((v) => v.replace(REGEX_META, '\\$&')).join('|'))}`
}

/** `job!~"a|b"` (or `job!="a"`). */
export function labelNotIn(name: string, values: string[]): string {
  const unique = [...new Set(values)]
  if (unique.length === 1) return `${name}!=${quote(unique[0]!)}`
  return `${name}!~${quote(unique.map((v) => v.replace(REGEX_META, '\\$&')).join('|'))}`
}

const UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
]

/** Milliseconds → a Prometheus duration as Prometheus prints it (model.Duration.String: 36h → 1d12h). */
export function promDuration(ms: number): string {
  if (ms <= 0) return '0s'
  let rest = Math.round(ms)
  let out = ''
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size)
    if (n > 0) {
      out += `${n}${unit}`
      rest -= n * size
    }
  }
  return out
}

/** Collapse whitespace the way two prints of one expression differ: runs of blanks, and blanks inside brackets. */
export function normalizeExpr(expr: string): string {
  return expr
    .replace(/\s+/g, ' ')
    .replace(/, /g, ',')
    .replace(/([({[]) /g, '$1')
    .replace(/ ([)}\]])/g, '$1')
    .trim()
}
