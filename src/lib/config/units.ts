/**
 * Durations and sizes as the config and Prometheus write them, parsed. (Written for people:
 * ../format.ts.)
 *
 * Sizes follow Prometheus's own parser (alecthomas/units ParseBase2Bytes): "GB" and "GiB" both mean
 * 2^30 bytes. That is why the runbook's `retention.size: 10GB` comes back from
 * /api/v1/status/flags as `10GiB`: the same size, spelled the base-2 way.
 */

import {UserError} from '../errors.js'

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
}

/** "5s" → 5000; "1h30m" → 5_400_000 (Prometheus style compound durations); undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim()
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w|y))+$/.test(s)) return undefined
  let total = 0
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!
  return total
}

/**
 * The longest delay Node's timers honour: setTimeout with more than 2^31-1 ms (about 24.8 days)
 * fires after 1 ms instead. Every duration that becomes a timer (timeouts, deadlines) is checked
 * against it; durations that are only compared or sent to a server (retention, --since 30d, a
 * backup's maxAge) are not timers and may be longer.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** Why a timer duration cannot be used, or undefined if it can. */
export function timerProblem(ms: number): string | undefined {
  if (ms > MAX_TIMER_MS) return `longer than the longest timer Node.js can set (${Math.floor(MAX_TIMER_MS / 86_400_000)}d${Math.floor((MAX_TIMER_MS % 86_400_000) / 3_600_000)}h, 2^31-1 ms)`
  return undefined
}

const DURATION_HINT = 'use e.g. 30s, 5m, 2h, 1d or 1h30m, or a bare number of seconds (1.5 = 1500ms)'

/**
 * A duration a person typed on the command line: the config's units (30s, 5m, 2h, 1d, 1h30m,
 * 500ms) or a bare number of seconds, as curl -m takes it. Positive only. `timer` (default true):
 * the value becomes a timer, so it must not pass MAX_TIMER_MS. Throws a UserError (exit 2) that
 * names the flag.
 */
export function parseDurationArg(text: string, flag: string, options: {timer?: boolean} = {}): number {
  const s = text.trim()
  const ms = /^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : parseDuration(s)
  if (ms === undefined || !Number.isFinite(ms)) throw new UserError(`${flag} ${JSON.stringify(text)} is not a duration`, {hint: DURATION_HINT})
  if (ms <= 0) throw new UserError(`${flag} ${JSON.stringify(text)}: the duration must be more than 0`, {hint: DURATION_HINT})
  const problem = options.timer === false ? undefined : timerProblem(ms)
  if (problem) throw new UserError(`${flag} ${JSON.stringify(text)} is ${problem}`, {hint: 'use a shorter duration'})
  return ms
}

/** A bare number at least this big in a time flag is a unix time in seconds (2001-09-09 on), not "seconds ago". */
const UNIX_SECONDS_FROM = 1e9

/** What a time typed without a zone means, in every time flag's help. */
export const ZONELESS_TIME = 'no zone: local time'

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * An ISO 8601 date, optionally with a time and a zone → epoch ms (undefined when it is not one, or
 * names no real day or time). With a zone, that zone; without one, the local time of the machine
 * hydra runs on, the date alone meaning its midnight (not UTC's, as JavaScript's Date.parse has it).
 */
function parseDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s)
  if (!m) return undefined
  if (m[8]) {
    const t = Date.parse(s.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/z$/, 'Z'))
    return Number.isFinite(t) ? t : undefined
  }
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number, number, number, number]
  const date = new Date(y, mo - 1, d, h, mi, sec, Math.round(Number(m[7] ?? 0) * 1000))
  const real = date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d && date.getHours() === h && date.getMinutes() === mi && date.getSeconds() === sec
  return real ? date.getTime() : undefined
}

/**
 * A point in time a person typed: an RFC 3339 time (2026-11-30T10:00:00Z; without a zone, local
 * time), `now`, a duration meaning "that long ago" (15m, 2h, 7d, or a bare number of seconds), or
 * a unix time in seconds (a bare number of 10 digits or more, or @1700000000). Returns epoch
 * milliseconds; a UserError (exit 2) names the flag.
 */
export function parseTimeArg(text: string, flag: string, nowMs: number): number {
  const s = text.trim()
  if (s === 'now') return nowMs
  const unix = /^@?(\d+(\.\d+)?)$/.exec(s)
  if (unix && (s.startsWith('@') || Number(unix[1]) >= UNIX_SECONDS_FROM)) return Number(unix[1]) * 1000
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const t = parseDateTime(s)
    if (t !== undefined) return t
  } else {
    const ago = unix ? Number(s) * 1000 : parseDuration(s)
    if (ago !== undefined) return nowMs - ago
  }
  throw new UserError(`${flag} ${JSON.stringify(text)} is not a time`, {
    hint: `use an RFC 3339 time (2026-11-30T10:00:00Z; ${ZONELESS_TIME}), now, a duration ago (15m, 2h, 7d, or seconds), or unix seconds (@1700000000)`,
  })
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  KIB: 2 ** 10,
  MB: 2 ** 20,
  MIB: 2 ** 20,
  GB: 2 ** 30,
  GIB: 2 ** 30,
  TB: 2 ** 40,
  TIB: 2 ** 40,
  PB: 2 ** 50,
  PIB: 2 ** 50,
}

/** "10GB" → 10737418240 (base 2, as Prometheus reads it); undefined if invalid. "0" → 0. */
export function parseByteSize(text: string): number | undefined {
  const s = text.trim()
  if (s === '0') return 0
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTP]?i?B)$/i.exec(s)
  if (!m) return undefined
  const unit = SIZE_UNITS[m[2]!.toUpperCase()]
  return unit === undefined ? undefined : Number(m[1]) * unit
}
