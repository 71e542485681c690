/**
 * The diagnosis chain of the runbook's "Prometheus Target Down" (and of every link of it doctor
 * checks on its own): can hydra reach the node → is the exporter's unit/container/process running
 * → does its port listen → does the firewall let the port in → can hydra fetch the metrics. The
 * first broken link is THE cause; the links before it are the evidence; the hint is the command
 * that fixes that link. Pure functions of what the checks saw, so each verdict is unit-tested.
 */
import type {ResolvedExporter, ResolvedNode} from '../config/resolve.js'
import {parseDuration} from '../config/units.js'
import type {ExporterStatusRow, FetchResult} from '../exporters/status.js'
import type {NodeFirewall, PortVerdict} from '../firewall/check.js'
import type {TargetRow} from '../prometheus/targets.js'
import {DOCKER_DAEMON_FAULTS, NODE_UNREACHABLE, type CheckOutcome} from './model.js'

/** What an SSH connect failed with (an SshError, reduced to what the diagnosis needs). */
export interface SshFailureInfo {
  failure: string
  message: string
  hint?: string
}

/** SSH connect failures that mean the machine itself does not answer (vs. sshd or the login refusing). */
const UNREACHABLE_FAILURES = new Set(['timeout', 'unreachable', 'dns', 'reset'])

export function sshDiagnosis(node: Pick<ResolvedNode, 'name' | 'address'>, user: string, error: SshFailureInfo): CheckOutcome {
  const evidence = [error.message]
  if (UNREACHABLE_FAILURES.has(error.failure)) {
    return {
      status: 'fail',
      cause: NODE_UNREACHABLE,
      detail: `${node.name} (${node.address}) does not answer: ${error.failure === 'dns' ? 'its name does not resolve' : 'no SSH handshake before the timeout'}`,
      evidence,
      hint: `check that ${node.name} is powered on and on the network (ping ${node.address}; its console), then: ssh ${user}@${node.address}`,
    }
  }
  const byFailure: Record<string, {cause: string; detail: string; hint: string}> = {
    refused: {
      cause: 'ssh_refused',
      detail: `${node.name} answers but refuses SSH connections`,
      hint: `start sshd on ${node.name} (sudo systemctl start sshd), or fix ssh.port in the hydra config`,
    },
    auth: {cause: 'ssh_auth', detail: `${node.name} refused hydra's SSH login`, hint: error.hint ?? `check the key hydra uses for ${user}@${node.address}`},
    key_file: {cause: 'ssh_auth', detail: `no usable SSH key for ${node.name}`, hint: error.hint ?? 'set defaults.ssh.identityFile'},
    host_key_unknown: {cause: 'ssh_host_key', detail: `${node.name}'s SSH host key is not in known_hosts`, hint: error.hint ?? `ssh ${user}@${node.address} once to record it`},
    host_key_changed: {cause: 'ssh_host_key', detail: `${node.name}'s SSH host key CHANGED`, hint: error.hint ?? 'verify the new key out of band before trusting it'},
    host_key_revoked: {cause: 'ssh_host_key', detail: `${node.name}'s SSH host key is revoked`, hint: error.hint ?? 'verify the key out of band'},
  }
  const known = byFailure[error.failure]
  if (known) return {status: 'fail', ...known, evidence}
  return {status: 'fail', cause: 'ssh_error', detail: `cannot open SSH to ${node.name}: ${error.message}`, evidence, hint: error.hint ?? `try by hand: ssh ${user}@${node.address}`}
}

function managerWords(e: Pick<ResolvedExporter, 'managedBy' | 'unit' | 'container' | 'process'>): string {
  return e.managedBy === 'systemd' ? `unit ${e.unit}` : e.managedBy === 'container' ? `container ${e.container}` : `process ${e.process}`
}

