/**
 * The lab's safety interlock: it runs only inside a network namespace whose one interface is
 * loopback, so no address a config names (192.168.x, public) can ever leave the machine.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

export const NETNS_HINT =
  'run it inside a loopback-only network namespace, e.g.:\n' +
  '  ip netns add hydra-lab-$$ && ip netns exec hydra-lab-$$ ip link set lo up && ip netns exec hydra-lab-$$ <command>; ip netns del hydra-lab-$$\n' +
  'or: npx tsx test/lab/cli.ts --netns run -- <command>'

/** Interface names of this process's network namespace (/proc/net is per namespace). */
function interfacesFromProc(): string[] {
  const text = readFileSync('/proc/net/dev', 'utf8')
  return text
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim())
    .filter((s): s is string => Boolean(s))
}

interface IpLink {
  name: string
  up: boolean
}

/** `ip -o link` (netlink, so it also sees this process's namespace); undefined if `ip` is missing. */
function interfacesFromIp(): IpLink[] | undefined {
  const r = spawnSync('ip', ['-o', 'link'], {encoding: 'utf8'})
  if (r.error || r.status !== 0) return undefined
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      // "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 …"
      const m = /^\d+:\s+([^:@\s]+)(?:@[^:]*)?:\s+<([^>]*)>/.exec(line)
      return {name: m?.[1] ?? line, up: (m?.[2] ?? '').split(',').includes('UP')}
    })
}

/** Throws unless this process runs in a network namespace whose only interface is an up `lo`. */
export function assertIsolatedNetns(): void {
  const fromProc = interfacesFromProc()
  const others = fromProc.filter((n) => n !== 'lo')
  if (others.length > 0 || !fromProc.includes('lo'))
    throw new Error(
      `the hydra test lab refuses to start: this process's network namespace has interfaces besides lo (${others.join(', ')}); ${NETNS_HINT}`,
    )
  const links = interfacesFromIp()
  if (links) {
    const extra = links.filter((l) => l.name !== 'lo')
    if (extra.length > 0)
      throw new Error(`the hydra test lab refuses to start: ip -o link lists ${extra.map((l) => l.name).join(', ')} besides lo; ${NETNS_HINT}`)
    if (!links.find((l) => l.name === 'lo')?.up)
      throw new Error('the hydra test lab refuses to start: lo is down in this namespace; run `ip link set lo up` inside it first')
  }
}
