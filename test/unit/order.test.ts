import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {compareCodePoints, compareNames, compareTimes} from '../../src/lib/order.js'

const sorted = (names: string[], compare = compareNames): string[] => [...names].sort(compare)

describe('compareNames', () => {
  it('orders letters without regard to case, and names equal that way by code point', () => {
    expect(sorted(['ollama', 'LiteLLM', 'Ollama', 'grafana', 'aa', 'z'])).toEqual(['aa', 'grafana', 'LiteLLM', 'Ollama', 'ollama', 'z'])
  })

  it('orders runs of digits by their value', () => {
    expect(sorted(['gpu10', 'gpu9', 'gpu0', 'gpu2'])).toEqual(['gpu0', 'gpu2', 'gpu9', 'gpu10'])
    expect(sorted(['127.0.0.10:9100', '127.0.0.9:9100', '127.0.0.2:9835', '127.0.0.2:9100'])).toEqual([
      '127.0.0.2:9100',
      '127.0.0.2:9835',
      '127.0.0.9:9100',
      '127.0.0.10:9100',
    ])
    expect(sorted(['10', '9', '010', '1'])).toEqual(['1', '9', '010', '10'])
  })

  it('puts a name before the longer names it begins', () => {
    expect(sorted(['hydra-ai-2', 'hydra-ai', 'hydra'])).toEqual(['hydra', 'hydra-ai', 'hydra-ai-2'])
  })

  it('is a total order: antisymmetric, transitive, and 0 only for equal strings', () => {
    const names = ['a', 'A', 'a1', 'a01', 'a-1', 'a_1', 'å', 'aa', '', '9', '09', 'İi', 'ii', 'a1b', 'a01c', 'a2']
    for (const x of names)
      for (const y of names) {
        expect(Math.sign(compareNames(x, y)) + Math.sign(compareNames(y, x))).toBe(0)
        if (x !== y) expect(compareNames(x, y)).not.toBe(0)
        for (const z of names) if (compareNames(x, y) < 0 && compareNames(y, z) < 0) expect(compareNames(x, z), `${x} < ${y} < ${z}`).toBeLessThan(0)
      }
  })

  it('gives the same order in every locale (localeCompare did not: Danish put "aa" last)', () => {
    const script = fileURLToPath(new URL('../fixtures/order/order-in-locale.ts', import.meta.url))
    const orders = ['C.UTF-8', 'da_DK.UTF-8'].map((lang) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], {encoding: 'utf8', env: {...process.env, LANG: lang, LC_ALL: lang}})
      expect(r.status, r.stderr).toBe(0)
      return r.stdout
    })
    const ours = orders.map((o) => JSON.stringify(JSON.parse(o).ours))
    expect(new Set(ours).size).toBe(1)
    expect(JSON.parse(orders[0]!).ours).toEqual(['aa', 'gpu-9', 'gpu-10', 'gpu-z', 'gpu-å', 'Ollama', 'ollama'])
    // the check is worth something: under da_DK, localeCompare gives another order
    expect(new Set(orders.map((o) => JSON.stringify(JSON.parse(o).locale))).size).toBeGreaterThan(1)
  })
})

describe('compareCodePoints', () => {
  it('orders label names as Prometheus does', () => {
    expect(sorted(['job', '__name__', 'instance', 'Zone'], compareCodePoints)).toEqual(['Zone', '__name__', 'instance', 'job'])
  })
})

describe('compareTimes', () => {
  it('orders RFC 3339 times by instant, whatever their precision, unparsable ones last', () => {
    expect(sorted(['2026-12-02T10:00:00Z', '2026-12-02T09:59:59.5Z', 'soon', '2026-12-02T11:00:00+02:00'], compareTimes)).toEqual([
      '2026-12-02T11:00:00+02:00',
      '2026-12-02T09:59:59.5Z',
      '2026-12-02T10:00:00Z',
      'soon',
    ])
  })
})
