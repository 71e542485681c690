import {describe, expect, it} from 'vitest'

import {COMPACTION_EXPLANATION, type DeleteSeriesResult} from '../../../src/lib/prometheus/tsdb.js'
import {renderCompact, renderDeleteSeries, renderSnapshot} from '../../../src/lib/prometheus/tsdb-render.js'

describe('renderDeleteSeries', () => {
  const base: DeleteSeriesResult = {prometheus: 'http://p', match: ['up', 'x'], seriesCount: 3, series: [{__name__: 'up', job: 'node', instance: 'a:9100'}, {__name__: 'up', job: 'node', instance: 'b:9100'}], deleted: false}

  it('a dry run: the count, the series shown, how many more, and how to really delete', () => {
    expect(renderDeleteSeries(base).split('\n')).toEqual([
      '3 series match up or x',
      '  up{instance="a:9100", job="node"}',
      '  up{instance="b:9100", job="node"}',
      '  … and 1 more',
      'nothing deleted (dry run): add --yes to delete them',
    ])
  })

  it('deleted: says so with the next step; nothing matched: the count alone', () => {
    expect(renderDeleteSeries({...base, seriesCount: 2, deleted: true, next: 'run hydra tsdb compact'}).split('\n').at(-1)).toBe('deleted. run hydra tsdb compact')
    expect(renderDeleteSeries({...base, seriesCount: 0, series: []})).toBe('0 series match up or x')
  })
})

describe('renderCompact', () => {
  it('Prometheus: that it compacts by itself, the snapshot, what was done', () => {
    const text = renderCompact({prometheus: 'http://p', action: 'clean_tombstones', done: 'tombstones cleaned on http://p', cleanedTombstones: true, snapshot: {name: '2026-s', path: '/var/lib/prometheus/snapshots/2026-s', skipHead: false}, explanation: COMPACTION_EXPLANATION})
    expect(text.split('\n')).toEqual(['Prometheus compacts its blocks by itself in the background; there is no endpoint to force it.', 'snapshot: 2026-s in /var/lib/prometheus/snapshots/2026-s', 'tombstones cleaned on http://p'])
  })

  it('VictoriaMetrics: only what was done; without a sentence, the clean_tombstones call', () => {
    expect(renderCompact({prometheus: 'http://v', action: 'force_merge', done: 'forced merge started on http://v', cleanedTombstones: false, explanation: ''})).toBe('forced merge started on http://v')
    expect(renderCompact({prometheus: 'http://p', cleanedTombstones: true, explanation: ''}).split('\n')[1]).toBe('tombstones cleaned on http://p (POST /api/v1/admin/tsdb/clean_tombstones)')
  })
})

describe('renderSnapshot', () => {
  it('the name and where it lies, or that the path is unknown', () => {
    expect(renderSnapshot({name: 's1', path: '/data/snapshots/s1', skipHead: false})).toBe("snapshot s1\non the server's host in /data/snapshots/s1")
    expect(renderSnapshot({name: 's1', skipHead: true})).toBe("snapshot s1\nin <data dir>/snapshots/ on the server's host (its flags are not served, so the path is unknown)")
  })
})
