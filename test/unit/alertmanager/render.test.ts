import {describe, expect, it} from 'vitest'

import {renderSilenceAdd, renderSilenceExpire, renderSilenceList} from '../../../src/lib/alertmanager/render.js'
import type {SilencePlan} from '../../../src/lib/alertmanager/silences.js'

const plan = (covers: string): SilencePlan => ({matchers: [], startsAt: '2026-12-01T02:00:00.000Z', endsAt: '2026-12-01T03:00:00.000Z', createdBy: 'typhon', comment: 'reboot', covers})

describe('renderSilenceAdd', () => {
  it('a dry run: each silence that would be created, with its end, author and comment', () => {
    expect(renderSilenceAdd({dryRun: true, alertmanager: 'http://am', silences: [plan('alerts labelled node=a'), plan("alerts of a's instances (10.0.0.1:*)")]}).split('\n')).toEqual([
      'would silence alerts labelled node=a until 2026-12-01T03:00:00.000Z (by typhon: reboot)',
      "would silence alerts of a's instances (10.0.0.1:*) until 2026-12-01T03:00:00.000Z (by typhon: reboot)",
    ])
  })

  it('created: each with its ID; for several, the one command that ends them all', () => {
    const silences = [{...plan('node=a'), id: 'id-1'}, {...plan('instance of a'), id: 'id-2'}]
    expect(renderSilenceAdd({dryRun: false, alertmanager: 'http://am', silences}).split('\n')).toEqual([
      'silenced node=a until 2026-12-01T03:00:00.000Z: id-1',
      'silenced instance of a until 2026-12-01T03:00:00.000Z: id-2',
      'end them early with: hydra silence expire id-1 id-2',
    ])
    expect(renderSilenceAdd({dryRun: false, alertmanager: 'http://am', silences: silences.slice(0, 1)})).toBe('silenced node=a until 2026-12-01T03:00:00.000Z: id-1')
  })
})

describe('renderSilenceExpire', () => {
  it('a dry run names each ID; a run names each ID in order: expired on stdout, not expired (with why) on stderr', () => {
    expect(renderSilenceExpire({dryRun: true, alertmanager: 'http://am', results: [{id: 'a', expired: false}]})).toEqual([{stream: 'stdout', text: 'would expire a'}])
    const failed = {expired: false, error: 'Alertmanager has no silence b', code: 'silence_not_found'}
    const r = renderSilenceExpire({dryRun: false, alertmanager: 'http://am', results: [{id: 'b', ...failed}, {id: 'a', expired: true}], exitCode: 3})
    expect(r).toEqual([
      {stream: 'stderr', text: 'could not expire b: Alertmanager has no silence b'},
      {stream: 'stdout', text: 'expired a'},
    ])
  })
})

describe('renderSilenceList', () => {
  const row = {id: '5f0c1d2e', state: 'active' as const, matchers: 'node="a"', startsAt: 's', endsAt: '2026-12-01T03:00:00.000Z', createdBy: 'typhon', comment: 'reboot'}
  it('one row per silence', () => {
    const lines = renderSilenceList({alertmanager: 'http://am', silences: [row]}, {all: false, tty: false}).split('\n')
    expect(lines[0]).toMatch(/^ID\s+STATE\s+MATCHERS\s+ENDS\s+BY\s+COMMENT$/)
    expect(lines[1]).toMatch(/^5f0c1d2e\s+active\s+node="a"\s+2026-12-01T03:00:00.000Z\s+typhon\s+reboot$/)
  })
  it('none: says so, naming the Alertmanager and what was asked for', () => {
    expect(renderSilenceList({alertmanager: 'http://am', silences: []}, {all: false, tty: false})).toBe('no active or pending silence in Alertmanager http://am')
    expect(renderSilenceList({alertmanager: 'http://am', silences: []}, {all: true, tty: false})).toBe('no silence in Alertmanager http://am')
  })
})
