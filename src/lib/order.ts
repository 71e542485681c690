/**
 * The order of rows a person reads (tables) and a script reads (--json): the same in every locale.
 *
 * `localeCompare` follows the locale of the run (LANG, LC_ALL): under da_DK "aa" sorts after "z"
 * (it is Danish å) and "Ollama" before "ollama", so a cron job and an operator's shell printed
 * the same targets in different orders. It also puts punctuation before letters, so the "~" that
 * was meant to send rows without a node to the end sent them to the top. And its first call sets
 * up an ICU collator: some 12 ms of the command on this 2-core machine (measured). Backups
 * already order their files by code point for the same reason (backup/grafana-objects.ts).
 */

const isDigit = (code: number): boolean => code >= 48 && code <= 57

/**
 * Names as people expect them, in every locale: letters without regard to case, runs of digits by
 * their value (gpu 2 before gpu 10, 127.0.0.9 before 127.0.0.10), then, for names equal that way,
 * code point by code point (so the order is total and stable: "Ollama" before "ollama").
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let i = 0
  let j = 0
  while (i < x.length && j < y.length) {
    const cx = x.charCodeAt(i)
    const cy = y.charCodeAt(j)
    if (isDigit(cx) && isDigit(cy)) {
      let ei = i
      let ej = j
      while (ei < x.length && isDigit(x.charCodeAt(ei))) ei++
      while (ej < y.length && isDigit(y.charCodeAt(ej))) ej++
      // by value: leading zeros aside, a longer run is a larger number
      let si = i
      let sj = j
      while (si < ei - 1 && x.charCodeAt(si) === 48) si++
      while (sj < ej - 1 && y.charCodeAt(sj) === 48) sj++
      if (ei - si !== ej - sj) return ei - si - (ej - sj)
      for (; si < ei; si++, sj++) if (x.charCodeAt(si) !== y.charCodeAt(sj)) return x.charCodeAt(si) - y.charCodeAt(sj)
      i = ei
      j = ej
      continue
    }
    if (cx !== cy) return cx - cy
    i++
    j++
  }
  if (x.length - i !== y.length - j) return x.length - i - (y.length - j)
  return compareCodePoints(a, b)
}

/** Code point by code point (UTF-16 units): label names, as Prometheus orders them. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** RFC 3339 times (Alertmanager's endsAt) by the instant they name, whatever their precision; unparsable ones last. */
export function compareTimes(a: string, b: string): number {
  const x = Date.parse(a)
  const y = Date.parse(b)
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? compareCodePoints(a, b) : 1) : -1
  return x - y || compareCodePoints(a, b)
}
