/**
 * config:prometheus — Prometheus runs the config on disk: its last reload succeeded. When a reload
 * fails (a bad prometheus.yml or rule file), Prometheus keeps running the config it loaded before,
 * so new scrape targets and rules silently never arrive; /-/ready and the other checks stay green.
 */
import type {HydraConfig} from '../../../config/resolve.js'
import {OperationError} from '../../../errors.js'
import {PrometheusApiError, UnsupportedPathError} from '../../../prometheus/client.js'
import {runtimeInfo, serverFlags} from '../../../prometheus/status.js'
import {formatAge} from '../../../output/time.js'
import type {Check} from '../../model.js'
import {prometheusApiCheck} from './api-check.js'

export function configReloadCheck(cfg: HydraConfig): Check {
  return prometheusApiCheck(cfg, 'config', 'Prometheus runs the config on disk (its last reload succeeded)', async (ctx) => {
    const prom = ctx.resources.prometheus()
    const options = {signal: ctx.signal, retries: 0}
    let info
    try {
      info = await runtimeInfo(prom, options)
    } catch (error) {
      // a server or proxy that does not serve runtimeinfo (VictoriaMetrics, Thanos) says nothing of reloads
      if (error instanceof UnsupportedPathError || (error instanceof PrometheusApiError && error.status === 404) || (error instanceof OperationError && /HTTP 404/.test(error.message))) return {status: 'ok', detail: 'the server does not report config reloads (no /api/v1/status/runtimeinfo)'}
      throw error
    }
    const loaded = info.lastConfigTime ? `${formatAge(new Date(info.lastConfigTime))} (${info.lastConfigTime})` : 'at start-up'
    if (info.reloadConfigSuccess !== false) return {status: 'ok', detail: `config loaded ${loaded}`}
    const flags = await serverFlags(prom, options).catch(() => undefined)
    const file = flags?.['config.file'] ?? 'prometheus.yml'
    const exec = cfg.prometheus.container ? `docker exec ${cfg.prometheus.container} ` : ''
    const reload =
      flags?.['web.enable-lifecycle'] === 'true'
        ? `curl -X POST ${prom.baseUrl}/-/reload`
        : cfg.prometheus.container
          ? `docker kill -s HUP ${cfg.prometheus.container}`
          : 'sudo systemctl reload prometheus (SIGHUP)'
    return {
      status: 'fail',
      cause: 'config_reload_failed',
      detail: `Prometheus's last config reload failed: it still runs the config loaded ${loaded}, not ${file} as it is on disk`,
      evidence: [`GET ${prom.baseUrl}/api/v1/status/runtimeinfo: reloadConfigSuccess=false, lastConfigTime=${info.lastConfigTime ?? '?'}`, `--config.file=${file}`],
      hint: `see why: ${exec}promtool check config ${file} (and the rule files it names); fix it, then reload: ${reload}. Prometheus logs the cause as "Error reloading config"`,
    }
  })
}
