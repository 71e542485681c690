/**
 * nftables rules as `nft -j list ruleset` prints them (libnftables-json(5)), and an evaluator
 * that follows a new TCP connection through every base chain on the input hook, in priority
 * order. An accept ends one base chain only; a drop anywhere is final (nft(8) "BASE CHAIN").
 * Pure.
 */
import {MATCH, NOMATCH, fromBool, interfaceMatches, ipv4InCidr, unknown, type MatchResult, type Packet, type Verdict} from './packet.js'

export interface NftRule {
  family: string
  table: string
  chain: string
  handle?: number
  comment?: string
  expr: unknown[]
  /** a readable rendering (nft's own syntax, approximately), for messages */
  text: string
}

export interface NftChain {
  family: string
  table: string
  name: string
  hook?: string
  prio?: number
  policy?: string
  type?: string
  rules: NftRule[]
}

export interface NftRuleset {
  chains: NftChain[]
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})

const PRIORITY_NAMES: Record<string, number> = {raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100}

export function parseNftJson(text: string): NftRuleset {
  const doc = obj(JSON.parse(text))
  const items = Array.isArray(doc.nftables) ? doc.nftables : []
  const chains = new Map<string, NftChain>()
  const key = (f: string, t: string, c: string) => `${f}\u0000${t}\u0000${c}`
  for (const item of items) {
    const c = obj(obj(item).chain)
    if (typeof c.name === 'string') {
      const prio = typeof c.prio === 'number' ? c.prio : typeof c.prio === 'string' ? PRIORITY_NAMES[c.prio] : undefined
      chains.set(key(String(c.family), String(c.table), c.name), {
        family: String(c.family),
        table: String(c.table),
        name: c.name,
        hook: typeof c.hook === 'string' ? c.hook : undefined,
        prio,
        policy: typeof c.policy === 'string' ? c.policy : undefined,
        type: typeof c.type === 'string' ? c.type : undefined,
        rules: [],
      })
    }
  }
  for (const item of items) {
    const r = obj(obj(item).rule)
    if (typeof r.chain !== 'string') continue
    const chain = chains.get(key(String(r.family), String(r.table), r.chain))
    if (!chain) continue
    const expr = Array.isArray(r.expr) ? r.expr : []
    chain.rules.push({
      family: String(r.family),
      table: String(r.table),
      chain: r.chain,
      handle: typeof r.handle === 'number' ? r.handle : undefined,
      comment: typeof r.comment === 'string' ? r.comment : undefined,
      expr,
      text: `${r.family} ${r.table} ${r.chain}: ${renderExprs(expr)}${typeof r.comment === 'string' ? ` comment ${JSON.stringify(r.comment)}` : ''}`,
    })
  }
  return {chains: [...chains.values()]}
}

function renderValue(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  const o = obj(v)
  if (Array.isArray(v)) return `{ ${v.map(renderValue).join(', ')} }`
  if ('set' in o) return `{ ${(Array.isArray(o.set) ? o.set : [o.set]).map(renderValue).join(', ')} }`
  if ('range' in o && Array.isArray(o.range)) return `${renderValue(o.range[0])}-${renderValue(o.range[1])}`
  if ('prefix' in o) return `${String(obj(o.prefix).addr)}/${String(obj(o.prefix).len)}`
  if ('payload' in o) return `${String(obj(o.payload).protocol)} ${String(obj(o.payload).field)}`
  if ('meta' in o) return `meta ${String(obj(o.meta).key)}`
  if ('ct' in o) return `ct ${String(obj(o.ct).key)}`
  return JSON.stringify(v)
}

function renderExprs(exprs: unknown[]): string {
  return exprs
    .map((e) => {
      const o = obj(e)
      const [k, v] = Object.entries(o)[0] ?? ['?', null]
      if (k === 'match') {
        const m = obj(v)
        const op = m.op === '==' || m.op === 'in' ? '' : `${String(m.op)} `
        return `${renderValue(m.left)} ${op}${renderValue(m.right)}`
      }
      if (k === 'jump' || k === 'goto') return `${k} ${String(obj(v).target)}`
      if (k === 'vmap') return `${renderValue(obj(v).key)} vmap ${renderValue(obj(v).data)}`
      if (v === null) return k
      if (k === 'counter' || k === 'log') return k
      return `${k} ${JSON.stringify(v)}`
    })
    .join(' ')
}

