/**
 * The catalogue: every check of the runbook, built from the config (issue 6). Per node: SSH, and
 * per exporter the chain state → firewall → fetch → Prometheus target, then disk and memory from
 * the node exporter. Per service: its health endpoint, and Prometheus's targets, retention, rules
 * and alerts; Grafana's credentials and dashboard backup; Loki's recent lines and the log driver of
 * each container expected on Loki.
 *
 * The chain is expressed with `dependsOn`, so a broken link fails once and the links after it are
 * skipped because of it: a stopped unit is one problem, not three.
 */
import {hostOfInstance, type HydraConfig, type ResolvedExporter, type ResolvedNode} from '../config/resolve.js'
import {HttpError} from '../clients/http.js'
import {HydraError, UserError} from '../errors.js'
import {buildProbes, probeHealth, type HealthProbe} from '../health/probes.js'
import {instantVector} from '../prometheus/query.js'
import {compareRetention, effectiveRetention, type PrometheusFlags, type RuntimeInfo} from '../prometheus/tsdb.js'
import {unhealthyRules, type PromAlert, type RuleGroup} from '../prometheus/alerts.js'
import type {TargetRow} from '../prometheus/targets.js'
import {GrafanaClient} from '../grafana/client.js'
import {LokiClient} from '../loki/client.js'
import {queryLogs} from '../loki/logs.js'
import {latestCompleteBackup, readBackupManifest, verifyBackup} from '../backup/verify.js'
import {checkLogDrivers, nodeForContainer} from '../docker/logdriver.js'
import {isSshError} from '../ssh/errors.js'
import {formatAge} from '../output/time.js'
import {formatDuration} from '../config/units.js'
import {diagnoseDownTarget, exporterStateDiagnosis, fetchDiagnosis, firewallDiagnosis, sshDiagnosis, type DownTargetEvidence} from '../doctor/diagnose.js'
import {CHECK_KINDS, NODE_UNREACHABLE, passed, type Check, type CheckContext, type CheckOutcome} from './model.js'

/** A backup older than this fails when the config gives no backup.dashboards.maxAge: a nightly job plus slack. */
export const DEFAULT_BACKUP_MAX_AGE_MS = 36 * 3600 * 1000
const SLACK_MS = 500

export const sshCheckId = (node: string) => `ssh:${node}`
const exporterCheckId = (e: ResolvedExporter) => `exporter:${e.id}`
const firewallCheckId = (e: ResolvedExporter) => `firewall:${e.id}`
const fetchCheckId = (e: ResolvedExporter) => `fetch:${e.id}`
const targetCheckId = (e: ResolvedExporter) => `target:${e.id}`
const healthCheckId = (probeId: string) => `health:${probeId}`

/** The port of a target: from its instance label, else its scrape URL. */
function targetPort(t: TargetRow): number | undefined {
  const fromInstance = /:(\d+)$/.exec(t.instance)?.[1]
  if (fromInstance) return Number(fromInstance)
  try {
    const u = new URL(t.scrapeUrl)
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80))
  } catch {
    return undefined
  }
}

/** The Prometheus target that scrapes this exporter: same node, same port. Pure. */
export function targetForExporter(targets: TargetRow[], e: ResolvedExporter): TargetRow | undefined {
  const candidates = targets.filter((t) => (t.node === e.node || hostOfInstance(t.instance) === e.address) && targetPort(t) === e.port)
  return candidates.find((t) => t.job === e.job) ?? candidates[0]
}

function isNodeExporter(e: ResolvedExporter): boolean {
  return e.name === 'node' || e.job === 'node'
}

function errorText(error: unknown): string {
  if (error instanceof HttpError) return error.summary
  return error instanceof Error ? error.message : String(error)
}

/** A failure of an HTTP call a check makes, as an outcome (never a crash). */
function httpFailure(what: string, error: unknown, cause = 'unreachable'): CheckOutcome {
  if (error instanceof HttpError) return {status: 'fail', cause: error.failure === 'timeout' || error.failure === 'connect_timeout' ? 'timeout' : cause, detail: `${what}: ${error.message}`, evidence: error.body ? [error.body] : undefined, hint: error.hint}
  if (error instanceof HydraError) return {status: 'fail', cause: error.code, detail: `${what}: ${error.message}`, hint: error.hint}
  return {status: 'fail', cause: 'error', detail: `${what}: ${errorText(error)}`}
}

