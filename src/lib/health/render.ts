/** `hydra health` for a person: one row per probe, the summary, the hints of the failing ones. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import type {HealthReport, HealthResult} from './probes.js'

export function renderHealth(report: HealthReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const out = [
    renderTable(
      [
        {header: 'service', value: (r: HealthResult) => r.id},
        {header: 'node', value: (r) => r.node ?? '-'},
        {header: 'status', value: (r) => statusWord(style, r.status === 'ok' ? 'ok' : r.required ? 'fail' : 'optional')},
        {header: 'latency', value: (r) => `${r.latencyMs}ms`},
        {header: 'detail', value: (r) => (r.cause && r.cause !== 'unhealthy' ? `${r.cause}: ${r.detail}` : r.detail), maxWidth: 70},
      ],
      report.results,
      {tty},
    ),
  ]
  const s = report.summary
  out.push(`\n${s.ok}/${s.total} healthy${s.failed ? `; ${s.requiredFailed} required failing` : ''}`)
  for (const r of report.results.filter((x) => x.status !== 'ok' && x.hint)) out.push(`  ${r.id}: ${r.hint}`)
  return out.join('\n')
}