type Value = string | number
type Lookup = {kind: 'value'; value: Value} | {kind: 'unknown'; reason: string} | {kind: 'absent'}

/** The packet's value for the left-hand side of a match. */
function packetValue(left: unknown, packet: Packet, family: string): Lookup {
  const o = obj(left)
  if ('payload' in o) {
    const p = obj(o.payload)
    const proto = String(p.protocol)
    const field = String(p.field)
    if ((proto === 'tcp' || proto === 'th') && field === 'dport') return {kind: 'value', value: packet.destinationPort}
    if ((proto === 'tcp' || proto === 'th') && field === 'sport') return {kind: 'unknown', reason: "the source port (hydra's is ephemeral)"}
    if (proto === 'udp' || proto === 'sctp' || proto === 'icmp' || proto === 'icmpv6' || proto === 'ip6') return {kind: 'absent'}
    if (proto === 'ip' && field === 'saddr') return {kind: 'value', value: packet.source}
    if (proto === 'ip' && field === 'daddr') return {kind: 'value', value: packet.destination}
    if (proto === 'ip' && field === 'protocol') return {kind: 'value', value: 'tcp'}
    if (proto === 'tcp' && field === 'flags') return {kind: 'value', value: 'syn'}
    return {kind: 'unknown', reason: `${proto} ${field}`}
  }
  if ('meta' in o) {
    const k = String(obj(o.meta).key)
    if (k === 'l4proto' || k === 'protocol') return {kind: 'value', value: k === 'l4proto' ? 'tcp' : 'ip'}
    if (k === 'nfproto') return {kind: 'value', value: 'ipv4'}
    if (k === 'iifname' || k === 'iif') return packet.inInterface ? {kind: 'value', value: packet.inInterface} : {kind: 'unknown', reason: 'the input interface'}
    if (k === 'pkttype') return {kind: 'value', value: 'host'}
    return {kind: 'unknown', reason: `meta ${k}`}
  }
  if ('ct' in o) {
    const k = String(obj(o.ct).key)
    if (k === 'state') return {kind: 'value', value: 'new'}
    if (k === 'status') return {kind: 'value', value: ''}
    if (k === 'direction') return {kind: 'value', value: 'original'}
    return {kind: 'unknown', reason: `ct ${k}`}
  }
  if ('fib' in o) return {kind: 'unknown', reason: 'fib (reverse-path) lookup'}
  return {kind: 'unknown', reason: renderValue(left)}
  void family
}

function valueInRight(value: Value, right: unknown, isInterface: boolean): MatchResult {
  if (typeof right === 'string' || typeof right === 'number') {
    if (typeof value === 'string' && typeof right === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(value) && /^\d+\.\d+\.\d+\.\d+$/.test(right)) return fromBool(value === right)
    if (isInterface && typeof value === 'string' && typeof right === 'string' && right.endsWith('*')) return fromBool(value.startsWith(right.slice(0, -1)))
    return fromBool(String(value).toLowerCase() === String(right).toLowerCase())
  }
  if (Array.isArray(right)) {
    const results = right.map((r) => valueInRight(value, r, isInterface))
    return results.some((r) => r.kind === 'match') ? MATCH : results.find((r) => r.kind === 'unknown') ?? NOMATCH
  }
  const o = obj(right)
  if ('set' in o) return valueInRight(value, Array.isArray(o.set) ? o.set : [o.set], isInterface)
  if ('range' in o && Array.isArray(o.range) && typeof value === 'number') return fromBool(value >= Number(o.range[0]) && value <= Number(o.range[1]))
  if ('prefix' in o && typeof value === 'string') return ipv4InCidr(value, `${String(obj(o.prefix).addr)}/${String(obj(o.prefix).len)}`)
  if ('@' in o || (typeof right === 'string' && String(right).startsWith('@'))) return unknown(`named set @${String(o['@'])}`)
  return unknown(`value ${renderValue(right)}`)
}