/** Unit/container/process state and the listening port (runbook: Target Down, step 1). */
export function exporterStateDiagnosis(row: ExporterStatusRow, e: ResolvedExporter): CheckOutcome {
  const evidence = [`${e.managedBy}: ${row.stateDetail}`, `ss -ltn: ${row.listenDetail}`]
  if (row.error && row.state !== 'running') {
    const cause = DOCKER_DAEMON_FAULTS.has(row.error.failure) ? row.error.failure : 'ssh_command'
    return {status: 'fail', cause, detail: `could not read the state of ${managerWords(e)}: ${row.error.message}`, evidence, hint: row.error.hint ?? row.hint}
  }
  if (row.state === 'unreachable') return {status: 'fail', cause: NODE_UNREACHABLE, detail: `the SSH connection to ${e.node} was lost`, evidence, hint: row.hint}
  if (row.state === 'missing') {
    return {status: 'fail', cause: e.managedBy === 'container' ? 'container_missing' : 'unit_missing', detail: `${managerWords(e)} does not exist on ${e.node}`, evidence, hint: row.hint}
  }
  if (row.state !== 'running' && row.state !== 'starting') {
    const cause = e.managedBy === 'systemd' ? 'unit_inactive' : e.managedBy === 'container' ? 'container_stopped' : 'process_not_running'
    const what = e.managedBy === 'systemd' ? `unit ${e.unit} is not active (${row.stateDetail})` : e.managedBy === 'container' ? `container ${e.container} is not running (${row.stateDetail})` : `no process ${e.process} runs`
    return {status: 'fail', cause, detail: `${e.id}: ${what}`, evidence, hint: row.hint}
  }
  if (row.listening === false && row.portMismatch) {
    return {
      status: 'fail',
      cause: 'port_mismatch',
      detail: `the config says ${e.id} listens on port ${e.port}, but ${row.listenDetail}`,
      evidence,
      hint: row.hint,
    }
  }
  if (row.listening === false) {
    return {
      status: 'fail',
      cause: 'not_listening',
      detail: `${managerWords(e)} runs but ${row.listenDetail}`,
      evidence,
      hint: row.hint ?? `check the exporter's --web.listen-address on ${e.node}`,
    }
  }
  if (row.state === 'starting') return {status: 'warn', cause: 'starting', detail: `${managerWords(e)} is starting (${row.stateDetail})`, evidence}
  return {status: 'ok', detail: `${managerWords(e)} running, ${row.listenDetail}`, evidence}
}

/** The verdict of the node's firewall for the exporter's port (runbook: Target Down, step 2). */
export function firewallDiagnosis(fw: NodeFirewall, port: number): CheckOutcome {
  if (fw.error) return {status: 'fail', cause: 'ssh_command', detail: `could not read ${fw.node}'s firewall: ${fw.error.message}`, evidence: [fw.error.message], hint: fw.error.hint}
  const v: PortVerdict | undefined = fw.verdicts.find((x) => x.port === port)
  if (!v) return {status: 'warn', cause: 'firewall_unknown', detail: `no verdict for port ${port} on ${fw.node}`}
  const evidence = [`backend ${v.backend}; ${v.source} → ${v.destination}:${port}/tcp`, `decided by: ${v.decidedBy}`, ...(v.via ? [`via: ${v.via}`] : [])]
  if (v.verdict === 'blocked') {
    return {
      status: 'fail',
      cause: 'firewall_blocked',
      detail: `${fw.node}'s firewall blocks port ${port} from ${v.source}: ${v.decidedBy}`,
      evidence,
      hint: `${v.hint ?? 'allow the port'}; the blocking rule: ${v.decidedBy}`,
    }
  }
  if (v.verdict === 'unknown') return {status: 'warn', cause: 'firewall_unknown', detail: `cannot judge port ${port} on ${fw.node}: ${v.reason ?? 'a rule hydra cannot evaluate'}`, evidence, hint: v.hint}
  return {status: 'ok', detail: `port ${port} allowed (${v.via ?? v.decidedBy})`, evidence}
}

