import {describe, expect, it} from 'vitest'

import type {CheckReport} from '../../../src/lib/grafana/check.js'
import type {DatasourcesReport} from '../../../src/lib/grafana/datasources.js'
import type {DashboardListReport} from '../../../src/lib/grafana/expected.js'
import type {ImportResult} from '../../../src/lib/grafana/import.js'
import {renderDashboardCheck, renderDashboardList, renderDatasources, renderImport} from '../../../src/lib/grafana/render.js'
import {makeStyler} from '../../../src/lib/output/terminal.js'

const style = makeStyler(false)

describe('renderDashboardCheck', () => {
  const report: CheckReport = {
    grafana: 'http://g',
    prometheus: 'http://p',
    metricsKnown: 812,
    dashboards: [
      {uid: 'node', title: 'Node', folderTitle: 'Hydra', status: 'ok', panels: [{title: 'CPU', status: 'ok', datasources: [], metrics: [], problems: []}]},
      {
        uid: 'gpu',
        title: 'GPU',
        status: 'broken',
        panels: [
          {id: 4, title: 'Temp', row: 'GPUs', status: 'broken', datasources: [], metrics: [], problems: [{kind: 'metric_missing', refId: 'A', message: 'metric nvidia_gpu_temperature_celsius does not exist', replacement: 'nvidia_smi_temperature_gpu'}]},
          {title: 'Power', status: 'ok', datasources: [], metrics: [], problems: []},
        ],
      },
      {uid: 'gone', title: 'gone', status: 'not-found', panels: []},
    ],
    summary: {dashboards: 3, panels: 3, brokenPanels: 1, brokenDashboards: 1, notFound: 1},
    exitCode: 1,
  }

  it('each dashboard ok, broken with its panels and problems, or not found; the summary and what to do next', () => {
    expect(renderDashboardCheck(report, {style}).split('\n')).toEqual([
      'ok      Node (node) in Hydra: 1 panel',
      'broken  GPU (gpu): 1 of 2 panels',
      '    panel 4 "Temp" (row GPUs):',
      '      A: metric nvidia_gpu_temperature_celsius does not exist → use nvidia_smi_temperature_gpu',
      'not found  gone',
      '',
      '3 dashboards, 3 panels: 1 broken in 1 dashboard (812 metric names in Prometheus)',
      'next: fix the queries named above in Grafana; for data sources: hydra datasources',
    ])
  })

  it('colours the verdicts when the styler does, and has no next step when nothing is broken', () => {
    const ok = {...report, dashboards: report.dashboards.slice(0, 1), summary: {dashboards: 1, panels: 1, brokenPanels: 0, brokenDashboards: 0, notFound: 0}, exitCode: 0 as const}
    const text = renderDashboardCheck(ok, {style: makeStyler(true)})
    expect(text).toContain('\u001B[32mok\u001B[39m      Node')
    expect(text).not.toContain('next:')
  })
})

describe('renderDashboardList', () => {
  const report: DashboardListReport = {
    expected: [
      {title: 'Node Exporter Full', gnetId: 1860, present: true, match: {uid: 'rYdddlPWk', title: 'Node Exporter Full', by: 'gnetId'}},
      {title: 'Hydra AI Control Plane', uid: 'hydra-ai-control-plane', present: false},
    ],
    dashboards: [
      {uid: 'rYdddlPWk', title: 'Node Exporter Full', folderTitle: 'Hydra', gnetId: 1860, expected: 'Node Exporter Full'},
      {uid: 'misc', title: 'Misc'},
    ],
    missing: 1,
    exitCode: 1,
  }

  it('the expected ones present or missing, the others in a table, the summary and the command that adds a missing one', () => {
    const lines = renderDashboardList(report, {style, tty: false}).split('\n')
    expect(lines.slice(0, 5)).toEqual(['expected:', '  present  Node Exporter Full (grafana.com 1860) → Node Exporter Full (rYdddlPWk)', '  missing  Hydra AI Control Plane (uid hydra-ai-control-plane)', '', 'others:'])
    expect(lines[5]).toMatch(/^TITLE\s+UID\s+FOLDER$/)
    expect(lines[6]).toMatch(/^Misc\s+misc\s+General$/)
    expect(lines[7]).toBe('')
    expect(lines[8]).toBe('2 dashboards; 1 of 2 expected present')
    expect(lines[9]).toMatch(/^next: hydra dashboards generate/)
    expect(lines).toHaveLength(10)
  })

  it('without expected dashboards: an empty line, then the table', () => {
    const lines = renderDashboardList({expected: [], dashboards: [{uid: 'a', title: 'A'}], missing: 0, exitCode: 0}, {style, tty: false}).split('\n')
    expect(lines[0]).toBe('')
    expect(lines.at(-1)).toBe('1 dashboard; 0 of 0 expected present')
  })
})