// ---------------------------------------------------------------- nodes

function sshCheck(cfg: HydraConfig, node: ResolvedNode): Check {
  return {
    id: sshCheckId(node.name),
    kind: 'ssh',
    group: node.name,
    node: node.name,
    title: `SSH to ${node.name}`,
    dependsOn: [],
    timeoutMs: node.ssh.connectTimeoutMs + SLACK_MS,
    async run(ctx) {
      try {
        await ctx.resources.sshConnect(node)
        return {status: 'ok', detail: `connected to ${node.ssh.user}@${node.address}:${node.ssh.port}`}
      } catch (error) {
        if (isSshError(error)) return sshDiagnosis(node, node.ssh.user, {failure: error.failure, message: error.message, hint: error.hint})
        throw error
      }
    },
  }
}

function exporterCheck(node: ResolvedNode, e: ResolvedExporter): Check {
  const managed = e.unit ?? e.container ?? e.process ?? '?'
  return {
    id: exporterCheckId(e),
    kind: 'exporter',
    group: node.name,
    node: node.name,
    title: `${e.name} exporter: ${e.managedBy} ${managed} running and listening on :${e.port}`,
    dependsOn: [sshCheckId(node.name)],
    timeoutMs: node.ssh.connectTimeoutMs + node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      const row = await ctx.resources.exporterRow(node, e)
      if (!row) return {status: 'fail', cause: 'bug', detail: `exporter status has no row for ${e.id}`}
      const outcome = exporterStateDiagnosis(row, e)
      if (outcome.status !== 'fail') return outcome
      // Prometheus's view of the same exporter, as corroboration (never waited on if Prometheus is down)
      const target = await ctx.resources.targets().then((r) => targetForExporter(r.targets, e), () => undefined)
      return target ? {...outcome, evidence: [...(outcome.evidence ?? []), `Prometheus: ${target.instance} is ${target.health}${target.lastError ? `: ${target.lastError}` : ''}`]} : outcome
    },
  }
}

function firewallCheck(node: ResolvedNode, e: ResolvedExporter): Check {
  return {
    id: firewallCheckId(e),
    kind: 'firewall',
    group: node.name,
    node: node.name,
    title: `firewall on ${node.name} lets :${e.port} in`,
    // a port nothing listens on needs no firewall verdict: one fault, one problem
    dependsOn: [sshCheckId(node.name), exporterCheckId(e)],
    timeoutMs: node.ssh.connectTimeoutMs + 4 * node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      return firewallDiagnosis(await ctx.resources.firewall(node), e.port)
    },
  }
}

function fetchCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter, withFirewall: boolean): Check {
  return {
    id: fetchCheckId(e),
    kind: 'fetch',
    group: node.name,
    node: node.name,
    title: `hydra can GET ${e.url}`,
    dependsOn: [exporterCheckId(e), ...(withFirewall ? [firewallCheckId(e)] : [])],
    reachability: sshCheckId(node.name),
    timeoutMs: cfg.timeoutMs + SLACK_MS,
    async run(ctx) {
      return fetchDiagnosis(await ctx.resources.fetch(e), e)
    },
  }
}

/** What the chain links saw, fetched through the shared resources (free when the links already ran). */
async function downTargetEvidence(ctx: CheckContext, node: ResolvedNode, e: ResolvedExporter, target: TargetRow): Promise<DownTargetEvidence> {
  const ev: DownTargetEvidence = {target, node, exporter: e, sshUser: node.ssh.user}
  const ranSsh = ctx.outcomeOf(sshCheckId(node.name))
  try {
    await ctx.resources.sshConnect(node)
    ev.ssh = {ok: true}
  } catch (error) {
    ev.ssh = isSshError(error) ? {ok: false, failure: error.failure, message: error.message, hint: error.hint} : {ok: false, failure: 'ssh', message: errorText(error)}
  }
  if (ranSsh && ranSsh.cause === NODE_UNREACHABLE && ev.ssh.ok) ev.ssh = {ok: false, failure: 'timeout', message: ranSsh.detail}
  const reachable = ev.ssh.ok
  const [state, firewall, fetch] = await Promise.all([
    reachable ? ctx.resources.exporterRow(node, e).catch(() => undefined) : undefined,
    reachable && node.firewall !== 'none' ? ctx.resources.firewall(node).catch(() => undefined) : undefined,
    ev.ssh.ok || ev.ssh.failure !== 'timeout' ? ctx.resources.fetch(e) : undefined,
  ])
  if (state) ev.state = state
  if (firewall) ev.firewall = firewall
  if (fetch) ev.fetch = fetch
  return ev
}

