/**
 * REAL iptables rules in the lab's network namespace, modelled on what NixOS's firewall module
 * generates (nixos/modules/services/networking/firewall-iptables.nix): INPUT → nixos-fw, which
 * accepts loopback, established traffic and the allowed TCP ports through nixos-fw-accept and
 * sends everything else to nixos-fw-log-refuse → nixos-fw-refuse.
 *
 * The lab's nodes are addresses on lo, so NixOS's `-i lo -j nixos-fw-accept` would accept every
 * lab packet before the port rules. The lab therefore applies nixos-fw only to traffic for the
 * NixOS nodes' addresses (`-A INPUT -d 127.0.0.3/32 -j nixos-fw`) and keeps the loopback rule
 * for 127.0.0.1 (the "machine itself"); that way the chain is NixOS's and the lab's own traffic
 * (Prometheus scrapes, SSH, the stand-ins) still flows through the allowed ports.
 *
 * Refuses to touch iptables outside the isolated namespace.
 */
import {spawnSync} from 'node:child_process'

import {assertIsolatedNetns} from './netns.js'

export const NIXOS_CHAINS = ['nixos-fw', 'nixos-fw-accept', 'nixos-fw-refuse', 'nixos-fw-log-refuse'] as const

export interface LabFirewallOptions {
  /** addresses of the NixOS lab nodes whose traffic goes through nixos-fw */
  nixosAddresses: string[]
  /** networking.firewall.allowedTCPPorts of those nodes */
  allowedTcpPorts: number[]
}

export function iptables(args: string[], options: {allowFail?: boolean} = {}): string {
  const r = spawnSync('iptables', ['-w', '5', ...args], {encoding: 'utf8'})
  if (r.error) throw new Error(`iptables ${args.join(' ')}: ${r.error.message}`)
  if (r.status !== 0 && !options.allowFail) throw new Error(`iptables ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`)
  return r.stdout
}

/** The iptables commands of the lab's NixOS-style firewall, in order. */
export function labFirewallCommands(options: LabFirewallOptions): string[][] {
  const cmds: string[][] = NIXOS_CHAINS.map((c) => ['-N', c])
  cmds.push(
    ['-A', 'nixos-fw-accept', '-j', 'ACCEPT'],
    ['-A', 'nixos-fw-refuse', '-j', 'DROP'],
    ['-A', 'nixos-fw-log-refuse', '-p', 'tcp', '--tcp-flags', 'FIN,SYN,RST,ACK', 'SYN', '-j', 'LOG', '--log-level', 'info', '--log-prefix', 'refused connection: '],
    ['-A', 'nixos-fw-log-refuse', '-m', 'pkttype', '!', '--pkt-type', 'unicast', '-j', 'nixos-fw-refuse'],
    ['-A', 'nixos-fw-log-refuse', '-j', 'nixos-fw-refuse'],
    ['-A', 'nixos-fw', '-i', 'lo', '-d', '127.0.0.1/32', '-j', 'nixos-fw-accept'],
    ['-A', 'nixos-fw', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'nixos-fw-accept'],
  )
  for (const port of options.allowedTcpPorts) {
    const comment = port === 9100 ? ['-m', 'comment', '--comment', 'node-exporter'] : []
    cmds.push(['-A', 'nixos-fw', '-p', 'tcp', '--dport', String(port), ...comment, '-j', 'nixos-fw-accept'])
  }
  cmds.push(['-A', 'nixos-fw', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'nixos-fw-accept'], ['-A', 'nixos-fw', '-j', 'nixos-fw-log-refuse'])
  for (const address of options.nixosAddresses) cmds.push(['-A', 'INPUT', '-d', `${address}/32`, '-j', 'nixos-fw'])
  return cmds
}

/** Remove the lab's rules (and any left by an earlier lab in a reused namespace). */
export function removeLabFirewall(): void {
  assertIsolatedNetns()
  // INPUT rules that jump to nixos-fw, then the chains themselves
  for (const line of iptables(['-S', 'INPUT']).split('\n')) {
    if (/-j nixos-fw$/.test(line)) iptables(['-D', ...line.replace(/^-A /, '').split(' ')], {allowFail: true})
  }
  for (const c of NIXOS_CHAINS) iptables(['-F', c], {allowFail: true})
  for (const c of NIXOS_CHAINS) iptables(['-X', c], {allowFail: true})
}

export function installLabFirewall(options: LabFirewallOptions): void {
  assertIsolatedNetns()
  removeLabFirewall()
  for (const args of labFirewallCommands(options)) iptables(args)
}

/** The lab's NixOS nodes (hydra-compute, hydra-ai) and the ports their NixOS config opens. */
export const LAB_NIXOS_FIREWALL: LabFirewallOptions = {
  nixosAddresses: ['127.0.0.3', '127.0.0.4'],
  // ssh, node exporter, GPU exporter, TabbyAPI, Ollama
  allowedTcpPorts: [22, 9100, 9835, 5000, 11434],
}
