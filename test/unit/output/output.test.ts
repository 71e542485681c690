import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseByteSize, parseDuration} from '../../../src/lib/config/units.js'
import {formatBytes, formatDuration} from '../../../src/lib/format.js'
import {renderTable} from '../../../src/lib/output/table.js'
import {detectTerminal} from '../../../src/lib/output/terminal.js'
import {renderMetrics, writeTextfile} from '../../../src/lib/output/textfile.js'
import {formatAge, formatSeconds} from '../../../src/lib/output/time.js'

describe('units', () => {
  it('durations', () => {
    expect(parseDuration('5s')).toBe(5000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('15d')).toBe(15 * 86_400_000)
    expect(parseDuration('soon')).toBeUndefined()
    expect(formatDuration(5_400_000)).toBe('1h30m')
  })
  it('sizes the way Prometheus reads them: GB is GiB', () => {
    expect(parseByteSize('10GB')).toBe(parseByteSize('10GiB'))
    expect(parseByteSize('10GB')).toBe(10737418240)
    expect(parseByteSize('512MiB')).toBe(512 * 2 ** 20)
    expect(parseByteSize('ten')).toBeUndefined()
    expect(formatBytes(10737418240)).toBe('10GiB')
  })
})

describe('terminal', () => {
  it('colour only on a TTY without NO_COLOR, TERM=dumb or --no-color', () => {
    expect(detectTerminal({isTTY: true}, {}).color).toBe(true)
    expect(detectTerminal({isTTY: false}, {}).color).toBe(false)
    expect(detectTerminal({isTTY: true}, {NO_COLOR: ''}).color).toBe(false)
    expect(detectTerminal({isTTY: true}, {TERM: 'dumb'}).color).toBe(false)
    expect(detectTerminal({isTTY: true}, {}, true).color).toBe(false)
  })
})

describe('renderTable', () => {
  const cols = [
    {header: 'node', value: (r: {n: string; e: string}) => r.n},
    {header: 'error', value: (r: {n: string; e: string}) => r.e},
  ]
  it('plain, aligned columns without a TTY', () => {
    expect(renderTable(cols, [{n: 'hydra-ai', e: 'refused'}, {n: 'x', e: 'multi\nline'}], {tty: false})).toBe(
      'NODE      ERROR\nhydra-ai  refused\nx         multi line',
    )
  })
  it('a rule under the header on a TTY', () => {
    expect(renderTable(cols, [{n: 'a', e: 'b'}], {tty: true, width: 80})).toBe('node  error\n────  ─────\na     b')
  })
})

describe('textfile metrics', () => {
  it('renders the Prometheus text format with escaped labels', () => {
    expect(
      renderMetrics([{name: 'hydra_check_up', help: 'h', type: 'gauge', samples: [{labels: {check: 'a"b\\c\nd'}, value: 1}]}]),
    ).toBe('# HELP hydra_check_up h\n# TYPE hydra_check_up gauge\nhydra_check_up{check="a\\"b\\\\c\\nd"} 1\n')
  })
  it('writes atomically, leaving no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hydra-tf-'))
    writeTextfile(join(dir, 'hydra.prom'), [{name: 'x', help: 'h', type: 'gauge', samples: [{value: 2}]}])
    expect(readdirSync(dir)).toEqual(['hydra.prom'])
    expect(readFileSync(join(dir, 'hydra.prom'), 'utf8')).toContain('x 2')
  })
})

describe('time', () => {
  it('ages and durations', () => {
    const now = Date.parse('2026-01-01T00:10:00Z')
    expect(formatAge('2026-01-01T00:09:58Z', now)).toBe('2s ago')
    expect(formatAge('2026-01-01T00:00:00Z', now)).toBe('10m ago')
    expect(formatAge('0001-01-01T00:00:00Z', now)).toBe('never')
    expect(formatSeconds(0.0507)).toBe('50.7ms')
  })
})
