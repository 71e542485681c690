import {describe, expect, it} from 'vitest'

import {fitWidths, renderTable} from '../../../src/lib/output/table.js'
import {fitLines, fitNote, makeStyler, statusWord, visibleWidth, wrapText} from '../../../src/lib/output/terminal.js'

const style = makeStyler(true)
// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '')

interface Row {
  node: string
  health: string
  error: string
}
const columns = [
  {header: 'node', value: (r: Row) => r.node},
  {header: 'health', value: (r: Row) => statusWord(style, r.health)},
  {header: 'error', value: (r: Row) => r.error, maxWidth: 70},
]
const rows: Row[] = [
  {node: 'hydra-compute', health: 'down', error: 'Get "http://127.0.0.3:9100/metrics": dial tcp 127.0.0.3:9100: connect: connection refused'},
  {node: 'hydra-ai', health: 'up', error: ''},
]

describe('renderTable on a terminal', () => {
  for (const width of [60, 80, 160]) {
    it(`fits ${width} columns with colour on, never splitting a coloured cell`, () => {
      const out = renderTable(columns, rows, {tty: true, width})
      for (const line of out.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(width)
      // the status words are whole, coloured, on the row's first line
      expect(out).toContain(style('red', 'down'))
      expect(out).toContain(style('green', 'up'))
      // the long error is wrapped, not lost
      expect(strip(out).replace(/[│\s]+/g, ' ')).toContain('connection refused')
    })
  }
  it('measures visible width: colour codes do not widen a column', () => {
    const out = renderTable(columns, rows, {tty: true, width: 200})
    const [header, rule, first] = out.split('\n')
    // "health" header (6) is wider than "down" (4): the column is exactly the header wide
    expect(header).toBe('node           health  error')
    expect(rule).toBe(`${'─'.repeat(13)}  ──────  ${'─'.repeat(70)}`)
    expect(first).toMatch(/^hydra-compute  \u001B\[31mdown\u001B\[39m    Get/)
  })
  it('draws a rule under the header and none between rows', () => {
    const lines = renderTable(columns, rows, {tty: true, width: 200}).split('\n')
    expect(lines.filter((l) => l.startsWith('─'))).toHaveLength(1)
    // header, rule, the first row (its 90-character error wrapped at 70 onto 2 lines), the second
    expect(lines).toHaveLength(5)
    expect(lines[3]).toMatch(/^ {23}connection refused$/)
  })
})

describe('a long column with too little room', () => {
  it('moves under each row, wrapped to the terminal, the short columns whole', () => {
    const wide = [...columns.slice(0, 2), {header: 'instance', value: (r: Row) => `${r.node}.example:9100`}, columns[2]!]
    const out = renderTable(wide, rows, {tty: true, width: 50})
    const lines = out.split('\n')
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(50)
    expect(lines[0]).toBe('node           health  instance')
    expect(strip(lines[2]!)).toBe('hydra-compute  down    hydra-compute.example:9100')
    expect(lines[3]).toMatch(/^  error: Get /)
    expect(lines[4]).toMatch(/^    /)
    // the row without an error gets no error line
    expect(strip(lines.at(-1)!)).toBe('hydra-ai       up      hydra-ai.example:9100')
  })
})

describe('a word wider than its long column (a unit name, a URL)', () => {
  interface Unit {
    node: string
    managed: string
    state: string
  }
  const unitColumns = [
    {header: 'node', value: (r: Unit) => r.node},
    {header: 'managed by', value: (r: Unit) => r.managed, maxWidth: 30},
    {header: 'state', value: (r: Unit) => statusWord(style, r.state)},
  ]
  const units: Unit[] = [
    {node: 'hydra-compute', managed: 'systemd prometheus-node-exporter.service', state: 'active'},
    {node: 'hydra-storage', managed: 'process prometheus-node-exporter', state: 'active'},
  ]
  const words = (out: string) => strip(out).split(/\s+/)
  it('widens the column past its maxWidth to hold the word whole, where there is room', () => {
    const out = renderTable(unitColumns, units, {tty: true, width: 100})
    expect(words(out)).toContain('prometheus-node-exporter.service')
    // capped all the same: "systemd" goes on a line of its own rather than the column growing to 40
    expect(out.split('\n')[1]).toBe(`${'─'.repeat(13)}  ${'─'.repeat(32)}  ${'─'.repeat(6)}`)
  })
  it('moves it under each row where the terminal is too narrow, never cutting the word', () => {
    // 50 columns leave it 27: wide enough to stay in the table before, cutting the unit name in two
    const out = renderTable(unitColumns, units, {tty: true, width: 50})
    const lines = out.split('\n')
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(50)
    expect(lines[0]).toBe('node           state')
    expect(lines[3]).toBe('  managed by: systemd')
    expect(lines[4]).toBe('    prometheus-node-exporter.service')
    expect(words(out)).toContain('prometheus-node-exporter.service')
  })
})

describe('a table of words that cannot all fit (hydra silence list on 80 columns)', () => {
  interface Silence {
    id: string
    state: string
    matchers: string
    endsAt: string
    by: string
    comment: string
  }
  const silenceColumns = [
    {header: 'id', value: (r: Silence) => r.id},
    {header: 'state', value: (r: Silence) => r.state},
    {header: 'matchers', value: (r: Silence) => r.matchers},
    {header: 'ends', value: (r: Silence) => r.endsAt},
    {header: 'by', value: (r: Silence) => r.by},
    {header: 'comment', value: (r: Silence) => r.comment},
  ]
  const silences: Silence[] = [
    {id: 'c10c7072-e751-414a-a60e-0fd9683734ca', state: 'active', matchers: 'node="hydra-ai"', endsAt: '2026-12-02T20:22:35.698Z', by: 'hydra', comment: 'GPU swap'},
    {id: 'b13a75c2-c6f7-4cef-8f41-7b05974eeac2', state: 'active', matchers: 'instance=~"(127\\\\.0\\\\.0\\\\.4|hydra-ai)(:[0-9]+)?"', endsAt: '2026-12-02T20:22:35.698Z', by: 'hydra', comment: 'GPU swap'},
  ]
  it('keeps every id and time whole: the widest column moves under its row rather than any word being cut', () => {
    const out = renderTable(silenceColumns, silences, {tty: true, width: 80})
    const lines = out.split('\n')
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(80)
    expect(lines[0]).toBe('id                                    state   ends                      by')
    expect(lines[2]).toBe('c10c7072-e751-414a-a60e-0fd9683734ca  active  2026-12-02T20:22:35.698Z  hydra')
    expect(lines.slice(3, 5)).toEqual(['  matchers: node="hydra-ai"', '  comment: GPU swap'])
    for (const s of silences) for (const word of [s.id, s.endsAt, s.matchers]) expect(out.split(/\s+/)).toContain(word)
  })
  it('one column left and a word wider than the terminal: only then is a word cut', () => {
    const out = renderTable([silenceColumns[0]!], silences, {tty: true, width: 20})
    for (const line of out.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(20)
    expect(out).toContain('c10c7072-e751-414a-a')
  })
})

describe('fitWidths', () => {
  it('narrows the widest column first and keeps minimums', () => {
    expect(fitWidths([10, 4, 70], [8, 4, 8], 50)).toEqual([10, 4, 36])
  })
  it('never below the minimums, even when that does not fit', () => {
    expect(fitWidths([10, 12, 10], [10, 10, 10], 21)).toEqual([10, 10, 10])
  })
})

describe('wrapText', () => {
  it('wraps at word boundaries with a hanging indent and keeps colour codes', () => {
    const out = wrapText(`${style('red', 'FAIL')} node.x: ${'word '.repeat(30)}`, 40, '    ')
    for (const line of out.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(40)
    expect(out.split('\n')[1]).toMatch(/^ {4}word/)
    expect(wrapText('  evidence: a b', 40, '            ')).toBe('  evidence: a b')
    expect(out).toContain(style('red', 'FAIL'))
  })
})

describe('fitLines', () => {
  it('leaves lines that fit alone (spacing included) and wraps the others under their indent', () => {
    const text = `a   b\n  next: ${'hydra exporter status hydra-compute; '.repeat(3)}`
    const out = fitLines(text, 50).split('\n')
    expect(out[0]).toBe('a   b')
    expect(out[1]).toMatch(/^  next: hydra/)
    for (const line of out.slice(2)) expect(line).toMatch(/^ {4}\S/)
    for (const line of out) expect(visibleWidth(line)).toBeLessThanOrEqual(50)
  })
  it('never cuts a word longer than the line: a URL stays whole on a line of its own', () => {
    const url = 'http://grafana.monitoring.example.internal:3003/d/hydra-ai-control-plane/hydra?orgId=1'
    const out = fitLines(`  see: open ${url} in a browser`, 40).split('\n')
    expect(out).toContain(`    ${url}`)
    expect(out[0]).toBe('  see: open')
    expect(out.at(-1)).toBe('    in a browser')
  })
})

describe('fitNote', () => {
  it('a labelled note wraps under the text after its label; other lines as fitLines; short ones alone', () => {
    const note = 'note: Prometheus does not scrape Loki (127.0.0.2:3100): LokiNotReady and LokiNotIngesting cannot fire until a scrape job "loki" does'
    const out = fitNote(`${note}\nshort`, 60).split('\n')
    expect(out[0]).toMatch(/^note: Prometheus does not scrape Loki/)
    for (const line of out.slice(1, -1)) expect(line).toMatch(/^ {6}\S/)
    expect(out.at(-1)).toBe('short')
    for (const line of out) expect(visibleWidth(line)).toBeLessThanOrEqual(60)
    expect(out.join(' ').replace(/\s+/g, ' ')).toBe(`${note} short`)
  })
})
