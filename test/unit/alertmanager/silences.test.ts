/** Silence planning: pure, so --dry-run shows exactly what would be posted. */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {formatMatcher, nodeMatcherSets, parseMatcher, planSilences} from '../../../src/lib/alertmanager/silences.js'
import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {ConfigSchema} from '../../../src/lib/config/schema.js'
import {UserError} from '../../../src/lib/errors.js'
import {labConfigPaths, labConfigYaml} from '../../lab/lab-config.js'

const cfg = resolveConfig(ConfigSchema.parse(parse(labConfigYaml(labConfigPaths('/tmp/x')))))
const now = new Date('2026-11-30T18:00:00Z')
const base = {matchers: [] as string[], comment: 'reboot', author: 'typhon', now}

describe('parseMatcher / formatMatcher', () => {
  it.each([
    ['alertname=NodeExporterDown', {name: 'alertname', value: 'NodeExporterDown', isRegex: false, isEqual: true}],
    ['severity!=info', {name: 'severity', value: 'info', isRegex: false, isEqual: false}],
    ['instance=~"127\\\\.0\\\\.0\\\\.3:.*"', {name: 'instance', value: '127\\.0\\.0\\.3:.*', isRegex: true, isEqual: true}],
    ['job!~node|loki', {name: 'job', value: 'node|loki', isRegex: true, isEqual: false}],
    ['summary="a b = c"', {name: 'summary', value: 'a b = c', isRegex: false, isEqual: true}],
  ])('%s', (text, expected) => {
    const m = parseMatcher(text)
    expect(m).toEqual(expected)
    expect(parseMatcher(formatMatcher(m))).toEqual(m)
  })
  it.each(['alertname', '=x', '1abc=x', 'a="unclosed'])('refuses %s (exit 2)', (text) => {
    expect(() => parseMatcher(text)).toThrow(UserError)
  })
})

describe('planSilences', () => {
  it('--node: two silences, its node label and its instances (address or name, any port), ending --for later', () => {
    const plans = planSilences(cfg, {...base, nodes: ['hydra-compute'], forMs: 3_600_000})
    expect(plans.map((p) => p.matchers)).toEqual([
      [{name: 'node', value: 'hydra-compute', isRegex: false, isEqual: true}],
      [{name: 'instance', value: '(127\\.0\\.0\\.3|hydra-compute)(:[0-9]+)?', isRegex: true, isEqual: true}],
    ])
    for (const p of plans) expect(p).toMatchObject({startsAt: '2026-11-30T18:00:00.000Z', endsAt: '2026-11-30T19:00:00.000Z', createdBy: 'typhon', comment: 'reboot'})
    const re = new RegExp(`^(?:${plans[1]!.matchers[0]!.value})$`)
    expect(['127.0.0.3:9100', '127.0.0.3', 'hydra-compute:9835'].every((i) => re.test(i))).toBe(true)
    expect(['127.0.0.30:9100', '127a0a0a3:9100', 'hydra-compute2:1'].some((i) => re.test(i))).toBe(false)
  })
  it('--node repeated: two silences per node, in the order given, each node once', () => {
    const plans = planSilences(cfg, {...base, nodes: ['hydra-ai', 'hydra-compute', 'hydra-ai'], forMs: 60_000})
    expect(plans.map((p) => p.covers)).toEqual([
      'alerts labelled node=hydra-ai',
      expect.stringMatching(/^alerts of hydra-ai's instances/),
      'alerts labelled node=hydra-compute',
      expect.stringMatching(/^alerts of hydra-compute's instances/),
    ])
  })
  it('matchers narrow --node down, or stand alone; --until sets the end', () => {
    const narrowed = planSilences(cfg, {...base, nodes: ['hydra-ai'], matchers: ['alertname=NodeExporterDown'], until: new Date('2026-12-01T06:00:00Z')})
    expect(narrowed).toHaveLength(2)
    for (const p of narrowed) expect(p.matchers.at(-1)).toEqual({name: 'alertname', value: 'NodeExporterDown', isRegex: false, isEqual: true})
    expect(narrowed[0]!.endsAt).toBe('2026-12-01T06:00:00.000Z')
    const alone = planSilences(cfg, {...base, matchers: ['alertname=X', 'severity!=info'], forMs: 60_000})
    expect(alone).toHaveLength(1)
    expect(alone[0]!.covers).toBe('alertname="X", severity!="info"')
  })
  it.each([
    [{nodes: ['nope'], forMs: 1000}, /no node named "nope" in the config/],
    [{forMs: 1000}, /--node NAME or matchers/],
    [{nodes: ['hydra-ai']}, /--for 2h or --until/],
    [{nodes: ['hydra-ai'], until: new Date('2026-11-30T17:00:00Z')}, /not in the future/],
    [{nodes: ['hydra-ai'], forMs: 1000, comment: '  '}, /--comment must say why/],
  ])('refuses %o (exit 2)', (input, message) => {
    expect(() => planSilences(cfg, {...base, ...input})).toThrow(message)
  })
})

describe('nodeMatcherSets', () => {
  it('a DNS-named node: its name once', () => {
    const c = resolveConfig(ConfigSchema.parse(parse(labConfigYaml(labConfigPaths('/tmp/x')).replace('address: 127.0.0.4', 'address: gpu.lan'))))
    expect(nodeMatcherSets(c, 'hydra-ai')[1]!.matchers[0]!.value).toBe('(gpu\\.lan|hydra-ai)(:[0-9]+)?')
  })
})
