/** A loopback HTTP server answering Grafana's routes from fixtures, and a lab config pointing at it. */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {readFileSync} from 'node:fs'

import type {HydraConfig} from '../../src/lib/config/resolve.js'
import type {CheckContext, CheckResult} from '../../src/lib/doctor/model.js'
import type {PrometheusClient} from '../../src/lib/prometheus/client.js'
import {labConfig} from './lab-config.js'

export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/grafana/${name}`, import.meta.url), 'utf8')

export type Answer = {status?: number; body: unknown}
/** A route answers the same always, or per request (its URL, query included). */
export type Routes = Record<string, Answer | ((url: URL) => Answer)>

export const TOKEN_ENV = 'HYDRA_UNIT_GRAFANA_TOKEN'

/** Serve `GET /path` → answer (a string body is sent as is). Every request is recorded. */
export async function fakeGrafana(routes: Routes): Promise<{url: string; seen: string[]; server: Server}> {
  const seen: string[] = []
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!
    seen.push(`${req.method} ${path}`)
    const route = routes[`${req.method} ${path}`]
    const answer = typeof route === 'function' ? route(new URL(req.url ?? '/', 'http://fake')) : route
    const status = answer ? (answer.status ?? 200) : 404
    const body = answer ? (typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)) : '{"message":"Not found"}'
    res.writeHead(status, {'content-type': 'application/json'}).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server}
}

export function configFor(grafanaUrl: string, change: (doc: any) => void = () => {}): HydraConfig {
  process.env[TOKEN_ENV] = 'glsa_unit_token'
  return labConfig((doc) => {
    doc.services.grafana = {url: grafanaUrl, auth: {tokenEnv: TOKEN_ENV}, expectedDashboards: [{title: 'Node Exporter Full', gnetId: 1860}]}
    change(doc)
  })
}

export function ctxFor(cfg: HydraConfig, options: {metricNames?: string[]; outcomes?: Record<string, CheckResult['status']>} = {}): CheckContext {
  const prom = {
    baseUrl: cfg.prometheus.baseUrl,
    api: async (_method: string, path: string) => {
      if (path !== '/api/v1/label/__name__/values') throw new Error(`unexpected Prometheus call ${path}`)
      return {data: options.metricNames ?? [], warnings: []}
    },
  } as unknown as PrometheusClient
  return {
    cfg,
    signal: new AbortController().signal,
    resources: {prometheus: () => prom} as unknown as CheckContext['resources'],
    outcomeOf: (id) => (options.outcomes?.[id] ? ({id, status: options.outcomes[id]} as CheckResult) : undefined),
  }
}