function targetCheck(cfg: HydraConfig, node: ResolvedNode, e: ResolvedExporter): Check {
  return {
    id: targetCheckId(e),
    kind: 'target',
    group: node.name,
    node: node.name,
    title: `Prometheus scrapes ${e.id} (job ${e.job})`,
    dependsOn: [healthCheckId('prometheus'), fetchCheckId(e)],
    timeoutMs: cfg.timeoutMs + node.ssh.connectTimeoutMs + 4 * node.ssh.commandTimeoutMs + SLACK_MS,
    async run(ctx) {
      const report = await ctx.resources.targets()
      const t = targetForExporter(report.targets, e)
      if (!t) {
        return {
          status: 'fail',
          cause: 'target_missing',
          detail: `Prometheus has no target for ${e.address}:${e.port} (job ${e.job})`,
          hint: `add it to prometheus.yml's scrape_configs (hydra config scrape prints them), then reload Prometheus`,
        }
      }
      if (t.health === 'up') return {status: 'ok', detail: `${t.instance} up${t.lastScrape ? `, scraped ${formatAge(t.lastScrape)}` : ''}`}
      return diagnoseDownTarget(await downTargetEvidence(ctx, node, e, t))
    },
  }
}

function percentCheck(
  cfg: HydraConfig,
  node: ResolvedNode,
  e: ResolvedExporter,
  kind: 'disk' | 'memory',
): Check {
  const threshold = kind === 'disk' ? cfg.thresholds.rootDiskFreePercent : cfg.thresholds.memoryAvailablePercent
  const what = kind === 'disk' ? 'root filesystem free' : 'memory available'
  return {
    id: `${kind}:${node.name}`,
    kind,
    group: node.name,
    node: node.name,
    title: `${what} on ${node.name} above ${threshold}%`,
    dependsOn: [healthCheckId('prometheus'), targetCheckId(e)],
    timeoutMs: cfg.timeoutMs * 2 + SLACK_MS,
    async run(ctx) {
      const target = targetForExporter((await ctx.resources.targets()).targets, e)
      if (!target) return {status: 'warn', cause: 'no_data', detail: `no Prometheus target for ${e.id}, so no ${what} data`}
      const sel = `instance=${JSON.stringify(target.instance)},job=${JSON.stringify(target.job)}`
      // the runbook's Cluster Health queries, narrowed to this node
      const query =
        kind === 'disk'
          ? `100 * node_filesystem_avail_bytes{${sel},mountpoint="/"} / node_filesystem_size_bytes{${sel},mountpoint="/"}`
          : `100 * node_memory_MemAvailable_bytes{${sel}} / node_memory_MemTotal_bytes{${sel}}`
      const {samples} = await instantVector(ctx.resources.prometheus(), query)
      const value = samples[0]?.value
      if (value === undefined || Number.isNaN(value)) return {status: 'warn', cause: 'no_data', detail: `no ${what} data for ${target.instance}`, evidence: [query]}
      const shown = `${value.toFixed(1)}%`
      if (value < threshold) {
        return {
          status: 'fail',
          cause: kind === 'disk' ? 'disk_low' : 'memory_low',
          detail: `${what} on ${node.name}: ${shown}, below ${threshold}%`,
          evidence: [query],
          hint:
            kind === 'disk'
              ? `free space on ${node.name}'s / (ssh ${node.ssh.user}@${node.address} 'df -h /; du -xsh /var/* | sort -h | tail')`
              : `see what uses the memory on ${node.name} (ssh ${node.ssh.user}@${node.address} 'ps aux --sort=-rss | head')`,
        }
      }
      return {status: 'ok', detail: `${what}: ${shown} (threshold ${threshold}%)`}
    },
  }
}

// ---------------------------------------------------------------- services

function healthCause(probe: HealthProbe, cause: string | undefined): string {
  if (cause === 'auth') return 'authentication'
  if (cause === 'unhealthy') return probe.kind === 'loki' ? 'loki_not_ready' : `${probe.kind}_unhealthy`
  return cause ?? 'error'
}