function matchExpr(m: Json, packet: Packet, family: string): MatchResult {
  const left = obj(m.left)
  const lookup = packetValue(m.left, packet, family)
  const op = String(m.op ?? '==')
  if (lookup.kind === 'absent') return op === '!=' ? MATCH : NOMATCH
  if (lookup.kind === 'unknown') {
    if ('meta' in left && ['iifname', 'iif'].includes(String(obj(left.meta).key))) {
      const right = obj(m.right)
      const names = typeof m.right === 'string' ? [m.right] : Array.isArray(right.set) ? right.set.filter((x): x is string => typeof x === 'string') : []
      if (names.length > 0) {
        const rs = names.map((n) => interfaceMatches(packet.inInterface, n.replace(/\*$/, '+')))
        const r = rs.some((x) => x.kind === 'match') ? MATCH : rs.find((x) => x.kind === 'unknown') ?? NOMATCH
        return op === '!=' ? (r.kind === 'unknown' ? r : fromBool(r.kind !== 'match')) : r
      }
    }
    return unknown(lookup.reason)
  }
  const isInterface = 'meta' in left
  // ct state / tcp flags are bitmasks: `in` and `==` with a list mean "any of"
  let r = valueInRight(lookup.value, m.right, isInterface)
  if (String(lookup.value) === 'syn' && typeof m.right !== 'string') r = unknown('tcp flags expression')
  if (op === '==' || op === 'in') return r
  if (op === '!=') return r.kind === 'unknown' ? r : fromBool(r.kind === 'nomatch')
  return unknown(`operator ${op}`)
}

interface NftVerdict {
  kind: 'accept' | 'drop' | 'jump' | 'goto' | 'return' | 'continue'
  target?: string
}

function verdictOf(e: Json): NftVerdict | undefined {
  if ('accept' in e) return {kind: 'accept'}
  if ('drop' in e || 'reject' in e) return {kind: 'drop'}
  if ('return' in e) return {kind: 'return'}
  if ('jump' in e) return {kind: 'jump', target: String(obj(e.jump).target)}
  if ('goto' in e) return {kind: 'goto', target: String(obj(e.goto).target)}
  if ('continue' in e) return {kind: 'continue'}
  return undefined
}

function vmapVerdict(v: unknown): NftVerdict | undefined {
  if (typeof v === 'string') return verdictOf({[v]: null})
  return verdictOf(obj(v))
}

type RuleOutcome = {kind: 'nomatch'} | {kind: 'unknown'; reason: string} | {kind: 'verdict'; verdict: NftVerdict}

/** Evaluate one rule's expressions left to right; the first verdict (or vmap hit) ends it. */
export function evaluateNftRule(rule: NftRule, packet: Packet): RuleOutcome {
  // A rule without a verdict (log, counter) cannot decide anything, whatever it matches.
  if (!rule.expr.some((e) => 'vmap' in obj(e) || verdictOf(obj(e)) !== undefined)) return {kind: 'nomatch'}
  for (const e of rule.expr) {
    const o = obj(e)
    if ('match' in o) {
      const m = matchExpr(obj(o.match), packet, rule.family)
      if (m.kind === 'nomatch') return {kind: 'nomatch'}
      if (m.kind === 'unknown') return {kind: 'unknown', reason: m.reason}
      continue
    }
    if ('vmap' in o) {
      const v = obj(o.vmap)
      const lookup = packetValue(v.key, packet, rule.family)
      if (lookup.kind === 'unknown') return {kind: 'unknown', reason: lookup.reason}
      const data = obj(v.data)
      const entries = Array.isArray(data.set) ? data.set : []
      for (const entry of entries) {
        if (!Array.isArray(entry)) continue
        if (lookup.kind === 'value' && valueInRight(lookup.value, entry[0], false).kind === 'match') {
          const verdict = vmapVerdict(entry[1])
          if (verdict) return {kind: 'verdict', verdict}
        }
      }
      return {kind: 'nomatch'}
    }
    const verdict = verdictOf(o)
    if (verdict) return {kind: 'verdict', verdict}
    // counter, log, limit (as a statement), meta set, ...: no effect on the verdict
    if ('limit' in o || 'quota' in o) return {kind: 'unknown', reason: `${Object.keys(o)[0]} (rate/quota state)`}
  }
  return {kind: 'nomatch'}
}