describe('renderImport', () => {
  const base: ImportResult = {source: 'x.json', title: 'Hydra', uid: 'h', inputs: [{name: 'DS_PROMETHEUS', type: 'datasource', value: 'prom', via: "points at the config's Prometheus"}], dryRun: false, exists: false, action: 'imported', exitCode: 0}

  it('imported: the inputs, where it went, its URL and what to run next', () => {
    const r = {...base, folder: {uid: 'f', title: 'Hydra', created: true}, url: 'http://g/d/h/hydra'}
    expect(renderImport(r, {style}).split('\n')).toEqual([
      "input DS_PROMETHEUS = prom (points at the config's Prometheus)",
      'imported Hydra (h) into folder Hydra (created): http://g/d/h/hydra',
      'next: hydra dashboards check h',
    ])
  })

  it('refused, and dry runs (a folder that would be created, an overwrite)', () => {
    expect(renderImport({...base, inputs: [], action: 'refused', detail: 'a dashboard with the same uid exists', exitCode: 1}, {style})).toBe('refused Hydra: a dashboard with the same uid exists')
    expect(renderImport({...base, inputs: [], dryRun: true, action: 'would-import', folder: {uid: 'f', title: 'New', created: true}}, {style})).toBe('dry run: Hydra would be imported into folder New (would be created)')
    expect(renderImport({...base, inputs: [], dryRun: true, action: 'would-overwrite', detail: 'it exists'}, {style})).toBe('dry run: Hydra would be saved over the existing one; it exists')
  })
})

describe('renderDatasources', () => {
  const report: DatasourcesReport = {
    grafana: {url: 'http://g', version: '10.4.0'},
    healthSupported: true,
    datasources: [
      {uid: 'p1', name: 'Prometheus', type: 'prometheus', url: 'http://127.0.0.1:9090', isDefault: true, health: {status: 'ok', message: 'ok'}, target: {service: 'prometheus', expected: 'http://127.0.0.1:9090', verdict: 'same', detail: ''}, problems: []},
      {uid: 'p2', name: 'Old', type: 'prometheus', url: 'http://10.0.0.9:9090', isDefault: false, health: {status: 'error', message: 'refused'}, target: {service: 'prometheus', expected: 'http://127.0.0.1:9090', verdict: 'elsewhere', detail: ''}, problems: ['points at 10.0.0.9:9090, not the config\'s Prometheus']},
      {uid: 't', name: 'TestData', type: 'testdata', url: '', isDefault: false, health: {status: 'unknown', message: 'no health route'}, problems: []},
    ],
    problems: 1,
    exitCode: 1,
  }

  it('one row per data source, its problems, the unknown healths, the summary and the fix', () => {
    const lines = renderDatasources(report, {style, tty: false}).split('\n')
    expect(lines[0]).toMatch(/^NAME\s+UID\s+TYPE\s+URL\s+DEFAULT\s+HEALTH\s+TARGET$/)
    expect(lines[1]).toMatch(/^Prometheus\s+p1\s+prometheus\s+http:\/\/127\.0\.0\.1:9090\s+yes\s+ok\s+config's prometheus$/)
    expect(lines[2]).toMatch(/^Old\s+p2\s+prometheus\s+http:\/\/10\.0\.0\.9:9090\s+error\s+elsewhere$/)
    expect(lines[3]).toMatch(/^TestData\s+t\s+testdata\s+unknown\s+-$/)
    expect(lines.slice(4)).toEqual([
      "Old (p2): points at 10.0.0.9:9090, not the config's Prometheus",
      'TestData: health unknown: no health route',
      '',
      '3 data sources, 1 with problems',
      'next: fix the URL in Grafana (Connections > Data sources), then hydra dashboards check',
    ])
  })

  it('on Grafana before 9 says that health is unknown, once', () => {
    const text = renderDatasources({...report, grafana: {url: 'http://g', version: '8.5.0'}, healthSupported: false, datasources: report.datasources.slice(2), problems: 0, exitCode: 0}, {style, tty: false})
    expect(text.split('\n').slice(2)).toEqual(['note: Grafana 8.5.0 has no data-source health check (it came in 9.0); health is unknown', '', '1 data source, 0 with problems'])
  })
})
