/**
 * Prometheus's own status (api-facts.md §1): runtimeinfo (start time, whether the last config
 * reload succeeded, when the config in effect was loaded, retention) and the command-line flags.
 */
import type {CallOptions, PrometheusClient} from './client.js'
import type {PrometheusFlags, RuntimeInfo} from './tsdb.js'

export interface RuntimeStatus extends RuntimeInfo {
  /** false: the last reload failed and the server still runs the config loaded at lastConfigTime */
  reloadConfigSuccess?: boolean
  /** RFC 3339: when the config in effect was loaded */
  lastConfigTime?: string
}

/** GET /api/v1/status/runtimeinfo. */
export async function runtimeInfo(prom: PrometheusClient, options: CallOptions = {}): Promise<RuntimeStatus> {
  return (await prom.api<RuntimeStatus>('GET', '/api/v1/status/runtimeinfo', options)).data
}

/** GET /api/v1/status/flags: every command-line flag as a string (config.file, storage.tsdb.path, …). */
export async function serverFlags(prom: PrometheusClient, options: CallOptions = {}): Promise<PrometheusFlags> {
  return (await prom.api<PrometheusFlags>('GET', '/api/v1/status/flags', options)).data
}