export interface NftEvaluation {
  verdict: Verdict
  decidedBy: string
  trace: string[]
  reason?: string
  /** the base chains evaluated, e.g. "inet nixos-fw input" */
  baseChains: string[]
}

/** Tables that iptables-nft owns; they are judged from `iptables -S` instead, which reads their xt matches. */
export function isIptablesNftTable(family: string, table: string): boolean {
  return (family === 'ip' || family === 'ip6') && ['filter', 'nat', 'mangle', 'raw', 'security'].includes(table)
}

export function evaluateNft(ruleset: NftRuleset, packet: Packet, options: {skipTable?: (family: string, table: string) => boolean} = {}): NftEvaluation {
  const base = ruleset.chains
    .filter((c) => c.hook === 'input' && (c.family === 'ip' || c.family === 'inet') && c.type !== 'nat' && !options.skipTable?.(c.family, c.table))
    .sort((a, b) => (a.prio ?? 0) - (b.prio ?? 0))
  const trace: string[] = []
  const baseChains = base.map((c) => `${c.family} ${c.table} ${c.name}`)
  let lastAccept = ''
  for (const chain of base) {
    const find = (name: string) => ruleset.chains.find((c) => c.family === chain.family && c.table === chain.table && c.name === name)
    const stack: {chain: NftChain; next: number}[] = [{chain, next: 0}]
    let outcome: 'accept' | 'drop' | undefined
    let steps = 0
    while (stack.length > 0 && !outcome) {
      const frame = stack[stack.length - 1]!
      if (frame.next >= frame.chain.rules.length) {
        stack.pop()
        if (stack.length === 0) {
          const policy = chain.policy ?? 'accept'
          const line = `${chain.family} ${chain.table} ${chain.name}: policy ${policy}`
          trace.push(line)
          if (policy === 'drop') return {verdict: 'blocked', decidedBy: line, trace, baseChains}
          lastAccept = line
          outcome = 'accept'
        }
        continue
      }
      const rule = frame.chain.rules[frame.next++]!
      if (++steps > 100_000) return {verdict: 'unknown', decidedBy: rule.text, trace, reason: 'the rules loop', baseChains}
      const r = evaluateNftRule(rule, packet)
      if (r.kind === 'nomatch') continue
      trace.push(rule.text)
      if (r.kind === 'unknown') return {verdict: 'unknown', decidedBy: rule.text, trace, reason: `hydra cannot judge ${r.reason}`, baseChains}
      const v = r.verdict
      if (v.kind === 'accept') {
        lastAccept = rule.text
        outcome = 'accept'
      } else if (v.kind === 'drop') return {verdict: 'blocked', decidedBy: rule.text, trace, baseChains}
      else if (v.kind === 'return') stack.pop()
      else if (v.kind === 'continue') continue
      else {
        const target = find(v.target ?? '')
        if (!target) return {verdict: 'unknown', decidedBy: rule.text, trace, reason: `chain ${v.target} not found`, baseChains}
        if (v.kind === 'goto') stack.pop()
        stack.push({chain: target, next: 0})
      }
      if (stack.length === 0 && !outcome) {
        const policy = chain.policy ?? 'accept'
        if (policy === 'drop') return {verdict: 'blocked', decidedBy: `${chain.family} ${chain.table} ${chain.name}: policy drop`, trace, baseChains}
        outcome = 'accept'
        lastAccept = `${chain.family} ${chain.table} ${chain.name}: policy accept`
      }
    }
  }
  return {verdict: 'allowed', decidedBy: lastAccept || 'no nftables base chain on the input hook', trace, baseChains}
}
