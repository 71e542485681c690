/**
 * Node addresses may be DNS names (the normal case outside a homelab). hydra resolves each name
 * once per run (the answers are cached for the life of the process) and compares hosts by every
 * address they resolve to: a listening socket on 127.0.0.3 serves `compute.lab`, and a Prometheus
 * target `compute.lab:9100` is the exporter the config calls `127.0.0.3:9100`.
 */
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'

const cache = new Map<string, Promise<string[]>>()
const resolved = new Map<string, string[]>()

const strip = (host: string) => host.replace(/^\[(.*)\]$/, '$1').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1').toLowerCase()

/** Every address `host` resolves to (itself for an IP literal; [] when it does not resolve in time). */
export function resolveHost(host: string, timeoutMs = 3000): Promise<string[]> {
  const h = strip(host)
  if (isIP(h)) return Promise.resolve([h])
  let p = cache.get(h)
  if (!p) {
    let timer: NodeJS.Timeout | undefined
    p = Promise.race([
      lookup(h, {all: true, verbatim: true}).then((r) => [...new Set(r.map((a) => strip(a.address)))]),
      new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), timeoutMs)
        timer.unref()
      }),
    ])
      .catch(() => [] as string[])
      .then((addresses) => {
        clearTimeout(timer)
        resolved.set(h, addresses)
        return addresses
      })
    cache.set(h, p)
  }
  return p
}

/** Resolve many hosts at once (once each per run). */
export async function resolveHosts(hosts: Iterable<string>, timeoutMs?: number): Promise<void> {
  await Promise.all([...new Set(hosts)].map((h) => resolveHost(h, timeoutMs)))
}

/** The addresses already resolved for `host` (synchronous: after resolveHost/resolveHosts); an IP is itself. */
export function knownAddresses(host: string): string[] {
  const h = strip(host)
  if (isIP(h)) return [h]
  return resolved.get(h) ?? []
}

/** The host and everything it is known to resolve to. */
export function hostAliases(host: string): string[] {
  return [...new Set([strip(host), ...knownAddresses(host)])]
}

/** Two host strings name the same machine: equal, or they share a resolved address. Synchronous, pure over what was resolved. */
export function sameHost(a: string, b: string): boolean {
  const x = strip(a)
  const y = strip(b)
  if (x === y) return true
  const ax = hostAliases(x)
  return hostAliases(y).some((addr) => ax.includes(addr))
}

/** A stable key for a host: its lowest resolved address, else the host itself. */
export function canonicalHost(host: string): string {
  const addrs = knownAddresses(host)
  return addrs.length ? [...addrs].sort()[0]! : strip(host)
}

/** For tests: forget every answer. */
export function forgetResolvedHosts(): void {
  cache.clear()
  resolved.clear()
}

/** For unit tests: pretend `host` resolves to `addresses`. */
export function seedResolvedHost(host: string, addresses: string[]): void {
  const h = strip(host)
  resolved.set(h, addresses.map(strip))
  cache.set(h, Promise.resolve(addresses.map(strip)))
}
