/** panels:grafana (broken panels, a warning) against Grafana's answers and Prometheus's metric names. */
import type {Server} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {brokenPanelsCheck} from '../../../../../src/lib/doctor/catalogue/grafana/panels.js'
import {configFor, ctxFor, fakeGrafana, fixture} from '../../../../helpers/fake-grafana.js'

const servers: Server[] = []
afterEach(() => servers.splice(0).forEach((s) => s.close()))

/** what the lab's Prometheus lists (utkuozdemir/nvidia_gpu_exporter and node_exporter names) */
const METRICS = ['node_cpu_seconds_total', 'nvidia_smi_temperature_gpu', 'nvidia_smi_power_draw_watts', 'up']

async function run(uids: string[]) {
  const hits = (JSON.parse(fixture('search-runbook.json')) as {uid: string}[]).filter((h) => uids.includes(h.uid))
  const routes = {
    'GET /api/health': {body: fixture('health.json')},
    'GET /api/datasources': {body: [] as unknown[]},
    'GET /api/search': {body: hits},
    'GET /api/dashboards/uid/gpu-overview': {body: fixture('dashboard-gpu-overview.json')},
  }
  const g = await fakeGrafana(routes)
  servers.push(g.server)
  const cfg = configFor(g.url)
  routes['GET /api/datasources'].body = [{id: 1, uid: 'prometheus', orgId: 1, name: 'Prometheus', type: 'prometheus', access: 'proxy', url: cfg.prometheus.baseUrl, isDefault: true, jsonData: {}, readOnly: false}]
  return brokenPanelsCheck(cfg).run(ctxFor(cfg, {metricNames: METRICS}))
}

describe('panels:grafana', () => {
  it('runs after auth and Prometheus health (the metric names come from Prometheus)', () => {
    expect(brokenPanelsCheck(configFor('http://127.0.0.1:1'))).toMatchObject({id: 'panels:grafana', kind: 'panels', dependsOn: ['auth:grafana', 'health:prometheus']})
  })

  it('ok when no panel is broken', async () => {
    expect(await run([])).toEqual({status: 'ok', detail: '0 panels in 0 dashboards checked against 4 metric names: none broken'})
  })

  it("the runbook's nvidia_gpu_* panels: a WARNING with the count, each panel and its replacement, and the command that shows them", async () => {
    const outcome = await run(['gpu-overview'])
    expect(outcome).toMatchObject({status: 'warn', cause: 'broken_panels', detail: '2 broken panels of 3 panels in 1 dashboard: GPU Overview (2)', hint: 'see them: hydra dashboards check gpu-overview'})
    expect(outcome.evidence).toEqual([
      expect.stringMatching(/^GPU Overview \(gpu-overview\) \/ panel 1 "GPU temperature": .*nvidia_gpu_temperature_celsius.* → use nvidia_smi_temperature_gpu$/),
      expect.stringMatching(/^GPU Overview \(gpu-overview\) \/ panel 2 "GPU power": .*nvidia_gpu_power_draw_watts.* → use nvidia_smi_power_draw_watts$/),
    ])
  })
})
