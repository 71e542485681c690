/**
 * Drift between the scrape configs hydra renders from the cluster config and the ones the live
 * Prometheus runs with (GET /api/v1/status/config → {"yaml": …}). Compared target by target:
 * (job, host:port), plus the metrics path, so a moved exporter or a forgotten job shows up.
 */
import {parse} from 'yaml'

import {ExitCode, OperationError, type ExitCodeValue} from '../errors.js'
import {canonicalHost, resolveHosts} from '../net/hosts.js'
import type {PrometheusClient} from './client.js'
import type {ScrapeConfig} from './scrape-config.js'

export interface ScrapeTarget {
  job: string
  target: string
  metricsPath: string
  scheme: string
}

export interface ScrapeDrift {
  prometheus: string
  /** in the hydra config, not scraped by Prometheus */
  missingFromPrometheus: ScrapeTarget[]
  /** scraped by Prometheus, not in the hydra config */
  missingFromConfig: ScrapeTarget[]
  /** same job and target, other path or scheme */
  changed: {job: string; target: string; expected: string; live: string}[]
  /** live jobs that discover targets dynamically (file_sd, dns_sd, …): not comparable */
  dynamicJobs: string[]
  inSync: boolean
  /** 1 when the live Prometheus differs from the config (not in sync) */
  exitCode: ExitCodeValue
}

interface LiveScrapeConfig {
  job_name?: string
  metrics_path?: string
  scheme?: string
  static_configs?: {targets?: string[]; labels?: Record<string, string>}[]
  [key: string]: unknown
}

function targetsOf(sc: {job_name?: string; metrics_path?: string; scheme?: string; static_configs?: {targets?: string[]; labels?: Record<string, string>}[]}): ScrapeTarget[] {
  const out: ScrapeTarget[] = []
  for (const group of sc.static_configs ?? []) {
    for (const target of group.targets ?? []) {
      out.push({
        job: sc.job_name ?? '?',
        target,
        // the __metrics_path__ / __scheme__ target labels override the job's, as in Prometheus
        metricsPath: group.labels?.__metrics_path__ ?? sc.metrics_path ?? '/metrics',
        scheme: group.labels?.__scheme__ ?? sc.scheme ?? 'http',
      })
    }
  }
  return out
}

/** The live config's YAML → its static targets, and the names of jobs with service discovery. Pure. */
export function liveScrapeTargets(yamlText: string): {targets: ScrapeTarget[]; dynamicJobs: string[]} {
  let doc: {scrape_configs?: LiveScrapeConfig[]} | null
  try {
    doc = parse(yamlText) as {scrape_configs?: LiveScrapeConfig[]} | null
  } catch (error) {
    throw new OperationError('prometheus_config_yaml', `the live Prometheus config is not valid YAML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const targets: ScrapeTarget[] = []
  const dynamicJobs: string[] = []
  for (const sc of doc?.scrape_configs ?? []) {
    targets.push(...targetsOf(sc))
    if (Object.keys(sc).some((k) => k.endsWith('_sd_configs'))) dynamicJobs.push(sc.job_name ?? '?')
  }
  return {targets, dynamicJobs}
}

/** job + host:port, the host compared by address (a name and the address it resolves to are one target) */
const key = (t: ScrapeTarget) => {
  const colon = t.target.lastIndexOf(':')
  const host = colon > 0 && !t.target.endsWith(']') ? t.target.slice(0, colon) : t.target
  const port = colon > 0 && !t.target.endsWith(']') ? t.target.slice(colon) : ''
  return `${t.job}\u0000${canonicalHost(host)}${port}`
}

/** Rendered vs live. Pure. */
export function compareScrapeConfigs(prometheus: string, rendered: ScrapeConfig[], liveYaml: string): ScrapeDrift {
  const expected = rendered.flatMap((sc) => targetsOf(sc))
  const live = liveScrapeTargets(liveYaml)
  const liveByKey = new Map(live.targets.map((t) => [key(t), t]))
  const expectedByKey = new Map(expected.map((t) => [key(t), t]))
  const missingFromPrometheus = expected.filter((t) => !liveByKey.has(key(t)))
  const missingFromConfig = live.targets.filter((t) => !expectedByKey.has(key(t)))
  const changed: ScrapeDrift['changed'] = []
  for (const t of expected) {
    const l = liveByKey.get(key(t))
    if (l && (l.metricsPath !== t.metricsPath || l.scheme !== t.scheme)) {
      changed.push({job: t.job, target: t.target, expected: `${t.scheme} ${t.metricsPath}`, live: `${l.scheme} ${l.metricsPath}`})
    }
  }
  const inSync = missingFromPrometheus.length === 0 && missingFromConfig.length === 0 && changed.length === 0
  return {
    prometheus,
    missingFromPrometheus,
    missingFromConfig,
    changed,
    dynamicJobs: live.dynamicJobs,
    inSync,
    exitCode: driftExitCode(inSync),
  }
}

/** The exit policy of a drift report (config scrape --diff, rules diff), pure: 1 unless in sync. */
export function driftExitCode(inSync: boolean): ExitCodeValue {
  return inSync ? ExitCode.OK : ExitCode.FAILURE
}

export async function scrapeDrift(prom: PrometheusClient, rendered: ScrapeConfig[]): Promise<ScrapeDrift> {
  const {data} = await prom.api<{yaml: string}>('GET', '/api/v1/status/config')
  const hostOf = (t: ScrapeTarget) => t.target.replace(/:\d+$/, '')
  await resolveHosts([...rendered.flatMap((sc) => targetsOf(sc)), ...liveScrapeTargets(data.yaml).targets].map(hostOf))
  return compareScrapeConfigs(prom.baseUrl, rendered, data.yaml)
}
