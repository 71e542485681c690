/**
 * Durations and sizes as the config and Prometheus write them, parsed. (Written for people:
 * ../format.ts.)
 *
 * Sizes follow Prometheus's own parser (alecthomas/units ParseBase2Bytes): "GB" and "GiB" both mean
 * 2^30 bytes. That is why the runbook's `retention.size: 10GB` comes back from
 * /api/v1/status/flags as `10GiB`: the same size, spelled the base-2 way.
 */

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
