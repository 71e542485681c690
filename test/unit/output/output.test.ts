import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseByteSize, parseDuration} from '../../../src/lib/config/units.js'
import {formatBytes, formatDuration} from '../../../src/lib/format.js'
import {renderTable} from '../../../src/lib/output/table.js'
import {detectTerminal, makeStyler, visibleWidth, wrapLabelled} from '../../../src/lib/output/terminal.js'
import {renderMetrics, writeTextfile} from '../../../src/lib/output/textfile.js'
import {formatAge, formatSeconds} from '../../../src/lib/output/time.js'
import {tempDirs} from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()

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

  it('a terminal of 0 columns (a pty nobody sized) is taken as 120 wide, not as 0', () => {
    expect(detectTerminal({isTTY: true, columns: 0}, {}).columns).toBe(120)
    expect(detectTerminal({isTTY: true}, {}).columns).toBe(120)
    expect(detectTerminal({isTTY: true, columns: 80}, {}).columns).toBe(80)
  })

  it('wrapLabelled: words wrapped under the text after the label; a URL never cut, alone on its line when it must', () => {
    const hint = 'fix the expression; see https://prometheus.io/docs/prometheus/latest/querying/basics/'
    expect(wrapLabelled('Hint:', hint, 80).split('\n')).toEqual(['Hint: fix the expression; see', '      https://prometheus.io/docs/prometheus/latest/querying/basics/'])
    expect(wrapLabelled('Hint:', hint, 160)).toBe(`Hint: ${hint}`)
    // narrower than the URL: the URL stays whole, wider than the terminal, on a line of its own
    const narrow = wrapLabelled('Hint:', hint, 40).split('\n')
    expect(narrow).toContain('      https://prometheus.io/docs/prometheus/latest/querying/basics/')
    expect(narrow.filter((l) => !l.includes('https://')).every((l) => visibleWidth(l) <= 40)).toBe(true)
  })

  it('wrapLabelled: a coloured label counts by its visible width; each line of a message wrapped on its own, indented lines keep their indent', () => {
    const red = makeStyler(true)
    const lines = wrapLabelled(red('red', 'Error:'), 'cannot reach Prometheus at http://127.0.0.2:9090 within 5s: the connection was refused by the host', 60).split('\n')
    expect(lines[0]!.startsWith('\u001B[31mError:\u001B[39m cannot reach')).toBe(true)
    expect(lines.slice(1).every((l) => l.startsWith('       ') && !l.startsWith('        '))).toBe(true)
    expect(lines.every((l) => visibleWidth(l) <= 60)).toBe(true)
    const multi = wrapLabelled('Error:', 'the config is invalid:\n  hydra.yaml:3:5 nodes[0].address: expected an IP address or a host name, got "192.168.1.300/24" here', 50).split('\n')
    expect(multi[0]).toBe('Error: the config is invalid:')
    expect(multi[1]!.startsWith('  hydra.yaml:3:5')).toBe(true)
    expect(multi.slice(2).every((l) => l.startsWith('    '))).toBe(true)
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
    const dir = tempDir('hydra-tf-')
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
