/** `hydra exporter status` for a person: one row per exporter, then what to do about the bad ones. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import type {ExporterStatusRow} from './status.js'

export function renderExporterStatus(rows: ExporterStatusRow[], {style, tty}: {style: Styler; tty: boolean}): string {
  const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no')
  const out = [
    renderTable(
      [
        {header: 'node', value: (r: ExporterStatusRow) => r.node},
        {header: 'exporter', value: (r) => `${r.exporter} :${r.port}`},
        {header: 'managed by', value: (r) => `${r.managedBy} ${r.managedName}`},
        {header: 'state', value: (r) => statusWord(style, r.state === 'running' ? 'active' : r.state)},
        {header: 'detail', value: (r) => r.stateDetail, maxWidth: 60},
        {header: 'listening', value: (r) => yesNo(r.listening)},
        {header: 'metrics', value: (r) => (r.fetch.ok ? `ok ${r.fetch.latencyMs}ms` : r.fetch.detail), maxWidth: 40},
      ],
      rows,
      {tty},
    ),
  ]
  const bad = rows.filter((r) => !r.ok)
  out.push(`\n${rows.length - bad.length}/${rows.length} exporters healthy`)
  for (const r of bad) if (r.hint) out.push(`  ${r.id}: ${r.problems[0] ?? r.state}\n    next: ${r.hint}`)
  return out.join('\n')
}
