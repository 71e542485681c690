/**
 * `hydra exporter status`: for every exporter of the chosen nodes, over one SSH connection per
 * node: what manages it and its state (systemd unit, container or process), whether its port is
 * listening on the node, and whether hydra itself can fetch its metrics over HTTP.
 * Runbook: Troubleshooting → Prometheus Target Down, step 1 ("check if exporter is running").
 */
import type {HydraConfig, ResolvedExporter, ResolvedNode} from '../config/resolve.js'
import {selectNodes} from '../config/nodes.js'
import {ExitCode, type ExitCodeValue} from '../errors.js'
import type {SshPool, SshSession} from '../clients/ssh.js'
import {parseContainerStateText, isNoSuchContainer, type ContainerStateInfo} from '../docker/inspect.js'
import {hostAliases, resolveHosts} from '../net/hosts.js'
import {remoteCommands} from '../ssh/commands.js'
import {isSshError, type SshError} from '../ssh/errors.js'
import {describeUnitState, parseSystemctlShow, parseSystemctlShowUnits, unitCondition, type ServiceCondition, type UnitState} from '../systemd/show.js'
import {findListener, findProcesses, listenersElsewhere, listenersOfPids, parsePsTable, parseSsListening, type ListeningSocket, type ProcessEntry} from './sockets.js'

export type ExporterCondition = ServiceCondition | 'unreachable'

export interface FetchResult {
  ok: boolean
  status?: number
  latencyMs: number
  detail: string
}

export interface ExporterStatusRow {
  id: string
  node: string
  exporter: string
  port: number
  url: string
  managedBy: ResolvedExporter['managedBy']
  /** the unit, container or process name */
  managedName: string
  state: ExporterCondition
  /** the state in the manager's own words, e.g. "ActiveState=inactive SubState=dead" */
  stateDetail: string
  systemd?: {loadState?: string; activeState?: string; subState?: string; mainPid?: number; execMainStatus?: number; result?: string}
  container?: ContainerStateInfo
  processes?: {pid: number; args: string}[]
  /** null: could not be checked (no SSH) */
  listening: boolean | null
  /** the exporter's own process listens, but on other ports than the config names (the config is wrong) */
  portMismatch?: {configured: number; listening: string[]; pids: number[]}
  listenAddress?: string
  listenDetail: string
  fetch: FetchResult
  ok: boolean
  problems: string[]
  hint?: string
  error?: {code: string; failure: string; message: string; hint?: string}
}

export interface ExporterStatusReport {
  rows: ExporterStatusRow[]
  summary: {total: number; ok: number; failing: number; nodesUnreachable: string[]}
  exitCode: ExitCodeValue
}

export interface ExporterStatusOptions {
  /** only these nodes (names); default all nodes with exporters */
  nodes?: string[]
  pool: SshPool
  /** HTTP fetch of /metrics; injected so the library stays testable */
  fetchMetrics: (exporter: ResolvedExporter) => Promise<FetchResult>
}

interface ManagerState {
  state: ServiceCondition
  stateDetail: string
  systemd?: ExporterStatusRow['systemd']
  container?: ContainerStateInfo
  processes?: {pid: number; args: string}[]
}

/** A unit's state from the node's shared `systemctl show` (unitStates), or from one of its own. */
type UnitStateOf = (unit: string, sudo: boolean) => Promise<UnitState | undefined>

async function managerState(session: SshSession, e: ResolvedExporter, sudo: boolean, processTable: () => Promise<ProcessEntry[]>, unitStateOf: UnitStateOf): Promise<ManagerState> {
  switch (e.managedBy) {
    case 'systemd': {
      const s = (await unitStateOf(e.unit!, sudo)) ?? parseSystemctlShow((await session.execOk(remoteCommands.systemdUnitState(e.unit!), {sudo})).stdout)
      const {properties: _all, ...systemd} = s
      return {state: unitCondition(s), stateDetail: describeUnitState(s), systemd}
    }
    case 'container': {
      const r = await session.exec(remoteCommands.containerState(e.container!), {sudo})
      if (r.exitCode !== 0 && isNoSuchContainer(r.stderr)) return {state: 'missing', stateDetail: `no container named ${e.container}`}
      if (r.exitCode !== 0) throw session.errorFor(r, sudo)
      const c = parseContainerStateText(r.stdout)
      const state: ServiceCondition = c.running ? (c.restarting ? 'starting' : 'running') : c.status === 'created' || c.exitCode === 0 ? 'stopped' : 'failed'
      return {state, stateDetail: `Status=${c.status}${c.running ? '' : ` ExitCode=${c.exitCode}`}${c.oomKilled ? ' OOMKilled' : ''}${c.error ? ` Error=${c.error}` : ''}`, container: c}
    }
    case 'process': {
      const found = findProcesses(await processTable(), e.process!)
      return found.length
        ? {state: 'running', stateDetail: `PID ${found.map((p) => p.pid).join(',')}`, processes: found.map(({pid, args}) => ({pid, args}))}
        : {state: 'stopped', stateDetail: `no process named ${e.process}`, processes: []}
    }
  }
}

