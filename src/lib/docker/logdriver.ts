/**
 * `hydra docker logdriver` and `hydra docker logs`, over SSH with the docker CLI on the node.
 * Runbook: Troubleshooting → Loki Not Receiving Logs ("docker logs loki --tail 50",
 * "docker inspect <container> | jq '.[0].HostConfig.LogConfig'").
 */
import type {HydraConfig, ResolvedNode} from '../config/resolve.js'
import {ExitCode, UserError, type ExitCodeValue} from '../errors.js'
import type {SshPool} from '../clients/ssh.js'
import {remoteCommands} from '../ssh/commands.js'
import {isValidRemoteValue} from '../ssh/shell.js'
import {isSshError} from '../ssh/errors.js'
import {selectNodes} from '../config/nodes.js'
import {isNoSuchContainer, parseContainerNames, parseDockerInspect, type ContainerInfo} from './inspect.js'

export interface LogDriverRow {
  node: string
  container: string
  running: boolean
  status: string
  driver: string
  options: Record<string, string>
  lokiExpected: boolean
  ok: boolean
  problem?: string
  hint?: string
}

export interface LogDriverReport {
  rows: LogDriverRow[]
  /** containers the config expects on Loki that no checked node has */
  missing: string[]
  /** names `docker ps` returned that hydra refused to pass to a shell */
  rejectedNames: {node: string; name: string}[]
  errors: {node: string; code: string; failure: string; message: string; hint?: string}[]
  exitCode: ExitCodeValue
}

/** Log options can carry credentials (loki-url with user:password, splunk-token, ...): keep only harmless ones' values. */
function safeLogOptions(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(options)) {
    if (/token|password|secret|key$/i.test(k)) out[k] = '<redacted>'
    else if (/url|address/i.test(k)) out[k] = v.replace(/\/\/[^/@]*@/, '//<redacted>@')
    else out[k] = v
  }
  return out
}

/** One inspected container's log driver, judged against logs.lokiDriverExpected. */
function logDriverRow(cfg: HydraConfig, node: string, c: ContainerInfo, expected: Set<string>): LogDriverRow {
  const lokiExpected = expected.has(c.name)
  const ok = !lokiExpected || c.logDriver === 'loki'
  return {
    node,
    container: c.name,
    running: c.state.running,
    status: c.state.status,
    driver: c.logDriver,
    options: safeLogOptions(c.logOptions),
    lokiExpected,
    ok,
    ...(ok
      ? {}
      : {
          problem: `expected to ship its logs to Loki, but uses the ${c.logDriver} driver`,
          hint: lokiDriverHint(cfg, c.name),
        }),
  }
}

export async function checkLogDrivers(cfg: HydraConfig, options: {pool: SshPool; nodes?: string[]; container?: string}): Promise<LogDriverReport> {
  if (options.container !== undefined && !isValidRemoteValue('container', options.container))
    throw new UserError(`${JSON.stringify(options.container)} is not a container name`, {hint: "container names contain only letters, digits and '_', '.', '-'"})
  const nodes = selectNodes(cfg, options.nodes)
  const expected = new Set(cfg.logs.lokiDriverExpected)
  const rejectedNames: LogDriverReport['rejectedNames'] = []
  const errors: LogDriverReport['errors'] = []
  const perNode = await options.pool.forEachNode(nodes, async (session, node): Promise<LogDriverRow[]> => {
    try {
      if (options.container) {
        // one container asked for (doctor's check): inspect it by name, as the runbook does, rather
        // than list every container first: one docker CLI run on the node instead of two
        const r = await session.exec(remoteCommands.inspectContainers([options.container]))
        if (r.exitCode !== 0 && isNoSuchContainer(r.stderr)) return []
        if (r.exitCode !== 0) throw session.errorFor(r, false)
        // a name docker resolved to another container (an ID prefix) is not this one
        return parseDockerInspect(r.stdout).filter((c) => c.name === options.container).map((c) => logDriverRow(cfg, node.name, c, expected))
      }
      const listed = parseContainerNames((await session.execOk(remoteCommands.containerNames())).stdout)
      // A name from the node is data, not trusted: one that fails the allow-list never reaches the shell.
      const names = listed.filter((n) => {
        const ok = isValidRemoteValue('container', n)
        if (!ok) rejectedNames.push({node: node.name, name: n})
        return ok
      })
      if (names.length === 0) return []
      return parseDockerInspect((await session.execOk(remoteCommands.inspectContainers(names))).stdout).map((c) => logDriverRow(cfg, node.name, c, expected))
    } catch (error) {
      if (!isSshError(error)) throw error
      errors.push({node: node.name, code: error.code, failure: error.failure, message: error.message, hint: error.hint})
      return []
    }
  })
  const rows = perNode.flat()
  const seen = new Set(rows.map((r) => r.container))
  const missing = options.container ? [] : [...expected].filter((c) => !seen.has(c) && errors.length === 0)
  if (options.container && rows.length === 0 && errors.length === 0)
    throw new UserError(`no container named ${options.container} on ${nodes.map((n) => n.name).join(', ')}`, {code: 'container_not_found', hint: 'list them with: hydra docker logdriver'})
  const auth = errors.some((e) => e.failure === 'auth' || e.failure === 'key_file')
  const bad = rows.some((r) => !r.ok) || missing.length > 0 || errors.length > 0
  return {rows, missing, rejectedNames, errors, exitCode: auth ? ExitCode.AUTH : bad ? ExitCode.FAILURE : ExitCode.OK}
}

