/**
 * `hydra firewall check`: read a node's firewall over SSH (which backend: iptables legacy,
 * iptables-nft, nftables; its rules) and judge whether a new TCP connection from hydra's source
 * to each exporter port gets in. Runbook: Troubleshooting → Prometheus Target Down, step 2.
 */
import type {HydraConfig, ResolvedNode} from '../config/resolve.js'
import {ExitCode, UserError, type ExitCodeValue} from '../errors.js'
import type {SshPool, SshSession} from '../clients/ssh.js'
import {remoteCommands} from '../ssh/commands.js'
import {isSshError, type SshError} from '../ssh/errors.js'
import {selectNodes} from '../config/nodes.js'
import {evaluateIptables, parseIptablesS, type Evaluation} from './iptables.js'
import {evaluateNft, isIptablesNftTable, parseNftJson, type NftEvaluation, type NftRuleset} from './nftables.js'
import {inInterfaceFor, ipv4ToInt, type Packet, type Verdict} from './packet.js'

export type FirewallBackend = 'iptables-legacy' | 'iptables-nft' | 'nftables' | 'iptables-nft+nftables' | 'iptables-legacy+nftables' | 'none'

export interface PortVerdict {
  node: string
  port: number
  /** the exporter on that port, when the port came from the config */
  exporter?: string
  backend: FirewallBackend
  source: string
  destination: string
  verdict: Verdict
  /** the rule that decided, as the tool prints it */
  decidedBy: string
  /** the last rule on the way that tested something (e.g. NixOS's --dport rule jumping to nixos-fw-accept), when it is not decidedBy */
  via?: string
  trace: string[]
  reason?: string
  hint?: string
}

export interface NodeFirewall {
  node: string
  backend?: FirewallBackend
  iptablesVersion?: string
  rulesRead: string[]
  verdicts: PortVerdict[]
  error?: {code: string; failure: string; message: string; hint?: string}
}

export interface FirewallReport {
  nodes: NodeFirewall[]
  summary: {allowed: number; blocked: number; unknown: number; nodesFailed: number}
  exitCode: ExitCodeValue
}

export interface FirewallCheckOptions {
  nodes?: string[]
  port?: number
  pool: SshPool
}

export function detectBackend(iptablesVersion: string | undefined, nftHasOwnInputChains: boolean): FirewallBackend {
  const ipt = iptablesVersion?.includes('(nf_tables)') ? 'iptables-nft' : iptablesVersion?.includes('(legacy)') || iptablesVersion ? 'iptables-legacy' : undefined
  if (ipt && nftHasOwnInputChains) return `${ipt}+nftables` as FirewallBackend
  return ipt ?? (nftHasOwnInputChains ? 'nftables' : 'none')
}

/** Combine the verdicts of every ruleset a packet passes: a block anywhere wins, then unknown, else allowed. */
export function combineVerdicts(parts: {name: string; evaluation: Evaluation | NftEvaluation}[]): {verdict: Verdict; decidedBy: string; trace: string[]; reason?: string} {
  const pick = parts.find((p) => p.evaluation.verdict === 'blocked') ?? parts.find((p) => p.evaluation.verdict === 'unknown') ?? parts.find((p) => p.evaluation.trace.length > 0) ?? parts[0]
  if (!pick) return {verdict: 'allowed', decidedBy: 'no firewall rules', trace: []}
  return {verdict: pick.evaluation.verdict, decidedBy: pick.evaluation.decidedBy, trace: parts.flatMap((p) => p.evaluation.trace), reason: pick.evaluation.reason}
}

/** A rule that tests something, not a bare `-A chain -j target` or policy line. */
export function lastConditionalRule(trace: string[]): string | undefined {
  return [...trace].reverse().find((r) => !/^-P /.test(r) && !/^-A \S+ -[jg] \S+$/.test(r) && !/: policy \w+$/.test(r))
}

function blockedHint(node: ResolvedNode, port: number, source: string): string {
  if (node.os === 'nixos')
    return `open the port in the node's NixOS config: networking.firewall.allowedTCPPorts = [ ${port} ]; (or the exporter's openFirewall = true), then nixos-rebuild switch`
  return `allow it, e.g.: sudo iptables -I INPUT -p tcp -s ${source} --dport ${port} -j ACCEPT (and persist the rule the way ${node.name} stores its firewall)`
}

/**
 * The output of remoteCommands.sshConnectionAndIptablesVersion: the SSH_CONNECTION line, then
 * `iptables -V`'s first line when it exited 0 (no iptables: exit 127 from the shell, or its error). Pure.
 */
export function splitConnectionAndVersion(stdout: string, exitCode: number | null): {connection: string; version?: string} {
  const newline = stdout.indexOf('\n')
  const connection = (newline < 0 ? stdout : stdout.slice(0, newline)).trim()
  const version = exitCode === 0 && newline >= 0 ? stdout.slice(newline + 1).trim().split('\n')[0] || undefined : undefined
  return version ? {connection, version} : {connection}
}

