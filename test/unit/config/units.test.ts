import {describe, expect, it} from 'vitest'

import {MAX_TIMER_MS, parseDuration, parseDurationArg, parseTimeArg, timerProblem} from '../../../src/lib/config/units.js'
import {parseConfigText} from '../../../src/lib/config/loader.js'
import {ConfigError, ExitCode, UserError} from '../../../src/lib/errors.js'

/** The error a call throws; fails the test when it does not throw (no assertion hides in a catch). */
function thrown(f: () => unknown): UserError {
  let caught: unknown
  try {
    f()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(UserError)
  return caught as UserError
}

describe('parseDuration (config units)', () => {
  it('reads Prometheus-style durations and refuses the rest', () => {
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('2w')).toBe(14 * 86_400_000)
    expect(parseDuration('30')).toBeUndefined()
    expect(parseDuration('5 s')).toBeUndefined()
  })
})

describe('parseDurationArg (--timeout, --deadline, --step, --since of query)', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['800ms', 800],
    ['1', 1000],
    ['1.5', 1500],
    [' 10 ', 10_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDurationArg(text, '--timeout')).toBe(ms)
  })

  it.each(['soon', '', '-5s', '5 m', '1e3', 'Infinity'])('refuses %j with exit 2 naming the flag', (text) => {
    const e = thrown(() => parseDurationArg(text, '--deadline'))
    expect(e.exitCode).toBe(ExitCode.USAGE)
    expect(e.message).toBe(`--deadline ${JSON.stringify(text)} is not a duration`)
    expect(e.hint).toMatch(/bare number of seconds/)
  })

  it.each(['0', '0s', '0.0'])('refuses %j: a duration must be more than 0', (text) => {
    expect(thrown(() => parseDurationArg(text, '--timeout')).message).toMatch(/must be more than 0/)
  })

  it("refuses a timer past Node's limit (which would fire after 1 ms), but not a span", () => {
    for (const text of ['597h', '25d', '2147484s']) {
      const e = thrown(() => parseDurationArg(text, '--timeout'))
      expect(e.exitCode).toBe(ExitCode.USAGE)
      expect(e.message).toMatch(/longer than the longest timer Node\.js can set \(24d20h/)
    }
    expect(parseDurationArg('24d', '--timeout')).toBe(24 * 86_400_000)
    expect(parseDurationArg('90d', '--since', {timer: false})).toBe(90 * 86_400_000)
  })

  it('timerProblem: exactly 2^31-1 ms is the last one allowed', () => {
    expect(timerProblem(MAX_TIMER_MS)).toBeUndefined()
    expect(timerProblem(MAX_TIMER_MS + 1)).toMatch(/2\^31-1 ms/)
  })
})

describe('parseTimeArg (--time, --start, --end, --since of logs)', () => {
  const now = Date.parse('2026-11-30T12:00:00Z')
  it.each([
    ['2026-11-30T10:00:00Z', Date.parse('2026-11-30T10:00:00Z')],
    ['2026-11-30T10:00:00.5+01:00', Date.parse('2026-11-30T09:00:00.5Z')],
    ['2026-11-30T10:00:00+0100', Date.parse('2026-11-30T09:00:00Z')],
    ['2026-11-30 10:00z', Date.parse('2026-11-30T10:00:00Z')],
    ['2026-11-30', new Date(2026, 10, 30).getTime()],
    ['2026-11-30T10:00', new Date(2026, 10, 30, 10).getTime()],
    ['2026-11-30 10:00:05.25', new Date(2026, 10, 30, 10, 0, 5, 250).getTime()],
    ['now', now],
    ['1h', now - 3_600_000],
    ['30d', now - 30 * 86_400_000],
    ['90', now - 90_000],
    ['1767323045', 1_767_323_045_000],
    ['@1700000000', 1_700_000_000_000],
    ['@5', 5000],
  ])('%s', (text, ms) => {
    expect(parseTimeArg(text, '--time', now)).toBe(ms)
  })

  it('a time without a zone is local time, the date alone its midnight (not UTC midnight, as Date.parse would have it)', () => {
    const tz = process.env.TZ
    process.env.TZ = 'Europe/Berlin' // +01:00 in November
    try {
      expect(parseTimeArg('2026-11-30T10:00:00', '--time', now)).toBe(Date.parse('2026-11-30T09:00:00Z'))
      expect(parseTimeArg('2026-11-30', '--time', now)).toBe(Date.parse('2026-11-29T23:00:00Z'))
      expect(parseTimeArg('2026-11-30T10:00:00Z', '--time', now)).toBe(Date.parse('2026-11-30T10:00:00Z'))
    } finally {
      if (tz === undefined) delete process.env.TZ
      else process.env.TZ = tz
    }
  })

  it.each(['yesterday', '2026-13-45T99:00:00Z', '2026-02-30', '2026-11-30T24:30', '2026-11-30 garbage', '', '@'])('refuses %j with exit 2', (text) => {
    const e = thrown(() => parseTimeArg(text, '--start', now))
    expect(e.exitCode).toBe(ExitCode.USAGE)
    expect(e.message).toBe(`--start ${JSON.stringify(text)} is not a time`)
  })
})

describe('durations in the config', () => {
  const base = (extra: string) => `cluster: t
nodes:
  n1:
    address: 127.0.0.9
services:
  prometheus:
    node: n1
    port: 9090
    retention:
      time: 400d
${extra}`
  it('a timeout past the timer limit is a config error with file:line:col', () => {
    const text = base('defaults:\n  timeout: 9999h\n')
    let caught: unknown
    try {
      parseConfigText(text, '/etc/hydra.yaml')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const p = (caught as ConfigError).problems.find((x) => x.keyPath === 'defaults.timeout')!
    expect(p).toMatchObject({file: '/etc/hydra.yaml', line: text.split('\n').indexOf('  timeout: 9999h') + 1, col: 12})
    expect(p.message).toMatch(/9999h is longer than the longest timer/)
  })
  it('retention (400d) is not a timer and stays allowed', () => {
    expect(() => parseConfigText(base('defaults:\n  timeout: 24d\n'), '/etc/hydra.yaml')).not.toThrow()
  })
})