function healthCheck(cfg: HydraConfig, probe: HealthProbe): Check {
  const onNode = probe.node ? cfg.nodes.find((n) => n.name === probe.node) : undefined
  const isService = !probe.id.includes('/')
  return {
    id: healthCheckId(probe.id),
    kind: 'health',
    group: isService ? probe.id : (probe.node ?? probe.id),
    ...(probe.node ? {node: probe.node} : {}),
    ...(isService ? {service: probe.id} : {}),
    title: `${probe.id} answers ${probe.path}`,
    dependsOn: [],
    ...(onNode ? {reachability: sshCheckId(onNode.name)} : {}),
    timeoutMs: probe.endpoint.timeoutMs + SLACK_MS,
    async run(ctx) {
      const r = await probeHealth(probe, ctx.signal)
      if (r.status === 'ok') return {status: 'ok', detail: `${r.detail} (${r.latencyMs}ms)`}
      const cause = healthCause(probe, r.cause)
      const body = r.detail
      const outcome: CheckOutcome = {
        status: probe.required ? 'fail' : 'warn',
        cause,
        detail: cause === 'loki_not_ready' ? `Loki is not ready: ${body}` : `${probe.id} at ${r.url}: ${body}`,
        // the detail already starts with "HTTP <status>" when the server answered
        evidence: [`GET ${r.url}${r.httpStatus && !body.startsWith('HTTP ') ? ` → HTTP ${r.httpStatus}` : ''}: ${body}`],
        hint:
          cause === 'loki_not_ready'
            ? `Loki answers but is not ready; see why: hydra docker logs ${cfg.loki?.container ?? 'loki'} --tail 50`
            : (r.hint ?? `check ${probe.id}'s logs`),
      }
      if (!probe.required) outcome.detail += ' (optional service)'
      return outcome
    },
  }
}

function prometheusApiCheck(cfg: HydraConfig, kind: 'targets' | 'retention' | 'rules' | 'alerts', title: string, run: Check['run']): Check {
  return {
    id: `${kind}:prometheus`,
    kind,
    group: 'prometheus',
    service: 'prometheus',
    ...(cfg.prometheus.node ? {node: cfg.prometheus.node} : {}),
    title,
    dependsOn: [healthCheckId('prometheus')],
    timeoutMs: cfg.prometheus.timeoutMs * 2 + SLACK_MS,
    run,
  }
}