function restartHint(e: ResolvedExporter, state: ServiceCondition): string | undefined {
  switch (e.managedBy) {
    case 'systemd':
      if (state === 'missing') return `no unit ${e.unit} on ${e.node}: check the unit name in the config (systemctl list-units 'prometheus-*')`
      return `sudo systemctl restart ${e.unit}${state === 'failed' ? `; see why it failed: journalctl -u ${e.unit} -n 50` : ''}`
    case 'container':
      if (state === 'missing') return `no container ${e.container} on ${e.node}: check the name (docker ps -a) or create it`
      return `docker start ${e.container}${state === 'failed' ? `; see why it stopped: hydra docker logs ${e.container} --node ${e.node}` : ''}`
    case 'process':
      return `start ${e.process} on ${e.node} (it is not running)`
  }
}

function sshErrorInfo(error: SshError): NonNullable<ExporterStatusRow['error']> {
  return {code: error.code, failure: error.failure, message: error.message, hint: error.hint}
}

/**
 * Every systemd unit of the node's exporters that runs with the same sudo setting, in ONE
 * `systemctl show` (one session and one systemctl on the node instead of one per unit). A unit's
 * state is undefined when that call did not answer cleanly (it exited non-zero, or its blocks do
 * not match the units): each exporter then asks for its own unit, so a failure stays its own.
 */
function sharedUnitStates(session: SshSession, exporters: ResolvedExporter[], sudoOf: (e: ResolvedExporter) => boolean): UnitStateOf {
  const calls = new Map<boolean, Promise<Map<string, UnitState> | undefined>>()
  return (unit, sudo) => {
    let call = calls.get(sudo)
    if (!call) {
      const units = [...new Set(exporters.filter((e) => e.managedBy === 'systemd' && e.unit && sudoOf(e) === sudo).map((e) => e.unit!))]
      call =
        units.length < 2
          ? Promise.resolve(undefined)
          : session.exec(remoteCommands.systemdUnitStates(units), {sudo}).then((r) => {
              const states = r.exitCode === 0 ? parseSystemctlShowUnits(r.stdout, units.length) : undefined
              return states && new Map(units.map((u, i) => [u, states[i]!]))
            })
      calls.set(sudo, call)
    }
    return call.then((states) => states?.get(unit))
  }
}

