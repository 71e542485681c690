/**
 * The one place durations and byte sizes are written for people: error summaries, tables, check
 * titles. (Parsing lives in config/units.ts.)
 */

/**
 * 250 → "250ms", 1500 → "1.5s", 5000 → "5s", 5_400_000 → "1h30m", 15 days → "15d".
 * Under a minute with one decimal (a timeout of 1.5s reads as such); above, Prometheus-style
 * compound units rounded to the second.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (ms < 0) return `-${formatDuration(-ms)}`
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`
  const parts: string[] = []
  let rest = Math.round(ms / 1000)
  for (const [unit, secs] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= secs) {
      parts.push(`${Math.floor(rest / secs)}${unit}`)
      rest %= secs
    }
  }
  return parts.join('')
}

/** 512 → "512B", 20_000 → "19.5KiB", 10737418240 → "10GiB" (base 2, as Prometheus writes sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes)
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = bytes
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${Number.isInteger(v) ? v : Number(v.toFixed(1))}${units[i]}`
}

/** 1 → "1 dashboard", 0 or 2 → "2 dashboards": a count and its noun, as a person writes them. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}