/** hydra's own GET of the metrics (runbook: Target Down, step 3). */
export function fetchDiagnosis(fetch: FetchResult, e: ResolvedExporter): CheckOutcome {
  const evidence = [`GET ${e.url}: ${fetch.detail} (${fetch.latencyMs}ms)`]
  if (fetch.ok) return {status: 'ok', detail: fetch.detail, evidence}
  const refused = /refused/i.test(fetch.detail)
  const timedOut = /timed out|timeout/i.test(fetch.detail)
  return {
    status: 'fail',
    cause: refused ? 'exporter_refused' : timedOut ? 'exporter_timeout' : fetch.status ? 'exporter_bad_answer' : 'exporter_unreachable',
    detail: `hydra cannot fetch ${e.url}: ${fetch.detail}`,
    evidence,
    hint: refused
      ? `nothing accepts connections on ${e.address}:${e.port}: hydra exporter status ${e.node}`
      : timedOut
        ? `the port does not answer: hydra firewall check ${e.node} --port ${e.port}`
        : `curl -sS ${e.url} | head -5`,
  }
}

export interface DownTargetEvidence {
  target: TargetRow
  node?: ResolvedNode
  exporter?: ResolvedExporter
  /** undefined: SSH not tried (the node's checks were left out) */
  ssh?: {ok: true} | ({ok: false} & SshFailureInfo)
  sshUser?: string
  state?: ExporterStatusRow
  firewall?: NodeFirewall
  fetch?: FetchResult
}

function targetLine(t: TargetRow): string {
  return `Prometheus: ${t.job} ${t.instance} is ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`
}

/**
 * One down target → one cause. Walks the chain in the runbook's order and stops at the first link
 * that is broken; a link nobody could check (SSH refused) is passed over, and said so.
 */
export function diagnoseDownTarget(ev: DownTargetEvidence): CheckOutcome {
  const t = ev.target
  const evidence = [targetLine(t)]
  const withEvidence = (o: CheckOutcome): CheckOutcome => ({...o, status: o.status === 'ok' ? 'fail' : o.status, evidence: [...evidence, ...(o.evidence ?? [])]})
  if (!ev.node) {
    return {
      status: 'fail',
      cause: 'target_unknown_node',
      detail: `Prometheus scrapes ${t.instance} (job ${t.job}), which is no node of the hydra config, and it is ${t.health}`,
      evidence,
      hint: `add the node to the hydra config, or remove the target from prometheus.yml (compare: hydra config scrape)`,
    }
  }
  if (!ev.exporter) {
    return {
      status: 'fail',
      cause: 'target_unknown_exporter',
      detail: `Prometheus scrapes ${t.instance} (job ${t.job}) on ${ev.node.name}, an exporter the hydra config does not list, and it is ${t.health}`,
      evidence,
      hint: `add it under nodes.${ev.node.name}.exporters, or remove the target from prometheus.yml`,
    }
  }
  const e = ev.exporter
  if (ev.ssh && !ev.ssh.ok) {
    const ssh = sshDiagnosis(ev.node, ev.sshUser ?? ev.node.ssh.user, ev.ssh)
    if (ssh.cause === NODE_UNREACHABLE) return withEvidence(ssh)
    evidence.push(`SSH: ${ev.ssh.message} (unit state and firewall not checked)`)
  }
  if (ev.state) {
    const state = exporterStateDiagnosis(ev.state, e)
    if (state.status === 'fail') return withEvidence(state)
    evidence.push(...(state.evidence ?? []))
  }
  if (ev.firewall) {
    const fw = firewallDiagnosis(ev.firewall, e.port)
    if (fw.status === 'fail' && fw.cause === 'firewall_blocked') return withEvidence(fw)
    evidence.push(...(fw.evidence ?? [fw.detail]))
  }
  if (ev.fetch) {
    const fetch = fetchDiagnosis(ev.fetch, e)
    if (fetch.status === 'fail') return withEvidence(fetch)
    evidence.push(...(fetch.evidence ?? []))
  }
  if (t.health === 'unknown') {
    return {status: 'warn', cause: 'target_not_scraped_yet', detail: `Prometheus has not scraped ${t.instance} yet`, evidence, hint: 'check again after one scrape interval'}
  }
  // Everything hydra can see from its side works: the fault is between Prometheus and the exporter.
  if (t.scrapeUrl !== e.url) {
    return {status: 'fail', cause: 'scrape_config_mismatch', detail: `Prometheus scrapes ${t.scrapeUrl}, the config says ${e.url}`, evidence, hint: 'make prometheus.yml scrape what the config names: hydra config scrape'}
  }
  return {status: 'fail', ...prometheusSideFailure(t, e, ev.fetch), evidence}
}

