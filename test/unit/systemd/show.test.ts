import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {describeUnitState, parseSystemctlShow, parseSystemctlShowUnits, unitCondition} from '../../../src/lib/systemd/show.js'
import {findListener, findProcesses, parsePsTable, parseSsListening} from '../../../src/lib/exporters/sockets.js'

const fx = (area: string, f: string) => readFileSync(join(import.meta.dirname, '../../fixtures', area, f), 'utf8')

describe('systemctl show', () => {
  it('active, failed and not-found units', () => {
    const active = parseSystemctlShow(fx('systemd', 'show-active.txt'))
    expect(active).toMatchObject({activeState: 'active', subState: 'running', mainPid: 1234, result: 'success'})
    expect(unitCondition(active)).toBe('running')
    const failed = parseSystemctlShow(fx('systemd', 'show-failed.txt'))
    expect(unitCondition(failed)).toBe('failed')
    expect(describeUnitState(failed)).toBe('ActiveState=failed SubState=failed Result=exit-code ExecMainStatus=1')
    expect(unitCondition(parseSystemctlShow(fx('systemd', 'show-not-found.txt')))).toBe('missing')
    expect(unitCondition(parseSystemctlShow('ActiveState=inactive\nSubState=dead\nResult=success\n'))).toBe('stopped')
  })
})

describe('systemctl show for several units', () => {
  const blocks = [fx('systemd', 'show-active.txt'), fx('systemd', 'show-failed.txt'), fx('systemd', 'show-not-found.txt')]
  it('one state per unit, in the order named (an empty line between units, as systemctl prints them)', () => {
    const states = parseSystemctlShowUnits(blocks.map((b) => b.replace(/\n+$/, '')).join('\n\n') + '\n', 3)
    expect(states?.map(unitCondition)).toEqual(['running', 'failed', 'missing'])
    expect(states?.[0]).toEqual(parseSystemctlShow(blocks[0]!))
  })
  it('undefined when the blocks do not match the units, so the caller asks unit by unit', () => {
    const two = blocks.slice(0, 2).map((b) => b.replace(/\n+$/, '')).join('\n\n')
    expect(parseSystemctlShowUnits(two, 3)).toBeUndefined()
    expect(parseSystemctlShowUnits(`${two}\n\n`, 2)).toHaveLength(2)
    expect(parseSystemctlShowUnits('', 1)).toBeUndefined()
    expect(parseSystemctlShowUnits('Failed to get properties: Access denied\n', 1)).toBeUndefined()
  })
})

describe('ss -ltnH and ps (captured from the real tools)', () => {
  it('finds the exporter socket for the node address or a wildcard, not another address', () => {
    const sockets = parseSsListening(fx('ssh', 'ss-ltnH.txt'))
    expect(sockets).toContainEqual({address: '127.0.0.3', port: 9100, local: '127.0.0.3:9100'})
    expect(findListener(sockets, 9100, ['127.0.0.3'])?.local).toBe('127.0.0.3:9100')
    expect(findListener(sockets, 9100, ['127.0.0.4'])).toBeUndefined()
    const v6 = parseSsListening('LISTEN 0 4096 *:9100 *:*\nLISTEN 0 128 [::1]:22 [::]:*\n')
    expect(findListener(v6, 9100, ['10.0.0.1'])?.address).toBe('*')
    expect(v6[1]!.address).toBe('::1')
  })
  it('matches a process by its 15-character comm', () => {
    const table = parsePsTable(fx('ssh', 'ps-eo.txt'))
    expect(table.length).toBeGreaterThan(1)
    expect(findProcesses(table, 'prometheus-node-exporter').length).toBeGreaterThan(0)
    expect(findProcesses(table, 'no-such-exporter')).toEqual([])
  })
})