function prometheusChecks(cfg: HydraConfig): Check[] {
  const known = cfg.nodes.flatMap((n) => n.exporters)
  return [
    prometheusApiCheck(cfg, 'targets', 'every other Prometheus target is up', async (ctx) => {
      const report = await ctx.resources.targets()
      // targets of the config's exporters have their own checks (target:…); these are the rest
      const mine = new Set(known.map((e) => targetForExporter(report.targets, e)).filter(Boolean))
      const others = report.targets.filter((t) => !mine.has(t))
      const down = others.filter((t) => t.health === 'down')
      if (down.length === 0) return {status: 'ok', detail: `${report.summary.up}/${report.summary.total} targets up`}
      const diagnoses = down.map((t) => {
        const node = t.node ? cfg.nodes.find((n) => n.name === t.node) : undefined
        const app = cfg.apps.find((a) => a.node !== undefined && a.node === t.node && Number(/:(\d+)$/.exec(t.instance)?.[1]) === Number(new URL(a.baseUrl).port))
        return {t, d: diagnoseDownTarget({target: t, node}), app}
      })
      return {
        status: 'fail',
        cause: 'targets_down',
        detail: `${down.length} target${down.length === 1 ? '' : 's'} down: ${down.map((t) => `${t.job} ${t.instance}`).join(', ')}`,
        evidence: diagnoses.map(({t}) => `${t.job} ${t.instance}: ${t.lastError || t.health}`),
        hint: diagnoses.map(({t, d, app}) => (app ? `${t.instance} is ${app.id}: hydra health --only ${app.id}` : d.hint)).join('; '),
      }
    }),
    prometheusApiCheck(cfg, 'retention', 'retention as configured', async (ctx) => {
      const prom = ctx.resources.prometheus()
      const optional = <T,>(p: Promise<{data: T}>) => p.then((r) => r.data, () => undefined)
      const [flags, runtime] = await Promise.all([
        optional(prom.api<PrometheusFlags>('GET', '/api/v1/status/flags', {signal: ctx.signal, retries: 0})),
        optional(prom.api<RuntimeInfo>('GET', '/api/v1/status/runtimeinfo', {signal: ctx.signal, retries: 0})),
      ])
      const check = compareRetention(cfg, effectiveRetention(flags, runtime))
      if (check.ok) return {status: 'ok', detail: check.actual ? `retention ${check.actual.text}` : 'no retention configured to compare'}
      return {
        status: 'warn',
        cause: 'retention_mismatch',
        detail: check.mismatches.join('; '),
        evidence: check.actual ? [`server: ${check.actual.text} (from ${check.actual.source})`] : [],
        hint: 'set --storage.tsdb.retention.time/--storage.tsdb.retention.size on Prometheus (they are command-line flags, not prometheus.yml keys), or fix services.prometheus.retention; see: hydra tsdb status',
      }
    }),
    prometheusApiCheck(cfg, 'rules', 'every rule evaluates', async (ctx) => {
      const {data} = await ctx.resources.prometheus().api<{groups: RuleGroup[]}>('GET', '/api/v1/rules', {signal: ctx.signal, retries: 0})
      const bad = unhealthyRules(data.groups)
      const count = data.groups.reduce((n, g) => n + g.rules.length, 0)
      if (bad.length === 0) return {status: 'ok', detail: `${count} rule${count === 1 ? '' : 's'} in ${data.groups.length} groups, all healthy`}
      return {
        status: 'fail',
        cause: 'rule_error',
        detail: `${bad.length} rule${bad.length === 1 ? '' : 's'} failing: ${bad.map((r) => r.rule).join(', ')}`,
        evidence: bad.map((r) => `${r.file} ${r.group}/${r.rule}: ${r.lastError}`),
        hint: 'fix the rule expression (promtool check rules FILE), then reload Prometheus; see: hydra alerts',
      }
    }),
    prometheusApiCheck(cfg, 'alerts', 'no alert firing', async (ctx) => {
      const {data} = await ctx.resources.prometheus().api<{alerts: PromAlert[]}>('GET', '/api/v1/alerts', {signal: ctx.signal, retries: 0})
      const firing = data.alerts.filter((a) => a.state === 'firing')
      const pending = data.alerts.filter((a) => a.state === 'pending')
      if (firing.length === 0) return {status: 'ok', detail: `nothing firing${pending.length ? ` (${pending.length} pending)` : ''}`}
      const names = [...new Set(firing.map((a) => a.labels.alertname ?? '?'))]
      return {
        status: 'fail',
        cause: 'alerts_firing',
        detail: `${firing.length} alert${firing.length === 1 ? '' : 's'} firing: ${names.join(', ')}`,
        evidence: firing.map((a) => `${a.labels.alertname}${a.labels.instance ? ` ${a.labels.instance}` : ''}${a.annotations?.summary ? `: ${a.annotations.summary}` : ''}`),
        hint: 'see them with: hydra alerts',
      }
    }),
  ]
}

