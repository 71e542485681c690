/**
 * Parsers for the node-side facts exporter status needs: `ss -ltnH` (listening TCP sockets) and
 * `ps -eo pid,comm,args` (the process table). Pure.
 */
export interface ListeningSocket {
  /** as ss prints it, without brackets or %interface: 0.0.0.0, ::, *, 127.0.0.3, fe80::1 */
  address: string
  port: number
  /** the Local Address:Port column as printed */
  local: string
  /** PIDs owning the socket (`ss -p`: only visible for the login user's processes, or all as root) */
  pids?: number[]
}

/** `ss -ltnH` (and `ss -ltnpH`, with owners): State Recv-Q Send-Q Local:Port Peer:Port [Process: users:(("name",pid=N,fd=M),…)]. */
export function parseSsListening(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 5 || cols[0] !== 'LISTEN') continue
    const local = cols[3]!
    const colon = local.lastIndexOf(':')
    if (colon <= 0) continue
    const port = Number(local.slice(colon + 1))
    if (!Number.isInteger(port)) continue
    let address = local.slice(0, colon)
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
    address = address.replace(/%.*$/, '')
    const pids = [...cols.slice(5).join(' ').matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]))
    sockets.push({address, port, local, ...(pids.length ? {pids} : {})})
  }
  return sockets
}

const WILDCARDS = new Set(['0.0.0.0', '::', '*', '::ffff:0.0.0.0'])

/** The socket that serves `port` to clients connecting to `nodeAddresses` (the node's address or a wildcard). */
export function findListener(sockets: ListeningSocket[], port: number, nodeAddresses: string[]): ListeningSocket | undefined {
  const onPort = sockets.filter((s) => s.port === port)
  return onPort.find((s) => WILDCARDS.has(s.address)) ?? onPort.find((s) => nodeAddresses.includes(s.address) || nodeAddresses.includes(s.address.replace(/^::ffff:/, '')))
}

/** Sockets a process listens on that serve `nodeAddresses` (or every address): where the exporter really is. */
export function listenersOfPids(sockets: ListeningSocket[], pids: number[], nodeAddresses: string[]): ListeningSocket[] {
  return sockets.filter(
    (s) => s.pids?.some((p) => pids.includes(p)) && (WILDCARDS.has(s.address) || nodeAddresses.includes(s.address) || nodeAddresses.includes(s.address.replace(/^::ffff:/, ''))),
  )
}

/** Sockets on the port that exist but serve only other addresses (e.g. 127.0.0.1 when Prometheus scrapes the LAN address). */
export function listenersElsewhere(sockets: ListeningSocket[], port: number): ListeningSocket[] {
  return sockets.filter((s) => s.port === port)
}

export interface ProcessEntry {
  pid: number
  comm: string
  args: string
}

/** `ps -eo pid,comm,args`: a header line, then PID, the 15-char comm, and the full command line. */
export function parsePsTable(text: string): ProcessEntry[] {
  const out: ProcessEntry[] = []
  for (const line of text.split('\n').slice(1)) {
    const m = /^\s*(\d+)\s+(\S+)\s*(.*)$/.exec(line)
    if (m) out.push({pid: Number(m[1]), comm: m[2]!, args: m[3]!.trim()})
  }
  return out
}

/**
 * Processes that are the named program. The kernel cuts comm to 15 characters
 * ("prometheus-node-exporter" → "prometheus-node"), so a longer name is matched on the first
 * 15 characters of comm or on the basename of the first argument.
 */
export function findProcesses(table: ProcessEntry[], name: string): ProcessEntry[] {
  return table.filter((p) => {
    if (p.comm === name || (name.length > 15 && p.comm === name.slice(0, 15))) return true
    const argv0 = p.args.split(/\s+/)[0] ?? ''
    return argv0.split('/').pop() === name
  })
}
