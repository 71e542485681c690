import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {combineVerdicts, detectBackend, lastConditionalRule, splitConnectionAndVersion} from '../../../src/lib/firewall/check.js'
import {evaluateIptables, parseIptablesS, tokenizeRule} from '../../../src/lib/firewall/iptables.js'
import {evaluateNft, isIptablesNftTable, parseNftJson} from '../../../src/lib/firewall/nftables.js'
import type {Packet} from '../../../src/lib/firewall/packet.js'

const fx = (f: string) => readFileSync(join(import.meta.dirname, '../../fixtures/firewall', f), 'utf8')
const pkt = (destinationPort: number, over: Partial<Packet> = {}): Packet => ({protocol: 'tcp', source: '127.0.0.1', destination: '127.0.0.3', destinationPort, inInterface: 'lo', ...over})

describe('iptables -S (real output, NixOS-style chains from the lab)', () => {
  const rules = parseIptablesS(fx('iptables-nixos-lab.txt'))
  it('parses policies, chains and quoted comments', () => {
    expect(rules.policies.INPUT).toBe('ACCEPT')
    expect([...rules.chains.keys()]).toEqual(expect.arrayContaining(['INPUT', 'nixos-fw', 'nixos-fw-accept', 'nixos-fw-refuse', 'nixos-fw-log-refuse']))
    expect(tokenizeRule('-A x -m comment --comment "a b" -j LOG --log-prefix "refused connection: "')).toEqual(['-A', 'x', '-m', 'comment', '--comment', 'a b', '-j', 'LOG', '--log-prefix', 'refused connection: '])
  })
  it('splits an unquoted line at any run of whitespace, as the quoted walk does', () => {
    expect(tokenizeRule('  -A nixos-fw\t-p tcp   --dport 9100 -j nixos-fw-accept ')).toEqual(['-A', 'nixos-fw', '-p', 'tcp', '--dport', '9100', '-j', 'nixos-fw-accept'])
    expect(tokenizeRule('-A x -m comment --comment "" -j ACCEPT')).toEqual(['-A', 'x', '-m', 'comment', '--comment', '', '-j', 'ACCEPT'])
    // every unquoted line of the captured lab ruleset splits to the words the walk gives
    for (const line of fx('iptables-nixos-lab.txt').split('\n').filter((l) => l.trim() && !l.includes('"')))
      expect(tokenizeRule(line)).toEqual(tokenizeRule(`${line} -m comment --comment "x"`).slice(0, -4))
  })
  it('an allowed port goes INPUT → nixos-fw → nixos-fw-accept', () => {
    const e = evaluateIptables(rules, pkt(9100))
    expect(e.verdict).toBe('allowed')
    expect(e.trace).toEqual(['-A INPUT -d 127.0.0.3/32 -j nixos-fw', '-A nixos-fw -p tcp -m tcp --dport 9100 -m comment --comment node-exporter -j nixos-fw-accept', '-A nixos-fw-accept -j ACCEPT'])
    expect(lastConditionalRule(e.trace)).toContain('--dport 9100')
  })
  it('a closed port falls to nixos-fw-log-refuse (LOG does not decide) → nixos-fw-refuse DROP', () => {
    const e = evaluateIptables(rules, pkt(9999))
    expect(e).toMatchObject({verdict: 'blocked', decidedBy: '-A nixos-fw-refuse -j DROP'})
    expect(e.trace).toContain('-A nixos-fw-log-refuse -j nixos-fw-refuse')
  })
  it('another address skips nixos-fw and meets the ACCEPT policy', () => {
    expect(evaluateIptables(rules, pkt(9999, {destination: '127.0.0.2'}))).toMatchObject({verdict: 'allowed', decidedBy: '-P INPUT ACCEPT'})
  })
  it('the inserted DROP rule decides first', () => {
    const e = evaluateIptables(parseIptablesS(fx('iptables-nixos-lab-drop-9100.txt')), pkt(9100))
    expect(e.verdict).toBe('blocked')
    expect(e.decidedBy).toMatch(/^-A INPUT -d 127\.0\.0\.3\/32 -p tcp -m tcp --dport 9100 .*-j DROP$/)
  })
})

