/** "3s ago", "2m10s ago", "never" — the age of a timestamp, for humans. Pure. */
export function formatAge(timestamp: string | number | Date | undefined, now: number = Date.now()): string {
  if (timestamp === undefined) return 'never'
  const t = timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'number' ? timestamp : Date.parse(timestamp)
  if (!Number.isFinite(t) || t <= 0) return 'never'
  const secs = Math.max(0, Math.round((now - t) / 1000))
  if (secs < 60) return `${secs}s ago`
  if (secs < 3600) return `${Math.floor(secs / 60)}m${secs % 60 ? `${secs % 60}s` : ''} ago`
  if (secs < 86400) return `${Math.floor(secs / 3600)}h${Math.floor((secs % 3600) / 60) ? `${Math.floor((secs % 3600) / 60)}m` : ''} ago`
  return `${Math.floor(secs / 86400)}d${Math.floor((secs % 86400) / 3600) ? `${Math.floor((secs % 86400) / 3600)}h` : ''} ago`
}

/** 0.0507 (seconds) → "50.7ms"; 1.2 → "1.20s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-'
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)}ms`
  return `${seconds.toFixed(2)}s`
}

/** Local time with offset, for log lines: 2026-11-24 01:02:03.456 +01:00 */
export function formatLocalTime(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const off = -date.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)} ${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
}
