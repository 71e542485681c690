/** The catalogue built from the lab's config: which checks, in which order, and their chains. */
import {describe, expect, it} from 'vitest'

import {buildCatalogue, CHECK_KINDS, FAMILIES} from '../../../src/lib/doctor/catalogue/index.js'
import {buildProbes} from '../../../src/lib/health/probes.js'
import {labConfig} from '../../helpers/lab-config.js'

const cfg = labConfig()
const catalogue = buildCatalogue(cfg)
const byId = (id: string) => catalogue.find((c) => c.id === id)!

describe('buildCatalogue', () => {
  it('has every check of the runbook for the lab config, in display order, ids unique', () => {
    const ids = catalogue.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    // the runbook's checks, in this order; a new check may sit between them (adding one does not touch this test)
    const runbook = [
      'ssh:hydra-storage',
      // hydra-storage declares `firewall: iptables`
      'exporter:hydra-storage/node', 'firewall:hydra-storage/node', 'fetch:hydra-storage/node', 'target:hydra-storage/node',
      'exporter:hydra-storage/cadvisor', 'firewall:hydra-storage/cadvisor', 'fetch:hydra-storage/cadvisor', 'target:hydra-storage/cadvisor', 'health:hydra-storage/cadvisor',
      'disk:hydra-storage', 'memory:hydra-storage',
      'ssh:hydra-compute',
      'exporter:hydra-compute/node', 'firewall:hydra-compute/node', 'fetch:hydra-compute/node', 'target:hydra-compute/node',
      'exporter:hydra-compute/gpu', 'firewall:hydra-compute/gpu', 'fetch:hydra-compute/gpu', 'target:hydra-compute/gpu',
      'disk:hydra-compute', 'memory:hydra-compute',
      'ssh:hydra-ai',
      'exporter:hydra-ai/node', 'firewall:hydra-ai/node', 'fetch:hydra-ai/node', 'target:hydra-ai/node',
      'exporter:hydra-ai/gpu', 'firewall:hydra-ai/gpu', 'fetch:hydra-ai/gpu', 'target:hydra-ai/gpu',
      'disk:hydra-ai', 'memory:hydra-ai',
      'health:prometheus', 'targets:prometheus', 'retention:prometheus', 'rules:prometheus', 'alerts:prometheus',
      'health:grafana', 'auth:grafana', 'backup:grafana',
      'health:loki', 'logdriver:tabbyapi', 'logs:tabbyapi',
      'health:alertmanager', 'health:tabbyapi', 'health:ollama', 'health:litellm', 'health:qdrant',
    ]
    expect(ids.filter((id) => runbook.includes(id))).toEqual(runbook)
  })

  it("lists the families' checks family by family, each family's checks together", () => {
    const probes = buildProbes(cfg)
    expect(catalogue.map((c) => c.id)).toEqual(FAMILIES.flatMap((f) => f.checks(cfg, probes).map((c) => c.id)))
    expect(FAMILIES.map((f) => f.name)).toEqual(['node', 'prometheus', 'grafana', 'backup', 'loki', 'alertmanager', 'apps'])
  })

  it('every dependency names a check of the catalogue', () => {
    const ids = new Set(catalogue.map((c) => c.id))
    for (const c of catalogue) for (const d of [...c.dependsOn, ...(c.reachability ? [c.reachability] : [])]) expect(ids.has(d), `${c.id} → ${d}`).toBe(true)
  })

  it('chains each exporter: ssh → state and firewall → fetch → Prometheus target → disk/memory', () => {
    expect(byId('exporter:hydra-compute/node').dependsOn).toEqual(['ssh:hydra-compute'])
    expect(byId('firewall:hydra-compute/node').dependsOn).toEqual(['ssh:hydra-compute', 'exporter:hydra-compute/node'])
    expect(byId('fetch:hydra-compute/node')).toMatchObject({dependsOn: ['exporter:hydra-compute/node', 'firewall:hydra-compute/node'], reachability: 'ssh:hydra-compute'})
    expect(byId('target:hydra-compute/node').dependsOn).toEqual(['health:prometheus', 'fetch:hydra-compute/node'])
    expect(byId('disk:hydra-compute').dependsOn).toEqual(['health:prometheus', 'target:hydra-compute/node'])
    // HTTP checks of services on a node wait for that node's reachability, once
    expect(byId('health:tabbyapi')).toMatchObject({reachability: 'ssh:hydra-ai', service: 'tabbyapi', node: 'hydra-ai', group: 'tabbyapi'})
    expect(byId('logdriver:tabbyapi')).toMatchObject({dependsOn: ['ssh:hydra-ai'], node: 'hydra-ai', group: 'docker'})
    expect(byId('logs:tabbyapi').dependsOn).toEqual(['health:loki', 'logdriver:tabbyapi'])
    expect(byId('auth:grafana').dependsOn).toEqual(['health:grafana'])
  })

  it('no firewall checks on a node with firewall: none; no log checks without lokiDriverExpected', () => {
    const c = buildCatalogue(labConfig((doc) => {
      doc.nodes['hydra-ai'].firewall = 'none'
      doc.logs.lokiDriverExpected = []
    }))
    expect(c.some((x) => x.id === 'firewall:hydra-ai/node')).toBe(false)
    expect(c.find((x) => x.id === 'fetch:hydra-ai/node')!.dependsOn).toEqual(['exporter:hydra-ai/node'])
    expect(c.some((x) => x.kind === 'logs' || x.kind === 'logdriver')).toBe(false)
  })
})

describe('CHECK_KINDS', () => {
  it("collects every family's kinds, once, in catalogue order", () => {
    expect(new Set(CHECK_KINDS).size).toBe(CHECK_KINDS.length)
    const runbook = ['ssh', 'exporter', 'firewall', 'fetch', 'target', 'disk', 'memory', 'health', 'targets', 'retention', 'rules', 'alerts', 'auth', 'backup', 'logs', 'logdriver']
    expect(CHECK_KINDS.filter((k) => runbook.includes(k))).toEqual(runbook)
    for (const c of catalogue) expect(CHECK_KINDS, c.id).toContain(c.kind)
  })
})