function grafanaChecks(cfg: HydraConfig): Check[] {
  const grafana = cfg.grafana
  const checks: Check[] = []
  if (grafana) {
    checks.push({
      id: 'auth:grafana',
      kind: 'auth',
      group: 'grafana',
      service: 'grafana',
      ...(grafana.node ? {node: grafana.node} : {}),
      title: "Grafana accepts hydra's credentials",
      dependsOn: [healthCheckId('grafana')],
      timeoutMs: grafana.timeoutMs + SLACK_MS,
      async run() {
        const client = new GrafanaClient(grafana)
        try {
          await client.checkAccess()
          return {status: 'ok', detail: `accepted ${client.credential}`}
        } catch (error) {
          if (error instanceof HydraError && error.exitCode === 4) {
            return {status: 'fail', cause: 'authentication', detail: error.message, evidence: [error.message], hint: error.hint}
          }
          if (error instanceof UserError) return {status: 'fail', cause: 'credentials_missing', detail: error.message, hint: error.hint}
          return httpFailure('Grafana', error)
        } finally {
          await client.close()
        }
      },
    })
  }
  const backup = cfg.backup.dashboards
  if (backup) {
    const maxAgeMs = backup.maxAgeMs ?? DEFAULT_BACKUP_MAX_AGE_MS
    checks.push({
      id: 'backup:grafana',
      kind: 'backup',
      group: 'grafana',
      service: 'grafana',
      title: `the latest dashboard backup is younger than ${formatDuration(maxAgeMs)} and verifies`,
      dependsOn: [],
      timeoutMs: 30_000,
      async run() {
        const run = `hydra backup dashboards${backup.dir ? '' : ' --dir DIR'}`
        let dir: string
        try {
          dir = await latestCompleteBackup(backup.dir)
        } catch (error) {
          if (error instanceof HydraError) return {status: 'fail', cause: 'backup_missing', detail: error.message, hint: `make one now: ${run}`}
          throw error
        }
        let finishedAt: Date
        try {
          finishedAt = new Date((await readBackupManifest(dir)).finishedAt)
        } catch (error) {
          return {status: 'fail', cause: 'backup_corrupt', detail: errorText(error), hint: `make a new one: ${run}`}
        }
        const ageMs = Date.now() - finishedAt.getTime()
        if (!(ageMs <= maxAgeMs)) {
          return {
            status: 'fail',
            cause: 'backup_stale',
            detail: `the latest backup ${dir} finished ${formatAge(finishedAt)}, more than the ${formatDuration(maxAgeMs)} allowed (backup.dashboards.maxAge)`,
            evidence: [`${dir}: finishedAt ${finishedAt.toISOString()}`],
            hint: `run: ${run}, and check the cron job that should run it (docs/cron.md)`,
          }
        }
        const report = await verifyBackup(dir, {concurrency: backup.concurrency})
        if (!report.ok) {
          return {
            status: 'fail',
            cause: 'backup_corrupt',
            detail: `the latest backup ${dir} does not match its manifest (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`,
            evidence: report.problems.slice(0, 10).map((p) => `${p.kind} ${p.path ?? ''}${p.detail ? `: ${p.detail}` : ''}`),
            hint: `see: hydra backup verify ${dir}; make a new one: ${run}`,
          }
        }
        return {status: 'ok', detail: `${dir}: ${report.dashboards} dashboards, finished ${formatAge(finishedAt)}, verified`}
      },
    })
  }
  return checks
}

function lokiChecks(cfg: HydraConfig): Check[] {
  const loki = cfg.loki
  const checks: Check[] = []
  for (const container of cfg.logs.lokiDriverExpected) {
    const node = nodeForContainer(cfg, container)
    const nodes = node ? [node] : cfg.nodes
    checks.push({
      id: `logdriver:${container}`,
      kind: 'logdriver',
      group: 'docker',
      service: container,
      ...(node ? {node: node.name} : {}),
      title: `container ${container} logs with the loki driver`,
      dependsOn: node ? [sshCheckId(node.name)] : [],
      timeoutMs: Math.max(...nodes.map((n) => n.ssh.connectTimeoutMs + 2 * n.ssh.commandTimeoutMs)) + SLACK_MS,
      async run(ctx) {
        let report
        try {
          report = await checkLogDrivers(cfg, {pool: ctx.resources.pool, nodes: nodes.map((n) => n.name), container})
        } catch (error) {
          if (error instanceof UserError) return {status: 'fail', cause: 'container_missing', detail: error.message, hint: `check the name in logs.lokiDriverExpected (docker ps -a on ${nodes.map((n) => n.name).join(', ')})`}
          throw error
        }
        const row = report.rows[0]
        if (!row) {
          const e = report.errors[0]
          return {status: 'fail', cause: 'ssh_command', detail: e ? e.message : `could not inspect ${container}`, hint: e?.hint}
        }
        const evidence = [`docker inspect ${container} on ${row.node}: HostConfig.LogConfig.Type=${row.driver}`]
        if (!row.ok) return {status: 'fail', cause: 'wrong_log_driver', detail: `${container} on ${row.node} ${row.problem}`, evidence, hint: row.hint}
        return {status: 'ok', detail: `${container} on ${row.node}: driver ${row.driver}`, evidence}
      },
    })
    if (!loki) continue
    const withinMs = cfg.logs.recentWithinMs
    checks.push({
      id: `logs:${container}`,
      kind: 'logs',
      group: 'loki',
      service: container,
      ...(loki.node ? {node: loki.node} : {}),
      title: `Loki has lines from ${container} in the last ${formatDuration(withinMs)}`,
      dependsOn: [healthCheckId('loki'), `logdriver:${container}`],
      timeoutMs: loki.timeoutMs + SLACK_MS,
      async run() {
        const client = new LokiClient(loki)
        // the Loki Docker driver labels lines container_name (api-facts.md §7), not container
        const query = `{container_name=${JSON.stringify(container)}}`
        try {
          const r = await queryLogs(client, {query, sinceMs: withinMs, limit: 1, direction: 'backward'})
          const last = r.entries[0]
          if (!last) {
            return {
              status: 'fail',
              cause: 'no_recent_logs',
              detail: `no line from ${container} in Loki in the last ${formatDuration(withinMs)}`,
              evidence: [`query_range ${query}: 0 lines`],
              hint: `is ${container} running and shipping? hydra docker logs ${container} --tail 20; hydra docker logdriver ${container}`,
            }
          }
          return {status: 'ok', detail: `last line ${formatAge(Number(BigInt(last.ns) / 1_000_000n))}`}
        } catch (error) {
          return httpFailure(`Loki query ${query}`, error)
        } finally {
          await client.close()
        }
      },
    })
  }
  return checks
}

