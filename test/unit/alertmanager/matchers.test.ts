/**
 * Silence matching as Alertmanager does it, checked against Alertmanager itself: the silences
 * (hydra silence add --node, `!=`, `=~`/`!~`, a pending and expired ones) and the alerts posted to
 * Debian's prometheus-alertmanager 0.25 in the lab, with the `silencedBy` it computed for each.
 */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import type {AmAlert, AmSilence} from '../../../src/lib/alertmanager/api.js'
import {activeSilences, matcherMatches, silenceMatches} from '../../../src/lib/alertmanager/matchers.js'

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/alertmanager/${name}`, import.meta.url), 'utf8')) as T
const silences = fixture<AmSilence[]>('silences-doctor.json')
const alerts = fixture<AmAlert[]>('alerts-silenced.json')
const capturedAt = new Date(alerts.map((a) => a.updatedAt!).sort().at(-1)!)

describe('silence matching (Alertmanager 0.25 semantics)', () => {
  it('mutes exactly the alerts the real Alertmanager muted, with the same silences', () => {
    const active = activeSilences(silences, capturedAt)
    expect(active.map((s) => s.status.state)).toEqual(active.map(() => 'active'))
    expect(active).toHaveLength(4)
    expect(alerts.filter((a) => a.status.silencedBy.length > 0).length).toBeGreaterThanOrEqual(5)
    for (const a of alerts) {
      const ours = active.filter((s) => silenceMatches(s, a.labels)).map((s) => s.id)
      expect(ours.sort(), JSON.stringify(a.labels)).toEqual([...a.status.silencedBy].sort())
    }
  })

  it('a pending or expired silence mutes nothing; one past its endsAt neither', () => {
    expect(silences.some((s) => s.status.state === 'pending')).toBe(true)
    expect(silences.some((s) => s.status.state === 'expired')).toBe(true)
    expect(activeSilences(silences, capturedAt).every((s) => s.status.state === 'active')).toBe(true)
    expect(activeSilences(silences, new Date('2030-01-01T00:00:00Z'))).toEqual([])
  })

  it('anchored regexes, negation, a missing label as the empty string', () => {
    const re = {name: 'instance', value: '(127\\.0\\.0\\.3|hydra-compute)(:[0-9]+)?', isRegex: true, isEqual: true}
    expect(matcherMatches(re, {instance: '127.0.0.3:9100'})).toBe(true)
    expect(matcherMatches(re, {instance: '127.0.0.30:9100'})).toBe(false)
    expect(matcherMatches(re, {instance: 'xhydra-compute'})).toBe(false)
    expect(matcherMatches({name: 'node', value: 'a', isRegex: false, isEqual: false}, {})).toBe(true)
    expect(matcherMatches({name: 'severity', value: 'info|none', isRegex: true, isEqual: false}, {severity: 'info'})).toBe(false)
    expect(matcherMatches({name: 'x', value: '(', isRegex: true, isEqual: true}, {x: '('})).toBe(false)
    expect(silenceMatches({matchers: []}, {a: 'b'})).toBe(false)
  })
})
