import {describe, expect, it} from 'vitest'

import type {LogsReport} from '../../../src/lib/loki/run.js'
import {renderLogs} from '../../../src/lib/loki/render.js'

const base: LogsReport = {
  loki: 'http://127.0.0.2:3100',
  query: '{container_name="tabbyapi"}',
  start: '2026-12-01T00:00:00Z',
  end: '2026-12-01T01:00:00Z',
  direction: 'backward',
  limit: 2,
  resultType: 'streams',
  entries: [],
  streams: 0,
  commonLabels: {},
  limited: false,
  requests: 1,
}

describe('renderLogs: the whole of hydra logs for a person', () => {
  it('an empty answer names the query and the range; a note that explains it goes after', () => {
    expect(renderLogs({...base, note: 'tenant "x" has no streams at all'}, 'default', 'in the last 1h')).toEqual({
      before: [],
      lines: ['no log lines for {container_name="tabbyapi"} in the last 1h'],
      after: ['Note: tenant "x" has no streams at all'],
    })
  })
  it('lines with their common labels said once before, and the limit reached said after', () => {
    const labels = {container_name: 'tabbyapi', host: 'hydra-ai'}
    const entries: LogsReport['entries'] = [
      {ns: '1764547200000000000', time: '2026-12-01T00:00:00.000000000Z', line: 'CUDA out of memory', labels},
      {ns: '1764547201000000000', time: '2026-12-01T00:00:01.000000000Z', line: 'retrying', labels},
    ]
    const result = {...base, entries, streams: 1, commonLabels: labels, limited: true}
    const out = renderLogs(result, 'default', 'in the last 1h')
    expect(out.before).toEqual(['2 lines from 1 stream, all {container_name="tabbyapi", host="hydra-ai"}'])
    expect(out.lines).toHaveLength(2)
    expect(out.lines[0]).toContain('CUDA out of memory')
    expect(out.after).toEqual(['(limit 2 reached: there may be more; raise --limit, 0 for all, or narrow the range)'])
    // raw: the lines alone, and no common-labels note (it describes the default output's columns)
    expect(renderLogs(result, 'raw', 'in the last 1h')).toMatchObject({before: [], lines: ['CUDA out of memory', 'retrying']})
  })
  it('a metric query prints one line per series', () => {
    const out = renderLogs({...base, resultType: 'vector', rows: [{labels: {container_name: 'tabbyapi'}, value: 3, raw: '3', time: 1}]}, 'default', 'in the last 1h')
    expect(out.lines).toEqual(['{container_name="tabbyapi"} 3'])
  })
})