async function readNodeFirewall(session: SshSession, node: ResolvedNode, ports: {port: number; exporter?: string}[]): Promise<NodeFirewall> {
  const sudo = node.ssh.sudo
  // every read goes out at once over the one connection: the rules are read alongside `iptables -V`
  // and used only when it answers, as the version decides whether iptables is there. The session's
  // addresses come in the same session as `iptables -V` (one SSH session less per node)
  const [idResult, rules, nftResult] = await Promise.all([
    session.exec(remoteCommands.sshConnectionAndIptablesVersion()),
    session.exec(remoteCommands.iptablesRules(), {sudo}).catch((error: unknown) => ({error})),
    session.exec(remoteCommands.nftRuleset(), {sudo}),
  ])
  const {connection, version} = splitConnectionAndVersion(idResult.stdout, idResult.exitCode)
  const conn = connection.split(/\s+/)
  const source = conn[0] ?? ''
  const serverAddress = conn[2] ?? node.address
  const destination = ipv4ToInt(node.address) !== undefined ? node.address : serverAddress

  const iptablesVersion = version
  const rulesRead: string[] = []
  let iptables: ReturnType<typeof parseIptablesS> | undefined
  if (iptablesVersion) {
    if ('error' in rules) throw rules.error
    if (rules.exitCode !== 0) throw session.errorFor(rules, sudo)
    iptables = parseIptablesS(rules.stdout)
  }
  if (iptables) rulesRead.push('iptables -S')

  let nft: NftRuleset | undefined
  if (nftResult.exitCode === 0 && nftResult.stdout.trim()) {
    nft = parseNftJson(nftResult.stdout)
    rulesRead.push('nft -j list ruleset')
  } else if (!iptables) {
    // neither tool answered: the nft error says why (missing, sudo wants a password, ...)
    throw session.errorFor(nftResult, sudo)
  }
  // With iptables-nft the iptables tables also appear in nft; judge them once, from iptables -S.
  const skipTable = (family: string, table: string) => Boolean(iptables && iptablesVersion?.includes('nf_tables') && isIptablesNftTable(family, table))
  const nftOwnInput = Boolean(nft?.chains.some((c) => c.hook === 'input' && !skipTable(c.family, c.table)))
  const backend = detectBackend(iptablesVersion, nftOwnInput)

  const verdicts = ports.map(({port, exporter}): PortVerdict => {
    const packet: Packet = {protocol: 'tcp', source, destination, destinationPort: port, inInterface: inInterfaceFor(source, destination)}
    const parts: {name: string; evaluation: Evaluation | NftEvaluation}[] = []
    if (iptables) parts.push({name: 'iptables', evaluation: evaluateIptables(iptables, packet)})
    if (nft && nftOwnInput) parts.push({name: 'nftables', evaluation: evaluateNft(nft, packet, {skipTable})})
    const c = combineVerdicts(parts)
    const hint =
      c.verdict === 'blocked'
        ? blockedHint(node, port, source)
        : c.verdict === 'unknown'
          ? `check by hand: ${c.reason ?? 'a rule hydra cannot judge'}; then: curl -sS http://${node.address}:${port}/metrics | head -5`
          : undefined
    const via = lastConditionalRule(c.trace)
    return {node: node.name, port, ...(exporter ? {exporter} : {}), backend, source, destination, ...c, ...(via && via !== c.decidedBy ? {via} : {}), ...(hint ? {hint} : {})}
  })
  return {node: node.name, backend, ...(iptablesVersion ? {iptablesVersion} : {}), rulesRead, verdicts}
}

export async function checkFirewall(cfg: HydraConfig, options: FirewallCheckOptions): Promise<FirewallReport> {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535))
    throw new UserError(`--port ${options.port} is not a port number 1-65535`)
  const nodes = selectNodes(cfg, options.nodes).filter((n) => n.firewall !== 'none')
  const results = await options.pool.forEachNode(nodes, async (session, node): Promise<NodeFirewall> => {
    const ports = options.port !== undefined ? [{port: options.port, exporter: node.exporters.find((e) => e.port === options.port)?.name}] : node.exporters.map((e) => ({port: e.port, exporter: e.name}))
    if (ports.length === 0) return {node: node.name, rulesRead: [], verdicts: []}
    try {
      return await readNodeFirewall(session, node, ports)
    } catch (error) {
      if (!isSshError(error)) throw error
      const e = error as SshError
      return {node: node.name, rulesRead: [], verdicts: [], error: {code: e.code, failure: e.failure, message: e.message, hint: e.hint}}
    }
  })
  const all = results.flatMap((r) => r.verdicts)
  const failed = results.filter((r) => r.error)
  const auth = failed.some((r) => r.error?.failure === 'auth' || r.error?.failure === 'key_file')
  const summary = {
    allowed: all.filter((v) => v.verdict === 'allowed').length,
    blocked: all.filter((v) => v.verdict === 'blocked').length,
    unknown: all.filter((v) => v.verdict === 'unknown').length,
    nodesFailed: failed.length,
  }
  return {
    nodes: results,
    summary,
    exitCode: auth ? ExitCode.AUTH : summary.blocked || summary.unknown || failed.length ? ExitCode.FAILURE : ExitCode.OK,
  }
}
