import {describe, expect, it} from 'vitest'

import {checkDashboardModel} from '../../../src/lib/grafana/check.js'
import {DatasourceResolver, datasourceVariables, walkPanels} from '../../../src/lib/grafana/panels.js'
import {metricsOfExpr, substituteVariables} from '../../../src/lib/grafana/promql.js'
import {suggestReplacement} from '../../../src/lib/grafana/renames.js'

const DS = [
  {uid: 'prom', name: 'Prometheus', type: 'prometheus', url: 'http://p:9090', isDefault: true},
  {uid: 'loki', name: 'Loki', type: 'loki', url: 'http://l:3100', isDefault: false},
  {uid: 'old', name: 'Prometheus (old)', type: 'prometheus', url: 'http://old:9090', isDefault: false},
]

describe('PromQL metric names with Grafana variables', () => {
  it('substitutes durations, numbers, quoted and bare variables', () => {
    expect(substituteVariables('rate(x{a=~"$instance"}[$__rate_interval]) offset $__interval')).toBe('rate(x{a=~"x"}[5m]) offset 5m')
    expect(substituteVariables('sum by (${label}) (y) / $__range_s')).toBe('sum by (__hydra_var1) (y) / 60')
    expect(substituteVariables('up{instance="[[node]]",job="${job:regex}"}')).toBe('up{instance="x",job="x"}')
  })
  it('finds names in selectors, __name__ matchers and joins, never a variable', () => {
    expect(metricsOfExpr('nvidia_smi_temperature_gpu * on(uuid) group_left(name) nvidia_smi_gpu_info').metrics).toEqual(['nvidia_smi_gpu_info', 'nvidia_smi_temperature_gpu'])
    expect(metricsOfExpr('{__name__="foo", job="x"}').metrics).toEqual(['foo'])
    expect(metricsOfExpr('{__name__=~"nvidia_.*"}').patterns).toEqual(['nvidia_.*'])
    expect(metricsOfExpr('topk($n, rate(bar_total[$__interval]))').metrics).toEqual(['bar_total'])
    expect(metricsOfExpr('sum(rate(x[5m])) by ($group)').metrics).toEqual(['x'])
  })
  it('reports where an expression does not parse', () => {
    expect(metricsOfExpr('rate(foo[').error).toMatch(/does not parse/)
    expect(metricsOfExpr('up').error).toBeUndefined()
  })
})

describe('panels and their data sources', () => {
  const dashboard = {
    templating: {list: [{name: 'ds', type: 'datasource', query: 'prometheus', current: {value: 'old'}}]},
    panels: [
      {id: 1, title: 'a', type: 'timeseries', targets: [{refId: 'A', expr: 'up'}]},
      {id: 2, type: 'row', title: 'R', collapsed: true, panels: [{id: 3, title: 'in row', datasource: {type: 'prometheus', uid: '${ds}'}, targets: [{refId: 'A', expr: 'up'}]}]},
      {id: 4, title: 'mixed', datasource: {type: 'datasource', uid: '-- Mixed --'}, targets: [{refId: 'A', datasource: {uid: 'loki', type: 'loki'}, expr: '{job="x"}'}, {refId: 'B', expr: 'up'}]},
      {id: 5, title: 'input', datasource: '${DS_PROMETHEUS}', targets: [{refId: 'A', expr: 'up'}]},
      {id: 6, title: 'by name', datasource: 'Loki', targets: [{refId: 'A', expr: '{a="b"}'}]},
      {id: 7, title: 'gone', datasource: {type: 'prometheus', uid: 'deleted'}, targets: [{refId: 'A', expr: 'up'}]},
    ],
    rows: [{title: 'old schema', panels: [{id: 8, title: 'legacy', targets: [{refId: 'A', expr: 'up'}]}]}],
  }
  it('walks rows, nested panels and the old rows schema', () => {
    expect(walkPanels(dashboard).map((p) => [p.id, p.row ?? ''])).toEqual([[1, ''], [3, 'R'], [4, ''], [5, ''], [6, ''], [7, ''], [8, 'old schema']])
  })
  it('resolves default, variables, mixed, names, and says why one is missing', () => {
    const r = new DatasourceResolver(DS, datasourceVariables(dashboard))
    const panels = walkPanels(dashboard)
    const of = (id: number, i = 0) => r.resolveTarget(panels.find((p) => p.id === id)!, panels.find((p) => p.id === id)!.targets[i]!)
    expect(of(1)).toMatchObject({kind: 'datasource', ds: {uid: 'prom'}})
    expect(of(3)).toMatchObject({kind: 'datasource', ds: {uid: 'old'}, via: 'variable $ds'})
    expect(of(4, 0)).toMatchObject({kind: 'datasource', ds: {uid: 'loki'}})
    expect(of(4, 1)).toMatchObject({kind: 'datasource', ds: {uid: 'prom'}})
    expect(of(5)).toMatchObject({kind: 'missing', reason: expect.stringMatching(/DS_PROMETHEUS.*never replaced/)})
    expect(of(6)).toMatchObject({kind: 'datasource', ds: {uid: 'loki'}})
    expect(of(7)).toMatchObject({kind: 'missing', reason: expect.stringMatching(/"deleted".*does not exist/)})
  })
})

