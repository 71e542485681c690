/**
 * Prometheus `scrape_configs` (and a whole prometheus.yml) rendered from the cluster config.
 *
 * One job per Prometheus job name: every exporter of every node grouped by `exporter.job`, plus one
 * job per app that declares `metrics` (TabbyAPI has no /metrics on main, so it gets none).
 * Each node's targets form one static_config labelled `node: <name>`, so every series carries
 * the node it came from. Pure functions: `hydra config scrape` prints them and diffs them against
 * the live Prometheus; the test lab feeds the rendered file to a real Prometheus.
 *
 * Auth is deliberately not rendered: the config's secrets are references on hydra's machine
 * (env vars, files), which mean nothing to Prometheus on its own node.
 */
import {Document} from 'yaml'

import {hostForUrl, type HydraConfig} from '../config/resolve.js'

export interface StaticConfig {
  targets: string[]
  /** `node` always when the target's node is known; omitted when empty */
  labels?: Record<string, string>
}

export interface ScrapeConfig {
  job_name: string
  scrape_interval?: string
  scrape_timeout?: string
  /** only when not /metrics (the Prometheus default) */
  metrics_path?: string
  /** only when https (http is the Prometheus default) */
  scheme?: 'https'
  tls_config?: {insecure_skip_verify?: boolean; server_name?: string}
  static_configs: StaticConfig[]
}

export interface ScrapeConfigOptions {
  /** per-job scrape_interval; omitted → the global one applies */
  scrapeInterval?: string
  /** per-job scrape_timeout; omitted → Prometheus's default (global, capped at the interval) */
  scrapeTimeout?: string
}

export interface PrometheusYamlOptions extends ScrapeConfigOptions {
  /** global.scrape_interval (default 15s, as in the runbook) */
  globalScrapeInterval?: string
  /** global.evaluation_interval (default: the global scrape interval) */
  evaluationInterval?: string
  ruleFiles?: string[]
  /** `host:port` or URLs; default: the config's alertmanager, if any */
  alertmanagers?: string[]
  externalLabels?: Record<string, string>
}

interface TargetEntry {
  job: string
  node?: string
  target: string
  path: string
  scheme: 'http' | 'https'
  tls?: {insecure_skip_verify?: boolean; server_name?: string}
}

const DEFAULT_PATH = '/metrics'

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80
}

function targetEntries(cfg: HydraConfig): TargetEntry[] {
  const entries: TargetEntry[] = []
  for (const node of cfg.nodes) {
    for (const e of node.exporters) {
      entries.push({job: e.job, node: node.name, target: `${hostForUrl(e.address)}:${e.port}`, path: e.path, scheme: e.scheme})
    }
  }
  for (const app of cfg.apps) {
    if (!app.metrics) continue
    const u = new URL(app.baseUrl)
    const scheme = u.protocol === 'https:' ? 'https' : 'http'
    // URL.host drops a default port; Prometheus needs it explicit to be unambiguous
    const target = u.port ? u.host : `${u.host}:${defaultPort(scheme)}`
    const prefix = u.pathname.replace(/\/+$/, '')
    const node = app.node ?? cfg.nodes.find((n) => hostForUrl(n.address) === u.hostname)?.name
    const tls =
      app.tls && (app.tls.insecureSkipVerify !== undefined || app.tls.serverName !== undefined)
        ? {
            ...(app.tls.insecureSkipVerify === undefined ? {} : {insecure_skip_verify: app.tls.insecureSkipVerify}),
            ...(app.tls.serverName === undefined ? {} : {server_name: app.tls.serverName}),
          }
        : undefined
    entries.push({job: app.job ?? app.id, node, target, path: `${prefix}${app.metrics}`, scheme, tls})
  }
  return entries
}

/**
 * One scrape config per job, in the order the jobs first appear in the config (nodes' exporters,
 * then apps). A job whose targets disagree on path or scheme keeps the first one at job level and
 * overrides it per group with the `__metrics_path__` / `__scheme__` target labels, which
 * Prometheus honours for static targets.
 */
