/**
 * Is a dashboard in a backup the same as the live one? Grafana changes `id` (per instance) and
 * `version` (on every save) without the content changing, so those are left out; key order is
 * not significant in JSON, so keys are sorted. Pure.
 */
import {compareCodePoints} from '../order.js'

const VOLATILE_KEYS = new Set(['id', 'version'])

/** JSON with sorted keys, for comparing documents whatever order their keys came in. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v === undefined ? null : v)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The dashboard's content as compared: everything but its top-level id and version. */
export function comparableDashboard(dashboard: Record<string, unknown>): string {
  const rest = Object.fromEntries(Object.entries(dashboard).filter(([k]) => !VOLATILE_KEYS.has(k)))
  return stableStringify(rest)
}

export function sameDashboard(
  a: {dashboard: Record<string, unknown>; folderUid?: string},
  b: {dashboard: Record<string, unknown>; folderUid?: string},
): boolean {
  return (a.folderUid ?? '') === (b.folderUid ?? '') && comparableDashboard(a.dashboard) === comparableDashboard(b.dashboard)
}
