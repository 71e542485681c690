/** rules diff, as a pure function of GET /api/v1/rules (shape measured on Prometheus 2.42, api-facts.md §14). */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {compareRules, type LiveGroup} from '../../../src/lib/rules/diff.js'
import type {RenderedGroup} from '../../../src/lib/rules/model.js'
import {normalizeExpr} from '../../../src/lib/rules/promql.js'
import {rulesFromConfig} from '../../../src/lib/rules/render.js'
import {labConfig} from '../../helpers/lab-config.js'

const rendered: RenderedGroup[] = [
  {
    name: 'hydra-nodes',
    rules: [
      {alert: 'NodeExporterDown', expr: 'up{job="node"} == 0', for: '2m', labels: {severity: 'critical'}, annotations: {}},
      {alert: 'MemoryAvailableLow', expr: 'node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"} * 100 < 10', for: '10m', labels: {severity: 'warning'}, annotations: {}},
      {alert: 'RootDiskSpaceLow', expr: 'x < 10', for: '15m', labels: {severity: 'warning'}, annotations: {}},
    ],
  },
]

const live = (rules: LiveGroup['rules']): LiveGroup[] => [{name: 'hydra-nodes', file: '/etc/prometheus/rules/hydra.yml', rules}]

describe('compareRules', () => {
  it('in sync when names, expressions (as Prometheus re-prints them), for and labels agree', () => {
    const d = compareRules('p', rendered, live([
      {name: 'NodeExporterDown', query: 'up{job="node"} == 0', duration: 120, labels: {severity: 'critical'}, type: 'alerting'},
      {name: 'MemoryAvailableLow', query: 'node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"} * 100 < 10', duration: 600, labels: {severity: 'warning'}, type: 'alerting'},
      {name: 'RootDiskSpaceLow', query: 'x < 10', duration: 900, labels: {severity: 'warning'}, type: 'alerting'},
    ]))
    expect(d).toMatchObject({inSync: true, compared: 3, missing: [], extra: [], changed: []})
  })
  it('missing, extra, and changed expression, for and labels, each named', () => {
    const d = compareRules('p', rendered, [
      ...live([
        {name: 'NodeExporterDown', query: 'up{job="node"} == 1', duration: 60, labels: {severity: 'warning', team: 'ops'}, type: 'alerting'},
        {name: 'MemoryAvailableLow', query: 'node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"} * 100 < 10', duration: 600, labels: {severity: 'warning'}, type: 'alerting'},
        {name: 'job:up:sum', query: 'sum by (job) (up)', type: 'recording'},
      ]),
      {name: 'custom', file: 'mine.yml', rules: [{name: 'DiskFull', query: 'y > 1', duration: 0, type: 'alerting'}]},
    ])
    expect(d.inSync).toBe(false)
    expect(d.missing).toEqual([{alert: 'RootDiskSpaceLow', group: 'hydra-nodes'}])
    expect(d.extra).toEqual([{alert: 'DiskFull', group: 'custom', file: 'mine.yml'}])
    expect(d.changed.map((c) => c.field)).toEqual(['expr', 'for', 'labels'])
    expect(d.changed[1]).toMatchObject({rendered: '120s', live: '60s'})
    expect(d.changed[2]).toMatchObject({rendered: '{severity="critical"}', live: '{severity="warning", team="ops"}'})
  })
  it('normalizes only whitespace: a multi-line expression equals its one-line print', () => {
    expect(normalizeExpr('max by (job) (\n  up{job="loki", x="y"}\n) == 1')).toBe(normalizeExpr('max by (job) (up{job="loki",x="y"}) == 1'))
    expect(normalizeExpr('up == 1')).not.toBe(normalizeExpr('up == 0'))
  })
})

describe('compareRules against vmalert 1.79.5 (GET /api/v1/rules?type=alert, captured with the lab rules rendered and one recording group loaded)', () => {
  const vmalert = (JSON.parse(readFileSync(new URL('../../fixtures/victoria/vmalert-rules-rendered.json', import.meta.url), 'utf8')) as {data: {groups: LiveGroup[]}}).data.groups
  const labRendered = rulesFromConfig(labConfig(), {maxForMs: 2000}, {nodeJobs: ['node'], gpuExporters: ['nvidia_smi'], lokiJob: 'loki'}).groups

  it('its shape: type=alert is ignored (a recording group comes too), groups carry the datasource type', () => {
    expect(vmalert.flatMap((g) => g.rules.map((r) => r.type))).toContain('recording')
    expect(vmalert.map((g) => (g as unknown as {type: string}).type)).toEqual(vmalert.map(() => 'prometheus'))
  })

  it('in sync with what was rendered: recording rules are not counted as extra', () => {
    expect(compareRules('vm', labRendered, vmalert)).toMatchObject({inSync: true, compared: 13, missing: [], extra: [], changed: []})
  })

  it('one rule edited in the loaded file is the one change', () => {
    const edited = vmalert.map((g) => ({...g, rules: g.rules.map((r) => (r.name === 'RootDiskSpaceLow' ? {...r, query: r.query.replace(/< 10$/, '< 25')} : r))}))
    const d = compareRules('vm', labRendered, edited)
    expect(d.changed).toEqual([expect.objectContaining({alert: 'RootDiskSpaceLow', field: 'expr'})])
    expect(d.changed[0]!.live).toMatch(/< 25$/)
  })
})
