/**
 * iptables rules as `iptables -S` prints them, and an evaluator that follows a new TCP connection
 * through the filter table's INPUT chain: jumps, gotos, RETURN, chain policies, and the matches
 * NixOS's firewall and hand-written rules use (-p, --dport/--dports, -s/-d CIDR, -i, conntrack
 * state, comments). Anything else makes the answer UNKNOWN, naming the rule and the match. Pure.
 */
import {MATCH, NOMATCH, fromBool, interfaceMatches, ipv4InCidr, negate, unknown, type MatchResult, type Packet, type Verdict} from './packet.js'

export interface IptablesRule {
  chain: string
  /** 1-based position in its chain */
  index: number
  /** the `-A …` line as printed */
  text: string
  tokens: string[]
  target?: string
  /** -g (goto) instead of -j */
  goto: boolean
  comment?: string
}

export interface IptablesRuleset {
  policies: Record<string, string>
  chains: Map<string, IptablesRule[]>
}

/** Split an iptables -S line into words, honouring the double quotes iptables puts around comments. */
export function tokenizeRule(line: string): string[] {
  // most lines have no quotes: split them at once (the walk below cost ~1 µs a character, 45 ms
  // of a 30-node doctor's CPU in its profile)
  if (!line.includes('"')) return line.split(/\s+/).filter((w) => w !== '')
  const out: string[] = []
  let cur = ''
  let quoted = false
  let has = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i]
      else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') {
      quoted = true
      has = true
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
      has = true
    }
  }
  if (has || cur) out.push(cur)
  return out
}

export function parseIptablesS(text: string): IptablesRuleset {
  const policies: Record<string, string> = {}
  const chains = new Map<string, IptablesRule[]>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const tokens = tokenizeRule(line)
    const [op, chain] = tokens
    if (!chain) continue
    if (op === '-P') {
      policies[chain] = tokens[2] ?? 'ACCEPT'
      if (!chains.has(chain)) chains.set(chain, [])
    } else if (op === '-N') {
      if (!chains.has(chain)) chains.set(chain, [])
    } else if (op === '-A') {
      const list = chains.get(chain) ?? []
      chains.set(chain, list)
      const body = tokens.slice(2)
      let target: string | undefined
      let goto = false
      let comment: string | undefined
      for (let i = 0; i < body.length; i++) {
        if (body[i] === '-j' || body[i] === '--jump') target = body[i + 1]
        if (body[i] === '-g' || body[i] === '--goto') {
          target = body[i + 1]
          goto = true
        }
        if (body[i] === '--comment') comment = body[i + 1]
      }
      list.push({chain, index: list.length + 1, text: line, tokens: body, target, goto, comment})
    }
  }
  return {policies, chains}
}

function portInSpec(port: number, spec: string): MatchResult {
  for (const part of spec.split(',')) {
    const [a, b] = part.split(':')
    const lo = a === '' || a === undefined ? 0 : Number(a)
    const hi = b === undefined ? lo : b === '' ? 65535 : Number(b)
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return unknown(`cannot read port ${spec}`)
    if (port >= lo && port <= hi) return MATCH
  }
  return NOMATCH
}

/** Options that take no value, per match module, so the option walker knows where the next one starts. */
const FLAG_OPTIONS = new Set(['--syn'])
/** Matches that say nothing about whether our packet matches (or always hold for it). */
const NEUTRAL_MODULES = new Set(['tcp', 'comment', 'multiport', 'conntrack', 'state', 'pkttype'])

