import {describe, expect, it} from 'vitest'

import type {HealthReport} from '../../../src/lib/health/probes.js'
import {renderHealth} from '../../../src/lib/health/render.js'
import {makeStyler} from '../../../src/lib/output/terminal.js'

const report: HealthReport = {
  results: [
    {id: 'prometheus', kind: 'prometheus', node: 'hydra-storage', url: 'http://p/-/ready', required: true, status: 'ok', latencyMs: 3, detail: 'ready'},
    {id: 'loki', kind: 'loki', node: 'hydra-storage', url: 'http://l/ready', required: true, status: 'fail', httpStatus: 503, latencyMs: 12, detail: 'Ingester not ready', cause: 'unhealthy', hint: 'wait for the ingester'},
    {id: 'alertmanager', kind: 'alertmanager', url: 'http://a/-/ready', required: false, status: 'fail', latencyMs: 1, detail: 'connection refused', cause: 'refused', hint: 'start it'},
  ],
  summary: {total: 3, ok: 1, failed: 2, requiredFailed: 1},
  exitCode: 1,
}

describe('renderHealth', () => {
  it('one row per probe (the cause before the detail unless it is "unhealthy"), the count, the hints of the failing ones', () => {
    const lines = renderHealth(report, {style: makeStyler(false), tty: false}).split('\n')
    expect(lines[0]).toMatch(/^SERVICE\s+NODE\s+STATUS\s+LATENCY\s+DETAIL$/)
    expect(lines[1]).toMatch(/^prometheus\s+hydra-storage\s+ok\s+3ms\s+ready$/)
    expect(lines[2]).toMatch(/^loki\s+hydra-storage\s+fail\s+12ms\s+Ingester not ready$/)
    expect(lines[3]).toMatch(/^alertmanager\s+-\s+optional\s+1ms\s+refused: connection refused$/)
    expect(lines.slice(4)).toEqual(['', '1/3 healthy; 1 required failing', '  loki: wait for the ingester', '  alertmanager: start it'])
  })

  it('all healthy: no failing count, no hints; status words coloured on a colour terminal', () => {
    const ok: HealthReport = {results: report.results.slice(0, 1), summary: {total: 1, ok: 1, failed: 0, requiredFailed: 0}, exitCode: 0}
    expect(renderHealth(ok, {style: makeStyler(false), tty: false}).split('\n').slice(2)).toEqual(['', '1/1 healthy'])
    expect(renderHealth(ok, {style: makeStyler(true), tty: true})).toContain('\u001B[32mok\u001B[39m')
  })
})