async function nodeStatus(cfg: HydraConfig, session: SshSession, node: ResolvedNode, fetches: Map<string, Promise<FetchResult>>): Promise<ExporterStatusRow[]> {
  const explicitSudo = (e: ResolvedExporter) => cfg.raw.nodes[node.name]?.exporters?.[e.name]?.sudo === true
  let ps: Promise<ProcessEntry[]> | undefined
  const processTable = () => (ps ??= session.execOk(remoteCommands.processTable()).then((r) => parsePsTable(r.stdout)))
  const unitStateOf = sharedUnitStates(session, node.exporters, explicitSudo)
  const sockets: Promise<ListeningSocket[] | SshError> = session
    .execOk(remoteCommands.listeningTcpSockets())
    .then((r) => parseSsListening(r.stdout))
    .catch((error: unknown) => {
      if (isSshError(error)) return error
      throw error
    })
  // who owns which socket, asked only when an exporter is not where the config says (see commands.ts)
  let owners: Promise<ListeningSocket[]> | undefined
  const socketOwners = () =>
    (owners ??= session
      .execOk(remoteCommands.listeningTcpSocketOwners())
      .then((r) => parseSsListening(r.stdout))
      .catch((error: unknown) => {
        if (isSshError(error)) return []
        throw error
      }))

  return Promise.all(
    node.exporters.map(async (e): Promise<ExporterStatusRow> => {
      const managedName = e.unit ?? e.container ?? e.process ?? '?'
      const base = {id: e.id, node: node.name, exporter: e.name, port: e.port, url: e.url, managedBy: e.managedBy, managedName}
      let manager: ManagerState
      let error: ExporterStatusRow['error']
      try {
        manager = await managerState(session, e, explicitSudo(e), processTable, unitStateOf)
      } catch (err) {
        if (!isSshError(err)) throw err
        error = sshErrorInfo(err)
        manager = {state: 'unknown', stateDetail: err.message}
        if (err.failure !== 'command_failed' && err.failure !== 'command_missing' && err.failure !== 'sudo_password' && err.failure !== 'command_timeout')
          manager.state = 'unknown'
      }
      const socketList = await sockets
      let listening: boolean | null = null
      let listenAddress: string | undefined
      let listenDetail: string
      let portMismatch: ExporterStatusRow['portMismatch']
      if (isSshError(socketList)) {
        listenDetail = `not checked: ${socketList.message}`
        error ??= sshErrorInfo(socketList)
      } else {
        // a DNS name is compared by every address it resolves to (and wildcard binds serve them all)
        const addresses = hostAliases(node.address)
        const l = findListener(socketList, e.port, addresses)
        listening = Boolean(l)
        listenAddress = l?.local
        const elsewhere = listenersElsewhere(socketList, e.port)
        const nodeWords = addresses.length > 1 ? `${node.address} (${addresses.slice(1).join(', ')})` : node.address
        listenDetail = l ? `listening on ${l.local}` : elsewhere.length ? `port ${e.port} is bound only to ${elsewhere.map((s) => s.local).join(', ')}, not ${nodeWords}` : `nothing listens on port ${e.port}`
        // the exporter's own process listens elsewhere on this node: the config names the wrong port
        const pids = manager.systemd?.mainPid ? [manager.systemd.mainPid] : (manager.processes?.map((p) => p.pid) ?? [])
        const own = l || pids.length === 0 ? [] : listenersOfPids(await socketOwners(), pids, addresses).filter((s) => s.port !== e.port)
        if (own.length > 0) {
          portMismatch = {configured: e.port, listening: own.map((s) => s.local), pids}
          listenDetail = `${managedName} (PID ${pids.join(',')}) listens on ${own.map((s) => s.local).join(', ')}, not on port ${e.port}`
        }
      }
      const fetch = await fetches.get(e.id)!
      const problems: string[] = []
      if (manager.state !== 'running') problems.push(`${e.managedBy} ${managedName}: ${manager.state}`)
      if (listening === false) problems.push(listenDetail)
      if (!fetch.ok) problems.push(`GET ${e.url}: ${fetch.detail}`)
      const connectionLost = error && !['command_failed', 'command_missing', 'sudo_password', 'command_timeout'].includes(error.failure)
      let hint: string | undefined
      if (error) hint = error.hint
      else if (manager.state !== 'running') hint = restartHint(e, manager.state)
      else if (portMismatch) {
        const ports = [...new Set(portMismatch.listening.map((l) => l.slice(l.lastIndexOf(':') + 1)))]
        hint = `the config names the wrong port: set nodes.${node.name}.exporters.${e.name}.port: ${ports[0]} in the hydra config (the exporter listens on ${ports.join(', ')}; do not change the exporter)`
      } else if (listening === false) hint = `${managedName} runs but does not listen on ${node.address}:${e.port}: check its --web.listen-address`
      else if (!fetch.ok) hint = `it runs and listens, but hydra cannot fetch it: hydra firewall check ${node.name} --port ${e.port}`
      return {
        ...base,
        state: connectionLost ? 'unreachable' : manager.state,
        stateDetail: manager.stateDetail,
        ...(manager.systemd ? {systemd: manager.systemd} : {}),
        ...(manager.container ? {container: manager.container} : {}),
        ...(manager.processes ? {processes: manager.processes} : {}),
        listening,
        ...(portMismatch ? {portMismatch} : {}),
        ...(listenAddress ? {listenAddress} : {}),
        listenDetail,
        fetch,
        ok: !error && manager.state === 'running' && listening === true && fetch.ok,
        problems: error ? [error.message, ...problems.filter((p) => !p.endsWith(': unknown'))] : problems,
        ...(hint ? {hint} : {}),
        ...(error ? {error} : {}),
      }
    }),
  )
}

export async function exporterStatus(cfg: HydraConfig, options: ExporterStatusOptions): Promise<ExporterStatusReport> {
  const nodes = selectNodes(cfg, options.nodes).filter((n) => n.exporters.length > 0)
  await resolveHosts(nodes.map((n) => n.address))
  // HTTP fetches do not wait for SSH: a node that refuses SSH can still serve metrics, and vice versa.
  const fetches = new Map(nodes.flatMap((n) => n.exporters.map((e) => [e.id, options.fetchMetrics(e)] as const)))
  const perNode = await options.pool.forEachNode(nodes, (session, node) => nodeStatus(cfg, session, node, fetches))
  const rows = perNode.flat()
  const failing = rows.filter((r) => !r.ok)
  const authRefused = rows.some((r) => r.error?.failure === 'auth' || r.error?.failure === 'key_file')
  return {
    rows,
    summary: {
      total: rows.length,
      ok: rows.length - failing.length,
      failing: failing.length,
      nodesUnreachable: [...new Set(rows.filter((r) => r.state === 'unreachable').map((r) => r.node))],
    },
    exitCode: authRefused ? ExitCode.AUTH : failing.length ? ExitCode.FAILURE : ExitCode.OK,
  }
}
