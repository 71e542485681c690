/**
 * What an operator sees in a REAL terminal: health, targets, doctor and alerts run through a
 * pseudo-terminal (util-linux `script`) at 80 and 160 columns with colour on, against the lab with
 * one node exporter down (so a long error is in the tables). No line may be wider than the
 * terminal, and no short cell (a status word, a node name, an address) may be split across lines,
 * nor any word that is copied from a table (a silence's id, its end time, a systemd unit name).
 * With HYDRA_CAPTURE_DIR set, the raw 80-column captures (colour codes included) are kept there.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {LabControl, waitForAlertFiring, waitForTargetHealth} from '../lab/control.js'
import {inTerminal as inTerminalWith, screenLines} from '../helpers/pty.js'

const {configPath, controlUrl} = inject('lab')
const lab = new LabControl(controlUrl)
const CAPTURES = process.env.HYDRA_CAPTURE_DIR

/** `hydra ARGS` on the lab's config in a terminal of `columns` columns (test/helpers/pty.ts). */
const inTerminal = (columns: number, args: string[]): Promise<string> => inTerminalWith(columns, [...args, '--config', configPath])

const visible = (s: string) => [...s].length

// a silence in the real Alertmanager for silence list to show: one that mutes nothing, with a long
// regex matcher as hydra's own node silences have
const AM = 'http://127.0.0.2:9093'
let silenceId = ''
const silenceMatcher = 'instance=~"(127\\\\.0\\\\.0\\\\.9|hydra-terminal-test)(:[0-9]+)?"'

beforeAll(async () => {
  await lab.reset()
  const res = await fetch(`${AM}/api/v2/silences`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({
      matchers: [{name: 'instance', value: '(127\\.0\\.0\\.9|hydra-terminal-test)(:[0-9]+)?', isRegex: true, isEqual: true}],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'terminal.test',
      comment: 'shown by hydra silence list',
    }),
  })
  silenceId = ((await res.json()) as {silenceID: string}).silenceID
  await lab.stop('node-exporter@hydra-compute')
  await waitForTargetHealth('http://127.0.0.2:9090', '127.0.0.3:9100', 'down', 30_000)
  await waitForAlertFiring('http://127.0.0.2:9090', 'NodeExporterDown')
}, 90_000)
afterAll(async () => {
  if (silenceId) await fetch(`${AM}/api/v2/silence/${silenceId}`, {method: 'DELETE'})
  await lab.reset()
})

describe.each([80, 160])('in a %i-column terminal, colour on', (columns) => {
  const runs: Record<string, string> = {}
  beforeAll(async () => {
    const commands: Record<string, string[]> = {health: ['health'], targets: ['targets'], doctor: ['doctor'], alerts: ['alerts'], query: ['query', 'up{'], rules: ['rules', 'diff'], silences: ['silence', 'list'], exporters: ['exporter', 'status']}
    await Promise.all(Object.entries(commands).map(async ([name, args]) => (runs[name] = await inTerminal(columns, args))))
    if (CAPTURES && columns === 80) {
      mkdirSync(CAPTURES, {recursive: true})
      for (const [command, raw] of Object.entries(runs)) writeFileSync(join(CAPTURES, `${command}.80col.ansi.txt`), raw)
    }
  }, 120_000)

  it('no line of any command is wider than the terminal; colour is on', () => {
    for (const [command, raw] of Object.entries(runs)) {
      // rules diff and silence list have no status words to colour
      if (command !== 'rules' && command !== 'silences') expect(raw, command).toMatch(/\u001B\[3[12]m/)
      const wide = screenLines(raw).filter((l) => visible(l) > columns)
      expect(wide, `${command}: lines wider than ${columns}`).toEqual([])
    }
  })

  it('targets: the down target, its node, address and status stay on one line each', () => {
    const lines = screenLines(runs.targets!)
    const row = lines.find((l) => l.includes('127.0.0.3:9100'))
    expect(row).toBeDefined()
    expect(row).toMatch(/^hydra-compute\s+node\s+127\.0\.0\.3:9100\s+down\s/)
    // the error is wrapped under its own column, whole words
    expect(lines.join(' ').replace(/\s+/g, ' ')).toMatch(/connection refused/)
    for (const node of ['hydra-ai', 'hydra-storage']) expect(lines.some((l) => l.startsWith(node)), node).toBe(true)
    expect(runs.targets).toContain('\u001B[31mdown\u001B[39m')
  })

  it('health: every service and its status whole on its row', () => {
    const lines = screenLines(runs.health!)
    for (const service of ['prometheus', 'grafana', 'loki', 'alertmanager', 'hydra-storage/cadvisor', 'qdrant'])
      expect(lines.some((l) => new RegExp(`^${service}\\s+hydra-\\w+\\s+(ok|fail|optional)\\s+\\d+ms`).test(l)), service).toBe(true)
  })

  it('doctor: each failure with its evidence and hint, ids whole', () => {
    const lines = screenLines(runs.doctor!)
    const fail = lines.find((l) => /^FAIL \S+hydra-compute\S*: /.test(l))
    expect(fail, lines.join('\n')).toBeDefined()
    expect(lines.some((l) => l.startsWith('  evidence: '))).toBe(true)
    expect(lines.some((l) => l.startsWith('  hint: '))).toBe(true)
  })

  it('query: the error and its hint wrapped at words under their labels, the URL whole', () => {
    const lines = screenLines(runs.query!).filter((l) => l.trim() !== '')
    const url = 'https://prometheus.io/docs/prometheus/latest/querying/basics/'
    expect(lines[0]).toMatch(/^Error: bad PromQL: /)
    const hint = lines.findIndex((l) => l.startsWith('Hint: '))
    if (columns === 80) expect(lines.slice(hint)).toEqual(['Hint: fix the expression; see', `      ${url}`])
    else expect(lines.slice(hint)).toEqual([`Hint: fix the expression; see ${url}`])
  })

  it('silence list: the id whole at the start of its row, its end time and matcher whole', () => {
    const lines = screenLines(runs.silences!)
    expect(lines.find((l) => l.startsWith(`${silenceId} `)), lines.join('\n')).toMatch(/^\S+\s+active\s/)
    const words = lines.join('\n').split(/\s+/)
    expect(words).toContain(silenceMatcher)
    expect(words.some((w) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(w)), lines.join('\n')).toBe(true)
  })

  it('exporter status: every systemd unit name whole', () => {
    const words = screenLines(runs.exporters!).join('\n').split(/\s+/)
    for (const unit of ['prometheus-node-exporter.service', 'prometheus-nvidia-gpu-exporter.service']) expect(words, runs.exporters).toContain(unit)
  })

  it('alerts: renders', () => {
    expect(screenLines(runs.alerts!).some((l) => /\d+ firing, \d+ pending/.test(l))).toBe(true)
  })
})
