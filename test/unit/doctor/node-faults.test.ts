/** One fault, one problem: a node's Docker daemon down fails every container check there; one stays the problem. */
import {describe, expect, it} from 'vitest'

import {parseConfigText} from '../../../src/lib/config/loader.js'
import {DEFAULT_CONFIG_YAML} from '../../../src/lib/config/default-config.js'
import {resolveConfig} from '../../../src/lib/config/resolve.js'
import type {CheckResult} from '../../../src/lib/doctor/model.js'
import {foldNodeFaults} from '../../../src/lib/doctor/node-faults.js'

const r = (id: string, node: string | undefined, status: CheckResult['status'], cause?: string, evidence?: string[]): CheckResult => ({
  id,
  kind: id.split(':')[0]!,
  group: node ?? 'docker',
  ...(node ? {node} : {}),
  title: id,
  status,
  detail: `${id} detail`,
  ...(cause ? {cause, hint: `${id} hint`} : {}),
  ...(evidence ? {evidence} : {}),
  durationMs: 1,
})

// the embedded config: prometheus and loki run as containers on hydra-storage, tabbyapi on hydra-ai
const cfg = resolveConfig(parseConfigText(DEFAULT_CONFIG_YAML, 'default'))

describe('foldNodeFaults', () => {
  it("the first docker_down of a node stays the problem; the node's others are skipped under it, named in its evidence with their explained alerts", () => {
    const results = [
      r('exporter:hydra-storage/cadvisor', 'hydra-storage', 'fail', 'docker_down', ['container: …']),
      r('exporter:hydra-storage/node', 'hydra-storage', 'fail', 'docker_down', ['ss -ltn: …', 'Prometheus fires NodeExporterDown{instance="h:9100"}: explained by this failure']),
      r('logdriver:loki', 'hydra-storage', 'fail', 'docker_down'),
      r('exporter:hydra-ai/node', 'hydra-ai', 'fail', 'unit_inactive'),
    ]
    const out = foldNodeFaults(cfg, results)
    expect(out.map((x) => [x.id, x.status, x.cause])).toEqual([
      ['exporter:hydra-storage/cadvisor', 'fail', 'docker_down'],
      ['exporter:hydra-storage/node', 'skipped', undefined],
      ['logdriver:loki', 'skipped', undefined],
      ['exporter:hydra-ai/node', 'fail', 'unit_inactive'],
    ])
    expect(out[0]!.evidence).toEqual([
      'container: …',
      'exporter:hydra-storage/node fails the same way (skipped under this failure)',
      'Prometheus fires NodeExporterDown{instance="h:9100"}: explained by this failure',
      'logdriver:loki fails the same way (skipped under this failure)',
    ])
    expect(out[1]).toMatchObject({detail: 'skipped: exporter:hydra-storage/cadvisor failed', hint: undefined, evidence: undefined})
  })

  it('each node and each cause is its own problem; results without a node, other causes and passes are left alone', () => {
    const results = [
      r('exporter:hydra-storage/cadvisor', 'hydra-storage', 'fail', 'docker_down'),
      r('logdriver:tabbyapi', 'hydra-ai', 'fail', 'docker_down'),
      r('logdriver:ollama', 'hydra-ai', 'fail', 'docker_permission'),
      r('logdriver:anywhere', undefined, 'fail', 'docker_down'),
      r('exporter:hydra-compute/node', 'hydra-compute', 'ok'),
    ]
    expect(foldNodeFaults(cfg, results)).toBe(results)
  })

  it("a containerised service refusing connections on that node is the daemon's consequence; elsewhere, or failing otherwise, its own problem", () => {
    const health = (id: string, node: string, cause: string) => ({...r(`health:${id}`, node, 'fail', cause), kind: 'health'})
    const results = [
      health('prometheus', 'hydra-storage', 'refused'),
      health('loki', 'hydra-storage', 'response_timeout'),
      health('tabbyapi', 'hydra-ai', 'refused'),
      r('exporter:hydra-storage/cadvisor', 'hydra-storage', 'fail', 'docker_down'),
    ]
    const out = foldNodeFaults(cfg, results)
    expect(out.map((x) => [x.id, x.status])).toEqual([
      ['health:prometheus', 'skipped'],
      ['health:loki', 'fail'],
      ['health:tabbyapi', 'fail'],
      ['exporter:hydra-storage/cadvisor', 'fail'],
    ])
    expect(out[3]!.evidence).toEqual(['health:prometheus refuses connections: its container cannot run without the daemon (skipped under this failure)'])
    // no daemon fault: a refused service is left alone
    expect(foldNodeFaults(cfg, results.slice(0, 3))).toEqual(results.slice(0, 3))
  })
})