export function renderScrapeConfigs(cfg: HydraConfig, opts: ScrapeConfigOptions = {}): ScrapeConfig[] {
  const byJob = new Map<string, TargetEntry[]>()
  for (const e of targetEntries(cfg)) {
    const list = byJob.get(e.job)
    if (list) list.push(e)
    else byJob.set(e.job, [e])
  }

  const configs: ScrapeConfig[] = []
  for (const [job, entries] of byJob) {
    const first = entries[0]!
    const groups = new Map<string, StaticConfig>()
    for (const e of entries) {
      const key = JSON.stringify([e.node ?? null, e.path, e.scheme])
      let group = groups.get(key)
      if (!group) {
        const labels: Record<string, string> = {}
        if (e.node !== undefined) labels.node = e.node
        if (e.path !== first.path) labels.__metrics_path__ = e.path
        if (e.scheme !== first.scheme) labels.__scheme__ = e.scheme
        group = Object.keys(labels).length > 0 ? {targets: [], labels} : {targets: []}
        groups.set(key, group)
      }
      if (!group.targets.includes(e.target)) group.targets.push(e.target)
    }
    const sc: ScrapeConfig = {job_name: job, static_configs: []}
    if (opts.scrapeInterval) sc.scrape_interval = opts.scrapeInterval
    if (opts.scrapeTimeout) sc.scrape_timeout = opts.scrapeTimeout
    if (first.path !== DEFAULT_PATH) sc.metrics_path = first.path
    if (first.scheme === 'https') sc.scheme = 'https'
    const tls = entries.find((e) => e.tls)?.tls
    if (tls) sc.tls_config = tls
    sc.static_configs = [...groups.values()]
    configs.push(sc)
  }
  return configs
}

interface AlertmanagerConfig {
  scheme?: 'https'
  path_prefix?: string
  static_configs: {targets: string[]}[]
}

function alertmanagerConfigs(targets: string[]): AlertmanagerConfig[] {
  const groups = new Map<string, AlertmanagerConfig>()
  for (const t of targets) {
    let scheme: 'http' | 'https' = 'http'
    let hostPort = t
    let prefix = ''
    if (/^[a-z]+:\/\//i.test(t)) {
      const u = new URL(t)
      scheme = u.protocol === 'https:' ? 'https' : 'http'
      hostPort = u.port ? u.host : `${u.host}:${defaultPort(scheme)}`
      prefix = u.pathname.replace(/\/+$/, '')
    }
    const key = `${scheme} ${prefix}`
    let group = groups.get(key)
    if (!group) {
      group = {static_configs: [{targets: []}]}
      if (scheme === 'https') group.scheme = 'https'
      if (prefix) group.path_prefix = prefix
      groups.set(key, group)
    }
    group.static_configs[0]!.targets.push(hostPort)
  }
  return [...groups.values()]
}

/** The full prometheus.yml text: global settings, rule files, alerting and the scrape configs. */
export function renderPrometheusYaml(cfg: HydraConfig, opts: PrometheusYamlOptions = {}): string {
  const scrapeInterval = opts.globalScrapeInterval ?? '15s'
  const global: Record<string, unknown> = {
    scrape_interval: scrapeInterval,
    evaluation_interval: opts.evaluationInterval ?? scrapeInterval,
  }
  if (opts.externalLabels && Object.keys(opts.externalLabels).length > 0) global.external_labels = opts.externalLabels

  const body: Record<string, unknown> = {global}
  const alertmanagers = opts.alertmanagers ?? (cfg.alertmanager ? [cfg.alertmanager.baseUrl] : [])
  if (alertmanagers.length > 0) body.alerting = {alertmanagers: alertmanagerConfigs(alertmanagers)}
  if (opts.ruleFiles && opts.ruleFiles.length > 0) body.rule_files = opts.ruleFiles
  body.scrape_configs = renderScrapeConfigs(cfg, opts)

  const doc = new Document(body)
  doc.commentBefore = ` prometheus.yml rendered by hydra from the cluster config (cluster: ${cfg.cluster}).\n Retention is set by flags (--storage.tsdb.retention.time/size), not here.`
  return doc.toString({lineWidth: 0})
}
