/**
 * Silences through Alertmanager's v2 API (api-facts.md §4, §13): plan them from a node of the
 * config or explicit matchers, create, list and expire them. Planning is pure, so --dry-run shows
 * exactly what would be posted.
 */
import {selectNodes} from '../config/nodes.js'
import type {HydraConfig} from '../config/resolve.js'
import {HydraError, OperationError, UserError} from '../errors.js'
import type {AlertmanagerClient, AmSilence} from './api.js'
import {compareTimes} from '../order.js'

export interface Matcher {
  name: string
  value: string
  isRegex: boolean
  isEqual: boolean
}

export interface SilencePlan {
  matchers: Matcher[]
  startsAt: string
  endsAt: string
  createdBy: string
  comment: string
  /** what this silence covers, for people */
  covers: string
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex`; the value may be double-quoted. */
export function parseMatcher(text: string): Matcher {
  const m = /^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text)
  if (!m || !LABEL_NAME.test(m[1]!))
    throw new UserError(`matcher ${JSON.stringify(text)} is not name=value`, {hint: 'use e.g. alertname=NodeExporterDown, severity!=info, instance=~"127\\\\.0\\\\.0\\\\.3:.*"'})
  let value = m[3]!
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string
    } catch {
      throw new UserError(`matcher ${JSON.stringify(text)}: the quoted value is not closed`, {hint: 'quote the whole value: name="a value"'})
    }
  }
  const op = m[2]!
  return {name: m[1]!, value, isRegex: op.includes('~'), isEqual: !op.startsWith('!')}
}

export function formatMatcher(m: {name: string; value: string; isRegex: boolean; isEqual?: boolean}): string {
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '='
  return `${m.name}${op}${JSON.stringify(m.value)}`
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Everything alerting about a node: its `node` label (hydra's scrape config sets it on every
 * target), and its instances (address or name, any port) for series scraped without it.
 * Alertmanager ANDs the matchers of one silence, so that is two silences.
 */
export function nodeMatcherSets(cfg: HydraConfig, node: string): {covers: string; matchers: Matcher[]}[] {
  const n = selectNodes(cfg, [node])[0]!
  const hosts = [...new Set([n.address, n.name])].map(escapeRegex).join('|')
  return [
    {covers: `alerts labelled node=${node}`, matchers: [{name: 'node', value: node, isRegex: false, isEqual: true}]},
    {covers: `alerts of ${node}'s instances (${n.address}:*)`, matchers: [{name: 'instance', value: `(${hosts})(:[0-9]+)?`, isRegex: true, isEqual: true}]},
  ]
}

export interface PlanInput {
  /** --node, repeatable: every alert of each of these nodes (two silences per node) */
  nodes?: string[]
  matchers: string[]
  forMs?: number
  until?: Date
  comment: string
  author: string
  now: Date
}

export function planSilences(cfg: HydraConfig, input: PlanInput): SilencePlan[] {
  if (!input.comment.trim()) throw new UserError('--comment must say why (it is what the next person sees)', {hint: 'e.g. --comment "kernel upgrade, back by 06:00"'})
  const nodes = input.nodes ?? []
  if (nodes.length === 0 && input.matchers.length === 0) throw new UserError('say what to silence: --node NAME or matchers such as alertname=NodeExporterDown', {hint: 'hydra silence add --node hydra-compute --for 2h --comment reboot'})
  const endsAt = input.until ?? (input.forMs !== undefined ? new Date(input.now.getTime() + input.forMs) : undefined)
  if (!endsAt) throw new UserError('say how long: --for 2h or --until TIME', {hint: 'a silence without an end would hide the next real problem'})
  if (endsAt.getTime() <= input.now.getTime()) throw new UserError(`the silence would end at ${endsAt.toISOString()}, which is not in the future`, {hint: '--until is a point in time (a duration such as 2h means that long ago): give a later time, or a length with --for 2h'})
  const extra = input.matchers.map(parseMatcher)
  const sets =
    nodes.length > 0
      ? selectNodes(cfg, nodes).flatMap((n) => nodeMatcherSets(cfg, n.name).map((s) => ({covers: s.covers, matchers: [...s.matchers, ...extra]})))
      : [{covers: extra.map(formatMatcher).join(', '), matchers: extra}]
  return sets.map((s) => ({
    matchers: s.matchers,
    startsAt: input.now.toISOString(),
    endsAt: endsAt.toISOString(),
    createdBy: input.author,
    comment: input.comment,
    covers: s.covers + (nodes.length > 0 && extra.length > 0 ? ` and ${extra.map(formatMatcher).join(', ')}` : ''),
  }))
}

/** Alertmanager's 400/422 are about what we asked (bad matcher, bad time): exit 2 with its words. */
function amError(error: unknown, what: string): never {
  if (error instanceof HydraError && 'status' in error) {
    const status = (error as HydraError & {status?: number}).status
    const body = ((error as HydraError & {body?: string}).body ?? '').trim()
    let text = body.replace(/^"(.*)"$/s, '$1')
    try {
      const j = JSON.parse(body) as {message?: string} | string
      text = typeof j === 'string' ? j : (j.message ?? body)
    } catch {
      /* not JSON: keep the text */
    }
    if (status === 400 || status === 422) throw new UserError(`Alertmanager refused ${what}: ${text}`, {code: 'alertmanager_refused'})
    if (status === 404 || (status === 500 && /silence not found/i.test(text)))
      throw new OperationError('silence_not_found', `Alertmanager has no ${what.replace(/^expiring /, '')}`, {hint: 'hydra silence list --all shows every silence it knows'})
  }
  throw error
}

export async function createSilence(am: AlertmanagerClient, plan: SilencePlan): Promise<string> {
  const {covers: _covers, ...body} = plan
  try {
    const res = await am.postJson<{silenceID: string}>('/api/v2/silences', body)
    return res.silenceID
  } catch (error) {
    amError(error, 'the silence')
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function checkSilenceId(id: string): void {
  if (!UUID.test(id)) throw new UserError(`${JSON.stringify(id)} is not a silence ID (a UUID)`, {hint: 'hydra silence list shows the IDs'})
}

export async function expireSilence(am: AlertmanagerClient, id: string): Promise<void> {
  checkSilenceId(id)
  try {
    await am.delete(`/api/v2/silence/${encodeURIComponent(id)}`)
  } catch (error) {
    amError(error, `expiring silence ${id}`)
  }
}

export interface SilenceRow {
  id: string
  state: AmSilence['status']['state']
  matchers: string
  startsAt: string
  endsAt: string
  createdBy: string
  comment: string
}

export function silenceRows(silences: AmSilence[], options: {all: boolean}): SilenceRow[] {
  return silences
    .filter((s) => options.all || s.status.state !== 'expired')
    .sort((a, b) => compareTimes(a.endsAt, b.endsAt))
    .map((s) => ({id: s.id, state: s.status.state, matchers: s.matchers.map(formatMatcher).join(', '), startsAt: s.startsAt, endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment}))
}

