/** hydra's own view of an exporter: can it GET the metrics path (runbook step 3, "test connectivity")? */
import type {ResolvedExporter} from '../config/resolve.js'
import {HttpClient, isHttpError} from '../clients/http/index.js'
import type {FetchResult} from './status.js'

export async function fetchExporterMetrics(e: ResolvedExporter, timeoutMs: number): Promise<FetchResult> {
  const client = new HttpClient({baseUrl: `${e.scheme}://${e.url.split('://')[1]!.split('/')[0]}`, timeoutMs, retries: 0, maxBodyBytes: 8 * 1024 * 1024, name: e.id})
  const started = performance.now()
  try {
    const res = await client.request('GET', e.path, {okStatus: 'any', retries: 0})
    const latencyMs = Math.round(res.elapsedMs)
    if (res.status < 200 || res.status > 299) return {ok: false, status: res.status, latencyMs, detail: `HTTP ${res.status} ${res.statusText}`}
    const text = res.text()
    // An exporter answers in the Prometheus text format; a proxy's or router's page does not.
    const looksLikeMetrics = /^(# (HELP|TYPE) |[a-zA-Z_:][a-zA-Z0-9_:]*(\{| ))/m.test(text)
    return looksLikeMetrics
      ? {ok: true, status: res.status, latencyMs, detail: `HTTP ${res.status}, ${text.length} bytes`}
      : {ok: false, status: res.status, latencyMs, detail: `HTTP ${res.status} but the body is not Prometheus metrics`}
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started)
    if (isHttpError(error)) return {ok: false, latencyMs, detail: error.summary}
    return {ok: false, latencyMs, detail: (error as Error).message}
  } finally {
    await client.close()
  }
}