describe('broken panels', () => {
  const names = new Set(['up', 'nvidia_smi_temperature_gpu', 'nvidia_smi_power_draw_watts', 'node_cpu_seconds_total'])
  it('names the replacement of a known rename, from the exporter actually scraped', () => {
    expect(suggestReplacement('nvidia_gpu_temperature_celsius', names)?.replacement).toBe('nvidia_smi_temperature_gpu')
    expect(suggestReplacement('nvidia_gpu_power_usage_milliwatts', names)?.note).toMatch(/unit W, not mW/)
    const dcgm = new Set(['DCGM_FI_DEV_GPU_TEMP'])
    expect(suggestReplacement('nvidia_gpu_temperature_celsius', dcgm)?.replacement).toBe('DCGM_FI_DEV_GPU_TEMP')
    expect(suggestReplacement('tabby_requests_total', names)?.note).toMatch(/TabbyAPI serves no Prometheus metrics/)
    expect(suggestReplacement('something_else', names)).toBeUndefined()
  })
  it('flags missing metrics, missing and elsewhere data sources; a clean panel is ok', () => {
    const model = {
      panels: [
        {id: 1, title: 'temp', targets: [{refId: 'A', expr: 'max(nvidia_gpu_temperature_celsius{instance=~"$instance"})'}]},
        {id: 2, title: 'cpu', targets: [{refId: 'A', expr: 'rate(node_cpu_seconds_total[$__rate_interval])'}]},
        {id: 3, title: 'old', datasource: {uid: 'old', type: 'prometheus'}, targets: [{refId: 'A', expr: 'up'}]},
        {id: 4, title: 'hidden', targets: [{refId: 'A', expr: 'nope', hide: true}]},
        {id: 5, title: 'lib', libraryPanel: {uid: 'lib1', name: 'L'}},
      ],
    }
    const library = new Map([['lib1', {type: 'stat', targets: [{refId: 'A', expr: 'tabby_x'}]}]])
    const out = checkDashboardModel(model, {datasources: DS, metricNames: names, elsewhere: new Map([['old', 'points at old:9090']]), library})
    expect(out.map((p) => p.status)).toEqual(['broken', 'ok', 'broken', 'ok', 'broken'])
    expect(out[0]!.problems[0]).toMatchObject({kind: 'metric_missing', metric: 'nvidia_gpu_temperature_celsius', replacement: 'nvidia_smi_temperature_gpu'})
    expect(out[2]!.problems[0]).toMatchObject({kind: 'datasource_elsewhere'})
    expect(out[4]!.problems[0]).toMatchObject({kind: 'metric_missing', metric: 'tabby_x'})
  })
})
