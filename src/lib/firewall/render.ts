/** `hydra firewall check` for a person: one verdict per node and port, the rule that decides, what to do. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import type {FirewallReport, PortVerdict} from './check.js'
import {counted} from '../format.js'

export function renderFirewall(report: FirewallReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const out: string[] = []
  const rows = report.nodes.flatMap((n) => n.verdicts)
  if (rows.length > 0)
    out.push(
      renderTable(
        [
          {header: 'node', value: (r: PortVerdict) => r.node},
          {header: 'port', value: (r) => `${r.port}${r.exporter ? ` (${r.exporter})` : ''}`},
          {header: 'backend', value: (r) => r.backend},
          {header: 'verdict', value: (r) => statusWord(style, r.verdict.toUpperCase())},
          {header: 'decided by', value: (r) => (r.via ? `${r.via} → ${r.decidedBy}` : r.decidedBy), maxWidth: 100},
        ],
        rows,
        {tty},
      ),
    )
  for (const n of report.nodes.filter((x) => x.error)) out.push(`${n.node}: ${n.error!.message}${n.error!.hint ? `\n  next: ${n.error!.hint}` : ''}`)
  const s = report.summary
  out.push(`\n${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown${s.nodesFailed ? `; ${counted(s.nodesFailed, 'node')} not checked` : ''}`)
  for (const r of rows.filter((x) => x.verdict !== 'allowed')) out.push(`  ${r.node}:${r.port}: ${r.reason ?? r.verdict}${r.hint ? `\n    next: ${r.hint}` : ''}`)
  return out.join('\n')
}
