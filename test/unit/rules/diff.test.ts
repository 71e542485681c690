/** rules diff, as a pure function of GET /api/v1/rules (shape measured on Prometheus 2.42, api-facts.md §14). */
import {describe, expect, it} from 'vitest'

import {compareRules, type LiveGroup} from '../../../src/lib/rules/diff.js'
import type {RenderedGroup} from '../../../src/lib/rules/model.js'
import {normalizeExpr} from '../../../src/lib/rules/promql.js'

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