/**
 * hydra fetches the exporter, Prometheus's scrape of the same URL fails: what Prometheus's own error
 * says about where. A timeout when hydra's fetch took most of the scrape_timeout is a slow exporter;
 * a fast fetch, a path that drops Prometheus's packets; an HTTP status hydra did not get, something
 * that answers Prometheus differently; a format error, what Prometheus refuses in the answer.
 */
function prometheusSideFailure(t: TargetRow, e: ResolvedExporter, fetch: FetchResult | undefined): {cause: string; detail: string; hint: string} {
  const took = fetch?.ok ? ` in ${fetch.latencyMs} ms` : ''
  const failed = `Prometheus's last scrape of ${e.url} failed${t.lastError ? `: ${t.lastError}` : ''}`
  const timeoutMs = t.scrapeTimeout ? parseDuration(t.scrapeTimeout) : undefined
  if (t.errorCause === 'timeout' && fetch?.ok && timeoutMs !== undefined && fetch.latencyMs >= timeoutMs * 0.8) {
    return {
      cause: 'scrape_timeout',
      detail: `${e.id} answers hydra${took}, at or past the scrape_timeout of ${t.scrapeTimeout} Prometheus gives job ${t.job}: ${failed}`,
      hint: `find what makes it slow${e.name === 'node' ? ` (hydra query 'topk(5, node_scrape_collector_duration_seconds{instance="${t.instance}"})')` : ''}, or raise scrape_timeout for job ${t.job} in prometheus.yml (at most its scrape_interval)`,
    }
  }
  if (t.errorCause === 'http_status') {
    const status = /status (\d{3})/i.exec(t.lastError)?.[1]
    return {
      cause: 'scrape_http_status',
      detail: `${e.id} answers hydra${fetch?.status ? ` with HTTP ${fetch.status}` : ''}${took}, Prometheus with an HTTP error: ${failed}`,
      hint:
        status === '401' || status === '403'
          ? `the exporter (or a proxy in front of it) wants credentials Prometheus does not send, or refuses Prometheus's address: set basic_auth/authorization for job ${t.job} in prometheus.yml, or allow Prometheus's host`
          : `something answers Prometheus differently from hydra at ${e.url} (a proxy in front, or a rule by source address): compare from Prometheus's host with curl -sv ${e.url}`,
    }
  }
  if (t.errorCause === 'parse') {
    return {
      cause: 'scrape_parse_error',
      detail: `${e.id} answers hydra${took}, but Prometheus rejects what it reads: ${failed}`,
      hint: /content-type/i.test(t.lastError)
        ? `Prometheus 3 needs a text-format Content-Type: set fallback_scrape_protocol: PrometheusText0.0.4 for job ${t.job} in prometheus.yml, or fix the exporter's Content-Type`
        : `the exporter writes something Prometheus's parser refuses (check its output: promtool check metrics < <(curl -s ${e.url}))`,
    }
  }
  return {
    cause: 'prometheus_cannot_scrape',
    detail: `hydra reaches ${e.url}${took}, but ${failed.replace(/^Prometheus's last scrape of \S+ failed/, "Prometheus's last scrape failed")}`,
    hint:
      t.errorCause === 'timeout' && fetch?.ok
        ? `hydra gets an answer${took} where Prometheus times out: the path from Prometheus's host to ${e.address}:${e.port} drops packets (a firewall rule for Prometheus's address?)`
        : `the path from Prometheus's host to ${e.address}:${e.port} differs from hydra's (firewall rule for Prometheus's address?); if the exporter just came back, wait one scrape interval: hydra targets --down`,
  }
}
