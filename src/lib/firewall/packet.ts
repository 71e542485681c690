/**
 * The packet the firewall evaluators judge: the first packet (SYN) of a new TCP connection from
 * hydra's source to an exporter port on the node. A match is a three-valued answer, because a rule
 * may test something hydra cannot know from outside (an ipset, a rate limit, a MAC address).
 */
export interface Packet {
  protocol: 'tcp'
  source: string
  destination: string
  destinationPort: number
  /** 'lo' when the source is a loopback address; undefined: some interface that is not lo */
  inInterface?: string
}

export type MatchResult = {kind: 'match'} | {kind: 'nomatch'} | {kind: 'unknown'; reason: string}
export const MATCH: MatchResult = {kind: 'match'}
export const NOMATCH: MatchResult = {kind: 'nomatch'}
export const unknown = (reason: string): MatchResult => ({kind: 'unknown', reason})
export const fromBool = (b: boolean): MatchResult => (b ? MATCH : NOMATCH)
export const negate = (m: MatchResult): MatchResult => (m.kind === 'unknown' ? m : m.kind === 'match' ? NOMATCH : MATCH)

export function ipv4ToInt(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address)
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

/** `addr`, `addr/len` or `addr/dotted-mask` against an IPv4 address. */
export function ipv4InCidr(address: string, cidr: string): MatchResult {
  const [net, maskText] = cidr.split('/')
  const a = ipv4ToInt(address)
  const n = ipv4ToInt(net ?? '')
  if (a === undefined) return unknown(`${address} is not an IPv4 address`)
  if (n === undefined) return unknown(`cannot judge address ${cidr}`)
  let mask: number
  if (maskText === undefined) mask = 0xffffffff
  else if (/^\d+$/.test(maskText) && Number(maskText) <= 32) mask = Number(maskText) === 0 ? 0 : (0xffffffff << (32 - Number(maskText))) >>> 0
  else {
    const m = ipv4ToInt(maskText)
    if (m === undefined) return unknown(`cannot judge address ${cidr}`)
    mask = m
  }
  return fromBool(((a & mask) >>> 0) === ((n & mask) >>> 0))
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1'
}

/** The interface a packet from `source` arrives on, as far as hydra can tell without asking the node. */
export function inInterfaceFor(source: string, destination: string): string | undefined {
  return isLoopback(source) || source === destination ? 'lo' : undefined
}

export function interfaceMatches(packetIface: string | undefined, pattern: string): MatchResult {
  // iptables: a trailing + is a prefix wildcard (eth+)
  const matches = (iface: string) => (pattern.endsWith('+') ? iface.startsWith(pattern.slice(0, -1)) : iface === pattern)
  if (packetIface !== undefined) return fromBool(matches(packetIface))
  if (matches('lo')) return NOMATCH // the packet is known not to come in on lo
  return unknown(`hydra cannot tell which interface its traffic arrives on (rule matches interface ${pattern})`)
}

export type Verdict = 'allowed' | 'blocked' | 'unknown'