/** Does one rule's match part hold for the packet? */
export function ruleMatches(rule: IptablesRule, packet: Packet): MatchResult {
  const t = rule.tokens
  let result: MatchResult = MATCH
  const and = (m: MatchResult): boolean => {
    if (m.kind === 'nomatch') {
      result = NOMATCH
      return false
    }
    if (m.kind === 'unknown' && result.kind === 'match') result = m
    return true
  }
  let negated = false
  for (let i = 0; i < t.length; i++) {
    const opt = t[i]!
    if (opt === '!') {
      negated = true
      continue
    }
    const value = t[i + 1]
    const take = (m: MatchResult): MatchResult => {
      const r = negated ? negate(m) : m
      negated = false
      return r
    }
    let m: MatchResult | undefined
    switch (opt) {
      case '-j':
      case '--jump':
      case '-g':
      case '--goto':
        // target and its options end the match part
        return result
      case '-p':
      case '--protocol': {
        const p = (value ?? '').toLowerCase()
        m = take(fromBool(p === 'tcp' || p === '6' || p === 'all' || p === '0'))
        i++
        break
      }
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const addr = opt.startsWith('-s') || opt === '--source' ? packet.source : packet.destination
        const specs = (value ?? '').split(',')
        const ms = specs.map((c) => ipv4InCidr(addr, c))
        m = take(ms.some((x) => x.kind === 'match') ? MATCH : ms.find((x) => x.kind === 'unknown') ?? NOMATCH)
        i++
        break
      }
      case '-i':
      case '--in-interface':
        m = take(interfaceMatches(packet.inInterface, value ?? ''))
        i++
        break
      case '-o':
      case '--out-interface':
        // INPUT packets have no output interface; iptables refuses -o in INPUT, but a user chain may carry it
        m = take(NOMATCH)
        i++
        break
      case '-m':
      case '--match':
        if (!NEUTRAL_MODULES.has(value ?? '')) {
          // an unknown module: its options follow; judge it unknown and skip them
          m = unknown(`match -m ${value} (${describeModule(t, i)})`)
          negated = false
          i++
          while (i + 1 < t.length && t[i + 1]!.startsWith('--') && !['--jump', '--goto'].includes(t[i + 1]!)) {
            i++
            if (!FLAG_OPTIONS.has(t[i]!) && i + 1 < t.length && !t[i + 1]!.startsWith('-')) i++
          }
        } else i++
        break
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
        m = take(portInSpec(packet.destinationPort, value ?? ''))
        i++
        break
      case '--ports':
        // multiport --ports matches source OR destination port; our source port is unknown but ephemeral
        m = take(portInSpec(packet.destinationPort, value ?? '').kind === 'match' ? MATCH : unknown('--ports also matches the (unknown) source port'))
        i++
        break
      case '--sport':
      case '--source-port':
      case '--sports':
      case '--source-ports':
        m = take(unknown(`${opt} ${value}: hydra's source port is ephemeral and unknown`))
        i++
        break
      case '--ctstate':
      case '--state': {
        const states = (value ?? '').toUpperCase().split(',')
        // the connection hydra opens is NEW
        m = take(fromBool(states.includes('NEW')))
        i++
        break
      }
      case '--syn':
        m = take(MATCH)
        break
      case '--tcp-flags': {
        const mask = (t[i + 1] ?? '').toUpperCase().split(',')
        const set = (t[i + 2] ?? '').toUpperCase().split(',')
        // the first packet of a connection has SYN set and nothing else
        const flags = new Set(['SYN'])
        const all = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']
        const maskSet = mask.includes('ALL') ? all : mask.filter((f) => f !== 'NONE')
        const wanted = set.includes('ALL') ? all : set.filter((f) => f !== 'NONE')
        m = take(fromBool(maskSet.every((f) => flags.has(f) === wanted.includes(f))))
        i += 2
        break
      }
      case '--pkt-type':
        m = take(fromBool((value ?? '') === 'unicast'))
        i++
        break
      case '--comment':
        negated = false
        i++
        break
      case '--ctdir':
        m = take(fromBool((value ?? '').toUpperCase() === 'ORIGINAL'))
        i++
        break
      default:
        if (opt.startsWith('-')) {
          m = take(unknown(`option ${opt}${value && !value.startsWith('-') ? ' ' + value : ''}`))
          if (value && !value.startsWith('-')) i++
        }
    }
    if (m && !and(m)) return NOMATCH
  }
  return result
}

