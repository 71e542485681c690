/**
 * An empty answer whose stream selector cannot match: the runbook's `{container="tabbyapi"}` finds
 * nothing because the Docker driver names the label `container_name`. When the tenant has streams in
 * the window (guard.ts's emptyTenantNote said nothing), the selector's positive matchers are held
 * against Loki's own label names and values for that window (/loki/api/v1/labels and
 * /label/<name>/values, the same X-Scope-OrgID): a label no stream has, or an exact value no stream
 * has, is named with what there is. Best effort: no note when Loki will not say, or the selector is
 * one this reader does not follow.
 */
import type {LokiClient} from './client.js'

export interface SelectorMatcher {
  label: string
  op: '=' | '!=' | '=~' | '!~'
  value: string
}

/** The matchers of the query's first stream selector `{…}`; undefined when it does not read as one. Pure. */
export function streamSelector(query: string): SelectorMatcher[] | undefined {
  const open = query.indexOf('{')
  if (open < 0) return undefined
  const out: SelectorMatcher[] = []
  let i = open + 1
  const skip = () => {
    while (i < query.length && /[\s,]/.test(query[i]!)) i++
  }
  for (;;) {
    skip()
    if (query[i] === '}') return out
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))?.[0]
    if (!name) return undefined
    i += name.length
    while (query[i] === ' ') i++
    const op = /^(=~|!~|!=|=)/.exec(query.slice(i))?.[0] as SelectorMatcher['op'] | undefined
    if (!op) return undefined
    i += op.length
    while (query[i] === ' ') i++
    const q = query[i]
    if (q !== '"' && q !== '`') return undefined
    let value = ''
    i++
    while (i < query.length && query[i] !== q) {
      if (q === '"' && query[i] === '\\') i++
      value += query[i] ?? ''
      i++
    }
    if (query[i] !== q) return undefined
    i++
    out.push({label: name, op, value})
  }
}

const list = (xs: string[], n = 8) => `${xs.slice(0, n).join(', ')}${xs.length > n ? `, … (${xs.length} in all)` : ''}`

/** What a stream selector needs that no stream of the window has; undefined when nothing is wrong with it. */
export async function emptySelectorNote(loki: Pick<LokiClient, 'getJson'>, query: string, window: {startNs: bigint; endNs: bigint}, signal?: AbortSignal): Promise<string | undefined> {
  const matchers = streamSelector(query)?.filter((m) => (m.op === '=' && m.value !== '') || m.op === '=~')
  if (!matchers?.length) return undefined
  const range = {start: window.startNs.toString(), end: window.endNs.toString()}
  try {
    const labels = (await loki.getJson<string[] | null | undefined>('/loki/api/v1/labels', range, {signal})) ?? []
    if (labels.length === 0) return undefined
    const missing = matchers.find((m) => !labels.includes(m.label))
    if (missing) {
      const like = labels.filter((l) => l.includes(missing.label) || missing.label.includes(l))
      return `no stream in this window has a label ${missing.label}${like.length ? ` (did you mean ${like.join(' or ')}?)` : ''}; its labels are ${list([...labels].sort())}: hydra loki labels`
    }
    for (const m of matchers) {
      const values = (await loki.getJson<string[] | null | undefined>(`/loki/api/v1/label/${encodeURIComponent(m.label)}/values`, range, {signal})) ?? []
      let re: RegExp | undefined
      try {
        re = m.op === '=~' ? new RegExp(`^(?:${m.value})$`) : undefined
      } catch {
        continue
      }
      if (values.length > 0 && !values.some((v) => (re ? re.test(v) : v === m.value))) {
        return `no stream in this window has ${m.label}${m.op}${JSON.stringify(m.value)}; its values are ${list([...values].sort())}: hydra loki labels ${m.label}`
      }
    }
  } catch {
    return undefined
  }
  return undefined
}