describe('iptables evaluator semantics', () => {
  const ev = (text: string, p: Packet = pkt(9100, {source: '192.168.1.10', destination: '192.168.1.203', inInterface: undefined})) => evaluateIptables(parseIptablesS(text), p)
  it('RETURN goes back to the caller; -g returns to the caller of the caller; policy DROP', () => {
    expect(ev('-P INPUT DROP\n-N a\n-A INPUT -j a\n-A a -p tcp --dport 9100 -j RETURN\n-A a -j ACCEPT\n').verdict).toBe('blocked')
    expect(ev('-P INPUT DROP\n-N a\n-N b\n-A INPUT -j a\n-A INPUT -j ACCEPT\n-A a -g b\n-A a -j DROP\n-A b -j RETURN\n').decidedBy).toBe('-A INPUT -j ACCEPT')
  })
  it('multiport, CIDR, negation, conntrack NEW, -i lo for a LAN source', () => {
    expect(ev('-P INPUT DROP\n-A INPUT -p tcp -m multiport --dports 22,9000:9200 -j ACCEPT\n').verdict).toBe('allowed')
    expect(ev('-P INPUT DROP\n-A INPUT -s 192.168.1.0/24 -j ACCEPT\n').verdict).toBe('allowed')
    expect(ev('-P INPUT DROP\n-A INPUT ! -s 192.168.1.0/24 -j ACCEPT\n').verdict).toBe('blocked')
    expect(ev('-P INPUT DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n').verdict).toBe('blocked')
    expect(ev('-P INPUT DROP\n-A INPUT -m state --state NEW -p tcp --dport 9100 -j ACCEPT\n').verdict).toBe('allowed')
    expect(ev('-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n').verdict).toBe('blocked')
    expect(ev('-P INPUT DROP\n-A INPUT -p udp --dport 9100 -j ACCEPT\n').verdict).toBe('blocked')
  })
  it('UNKNOWN names the rule and the match it cannot judge', () => {
    const e = ev('-P INPUT DROP\n-A INPUT -m set --match-set trusted src -j ACCEPT\n')
    expect(e.verdict).toBe('unknown')
    expect(e.decidedBy).toBe('-A INPUT -m set --match-set trusted src -j ACCEPT')
    expect(e.reason).toContain('-m set')
    expect(ev('-P INPUT DROP\n-A INPUT -i eth0 -j ACCEPT\n').reason).toContain('interface eth0')
  })
})

describe('nft -j list ruleset (real output)', () => {
  it('NixOS nftables firewall: ct state vmap → input-allow; lo accept; policy drop', () => {
    const rs = parseNftJson(fx('nft-nixos-nftables.json'))
    const lan = {source: '192.168.1.10', destination: '192.168.1.203', inInterface: undefined}
    const ok = evaluateNft(rs, pkt(9100, lan))
    expect(ok.verdict).toBe('allowed')
    expect(ok.decidedBy).toContain('input-allow')
    expect(ok.decidedBy).toContain('node-exporter')
    const closed = evaluateNft(rs, pkt(9999, lan))
    expect(closed).toMatchObject({verdict: 'blocked', decidedBy: 'inet nixos-fw input: policy drop'})
    expect(evaluateNft(rs, pkt(9999)).decidedBy).toContain('trusted interfaces')
    expect(ok.baseChains).toEqual(['inet nixos-fw input'])
  })
  it('the iptables-nft tables are recognised and can be skipped in favour of iptables -S', () => {
    const rs = parseNftJson(fx('nft-iptables-nft-lab.json'))
    expect(rs.chains.some((c) => isIptablesNftTable(c.family, c.table) && c.hook === 'input')).toBe(true)
    expect(evaluateNft(rs, pkt(9100), {skipTable: isIptablesNftTable}).baseChains).toEqual([])
  })
})

describe('backend detection and combination', () => {
  it('reads the session addresses and iptables -V from one session', () => {
    expect(splitConnectionAndVersion('127.0.0.1 45050 127.0.0.3 22\niptables v1.8.9 (nf_tables)\n', 0)).toEqual({connection: '127.0.0.1 45050 127.0.0.3 22', version: 'iptables v1.8.9 (nf_tables)'})
    // no iptables on the node: the shell's 127, the addresses still read
    expect(splitConnectionAndVersion('10.0.0.5 50000 10.0.0.9 22\n', 127)).toEqual({connection: '10.0.0.5 50000 10.0.0.9 22'})
    expect(splitConnectionAndVersion('10.0.0.5 50000 10.0.0.9 22\n', 0)).toEqual({connection: '10.0.0.5 50000 10.0.0.9 22'})
    expect(splitConnectionAndVersion('', 0)).toEqual({connection: ''})
  })
  it('names the backend from iptables -V and nft', () => {
    expect(detectBackend(fx('iptables-version-nft.txt'), false)).toBe('iptables-nft')
    expect(detectBackend(fx('iptables-version-legacy.txt'), false)).toBe('iptables-legacy')
    expect(detectBackend(undefined, true)).toBe('nftables')
    expect(detectBackend(fx('iptables-version-nft.txt'), true)).toBe('iptables-nft+nftables')
  })
  it('a block in any ruleset wins', () => {
    const allowed = {verdict: 'allowed' as const, decidedBy: 'a', trace: ['a']}
    const blocked = {verdict: 'blocked' as const, decidedBy: 'b', trace: ['b']}
    expect(combineVerdicts([{name: 'iptables', evaluation: allowed}, {name: 'nftables', evaluation: {...blocked, baseChains: []}}]).decidedBy).toBe('b')
  })
})