function describeModule(t: string[], i: number): string {
  const opts: string[] = []
  for (let j = i + 2; j < t.length && !['-j', '-g', '-m'].includes(t[j]!); j++) opts.push(t[j]!)
  return opts.join(' ') || 'no options'
}

export interface EvaluationStep {
  chain: string
  rule: string
}

export interface Evaluation {
  verdict: Verdict
  /** the rule (or policy line) that decided, as iptables prints it */
  decidedBy: string
  /** the rules that matched on the way, jumps included, ending with the deciding one */
  trace: string[]
  /** why the answer is unknown */
  reason?: string
}

const NON_TERMINATING = new Set(['LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'CLASSIFY', 'TRACE', 'AUDIT', 'NOTRACK', 'CT', 'TCPMSS', 'SET', 'NETMAP', 'CHECKSUM', 'TOS', 'DSCP', 'TTL', 'HL', 'SECMARK', 'CONNSECMARK', 'IDLETIMER', 'LED'])

/** Follow the packet from `chain` (INPUT) to a verdict. */
export function evaluateIptables(ruleset: IptablesRuleset, packet: Packet, startChain = 'INPUT'): Evaluation {
  const trace: string[] = []
  // frames of the chain stack: chain name and the index to resume at
  interface Frame {
    chain: string
    next: number
  }
  const stack: Frame[] = [{chain: startChain, next: 0}]
  let steps = 0
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const rules = ruleset.chains.get(frame.chain) ?? []
    if (frame.next >= rules.length) {
      stack.pop()
      if (stack.length === 0) {
        // the end of the built-in chain (reached directly or via -g): its policy decides
        const policy = ruleset.policies[startChain] ?? 'ACCEPT'
        const line = `-P ${startChain} ${policy}`
        trace.push(line)
        return {verdict: policy === 'ACCEPT' ? 'allowed' : 'blocked', decidedBy: line, trace}
      }
      continue
    }
    const rule = rules[frame.next++]!
    if (++steps > 100_000) return {verdict: 'unknown', decidedBy: rule.text, trace, reason: 'the rules loop'}
    const target = rule.target
    if (target === undefined) continue // a counting rule without a target
    if (NON_TERMINATING.has(target)) continue // LOG and friends never decide, whatever they match
    const m = ruleMatches(rule, packet)
    if (m.kind === 'nomatch') continue
    if (m.kind === 'unknown') {
      trace.push(rule.text)
      return {verdict: 'unknown', decidedBy: rule.text, trace, reason: `hydra cannot judge ${m.reason}`}
    }
    trace.push(rule.text)
    switch (target) {
      case 'ACCEPT':
        return {verdict: 'allowed', decidedBy: rule.text, trace}
      case 'DROP':
      case 'REJECT':
        return {verdict: 'blocked', decidedBy: rule.text, trace}
      case 'RETURN':
        stack.pop()
        if (stack.length === 0) {
          const policy = ruleset.policies[startChain] ?? 'ACCEPT'
          trace.push(`-P ${startChain} ${policy}`)
          return {verdict: policy === 'ACCEPT' ? 'allowed' : 'blocked', decidedBy: rule.text, trace}
        }
        continue
      default:
        if (!ruleset.chains.has(target)) return {verdict: 'unknown', decidedBy: rule.text, trace, reason: `target ${target} is neither a chain nor a target hydra knows`}
        if (stack.length > 64) return {verdict: 'unknown', decidedBy: rule.text, trace, reason: 'chains nest deeper than 64'}
        // -g: RETURN from the target goes back to our caller, so the current frame is replaced
        if (rule.goto) stack.pop()
        stack.push({chain: target, next: 0})
    }
  }
  return {verdict: 'unknown', decidedBy: '', trace, reason: 'no verdict'}
}