/** Every check the config calls for, in display order: nodes first, then services. */
export function buildCatalogue(cfg: HydraConfig): Check[] {
  const checks: Check[] = []
  const probes = buildProbes(cfg)
  for (const node of cfg.nodes) {
    checks.push(sshCheck(cfg, node))
    const withFirewall = node.firewall !== 'none'
    for (const e of node.exporters) {
      checks.push(exporterCheck(node, e))
      if (withFirewall) checks.push(firewallCheck(node, e))
      checks.push(fetchCheck(cfg, node, e, withFirewall), targetCheck(cfg, node, e))
      const probe = probes.find((p) => p.id === e.id)
      if (probe) checks.push({...healthCheck(cfg, probe), dependsOn: [fetchCheckId(e)]})
    }
    const nodeExporter = node.exporters.find(isNodeExporter)
    if (nodeExporter) checks.push(percentCheck(cfg, node, nodeExporter, 'disk'), percentCheck(cfg, node, nodeExporter, 'memory'))
  }
  const serviceProbes = probes.filter((p) => !p.id.includes('/'))
  const byId = (id: string) => serviceProbes.find((p) => p.id === id)
  const prom = byId('prometheus')
  if (prom) checks.push(healthCheck(cfg, prom), ...prometheusChecks(cfg))
  const grafana = byId('grafana')
  if (grafana) checks.push(healthCheck(cfg, grafana))
  checks.push(...grafanaChecks(cfg))
  const loki = byId('loki')
  if (loki) checks.push(healthCheck(cfg, loki))
  checks.push(...lokiChecks(cfg))
  for (const p of serviceProbes) if (!['prometheus', 'grafana', 'loki'].includes(p.id)) checks.push(healthCheck(cfg, p))
  return checks
}

export interface SelectOptions {
  /** keep only checks matching one of these (kind, node, service, group or check id) */
  only?: string[]
  /** drop checks matching one of these */
  skip?: string[]
}

function matches(check: Check, selector: string): boolean {
  return check.kind === selector || check.group === selector || check.node === selector || check.service === selector || check.id === selector
}

/**
 * --only / --skip. An unknown selector is a usage error that lists the valid ones. Dependencies on
 * checks left out are dropped: the remaining check then runs on its own (a target check left alone
 * gathers its own evidence for the diagnosis).
 */
export function selectChecks(checks: Check[], options: SelectOptions): Check[] {
  const valid = new Set<string>([...CHECK_KINDS, ...checks.flatMap((c) => [c.group, c.node, c.service, c.id].filter((x): x is string => Boolean(x)))])
  for (const s of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!valid.has(s)) {
      const names = [...new Set(checks.flatMap((c) => [c.group, c.node, c.service].filter((x): x is string => Boolean(x))))].sort()
      throw new UserError(`--only/--skip ${JSON.stringify(s)} names no check, node, service or check kind`, {
        code: 'unknown_check_selector',
        hint: `use a kind (${CHECK_KINDS.join(', ')}), a node or service (${names.join(', ')}), or a check id from --json`,
      })
    }
  }
  const kept = checks.filter((c) => (!options.only?.length || options.only.some((s) => matches(c, s))) && !options.skip?.some((s) => matches(c, s)))
  const ids = new Set(kept.map((c) => c.id))
  return kept.map((c) => ({
    ...c,
    dependsOn: c.dependsOn.filter((d) => ids.has(d)),
    ...(c.reachability && !ids.has(c.reachability) ? {reachability: undefined} : {}),
  }))
}

export {passed}
