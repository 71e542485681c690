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