/** The node a container lives on according to the config (loki's, an app's, an exporter's container). */
/** How to move a container onto the Loki driver, with the push URL of the Loki the config names. */
export function lokiDriverHint(cfg: HydraConfig, container: string): string {
  const push = cfg.loki ? `${cfg.loki.baseUrl}/loki/api/v1/push` : 'http://<loki>:3100/loki/api/v1/push'
  return `recreate ${container} with --log-driver=loki --log-opt loki-url=${push} (once per host: docker plugin install grafana/loki-docker-driver --alias loki --grant-all-permissions)`
}

export function nodeForContainer(cfg: HydraConfig, container: string): ResolvedNode | undefined {
  const nodeName =
    (cfg.loki?.container === container ? cfg.loki.node : undefined) ??
    (cfg.prometheus.container === container ? cfg.prometheus.node : undefined) ??
    cfg.apps.find((a) => a.container === container)?.node ??
    cfg.nodes.find((n) => n.exporters.some((e) => e.container === container))?.name
  return nodeName ? cfg.nodes.find((n) => n.name === nodeName) : undefined
}

export interface ContainerLogs {
  node: string
  container: string
  tail: number
  stdout: string
  stderr: string
}

export async function containerLogs(cfg: HydraConfig, options: {pool: SshPool; container: string; tail: number; nodes?: string[]}): Promise<ContainerLogs> {
  if (!isValidRemoteValue('container', options.container))
    throw new UserError(`${JSON.stringify(options.container)} is not a container name`, {hint: "container names contain only letters, digits and '_', '.', '-'"})
  const named = selectNodes(cfg, options.nodes)
  if (options.nodes?.length && named.length > 1)
    throw new UserError(`docker logs reads ${options.container} on one node, not ${named.length}: give --node once`, {code: 'usage', hint: `e.g. hydra docker logs ${options.container} --node ${named[0]!.name}`})
  const node = options.nodes?.length ? named[0] : nodeForContainer(cfg, options.container)
  if (!node)
    throw new UserError(`the config does not say which node runs ${options.container}`, {code: 'container_node_unknown', hint: `name the node: hydra docker logs ${options.container} --node NODE`})
  const session = options.pool.session(node)
  const result = await session.exec(remoteCommands.containerLogs(options.container, options.tail))
  if (result.exitCode !== 0 && isNoSuchContainer(result.stderr))
    throw new UserError(`no container named ${options.container} on ${node.name}`, {code: 'container_not_found', hint: `list them with: hydra docker logdriver --node ${node.name}`})
  if (result.exitCode !== 0) throw session.errorFor(result, false)
  // docker logs replays the container's stdout and stderr on the same two streams
  return {node: node.name, container: options.container, tail: options.tail, stdout: result.stdout, stderr: result.stderr}
}
