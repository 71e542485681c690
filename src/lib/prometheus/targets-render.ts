/** `hydra targets` for a person: the table, the summary, the causes and what to run next. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import {formatAge, formatSeconds} from '../output/time.js'
import type {TargetRow, TargetsReport} from './targets.js'

export function renderTargets(report: TargetsReport, {style, tty, down = false, now = Date.now()}: {style: Styler; tty: boolean; down?: boolean; now?: number}): string {
  const rows = report.targets
  if (report.notScraping) return `${report.notScraping.message}\n  fix: ${report.notScraping.hint}`
  if (rows.length === 0) return down ? 'no target is down' : 'no targets match'
  const out = [
    renderTable(
      [
        {header: 'node', value: (r: TargetRow) => r.node ?? '-'},
        {header: 'job', value: (r) => r.job},
        {header: 'instance', value: (r) => r.instance},
        {header: 'health', value: (r) => statusWord(style, r.health)},
        {header: 'last scrape', value: (r) => formatAge(r.lastScrape, now)},
        {header: 'duration', value: (r) => formatSeconds(r.scrapeDurationSeconds)},
        {header: 'error', value: (r) => r.lastError || '', maxWidth: 70},
      ],
      rows,
      {tty},
    ),
  ]
  const s = report.summary
  out.push(`\n${s.total} target${s.total === 1 ? '' : 's'}: ${s.up} up, ${s.down} down${s.unknown ? `, ${s.unknown} unknown` : ''}`)
  for (const g of report.errorsByCause) out.push(`  ${g.cause} (${g.instances.length}): ${g.description}: ${g.instances.join(', ')}`)
  const downNodes = [...new Set(rows.filter((r) => r.health !== 'up' && r.node).map((r) => r.node!))]
  if (downNodes.length > 0) out.push(`next: ${downNodes.map((n) => `hydra exporter status ${n}; hydra firewall check ${n}`).join('; ')}; or hydra doctor for the whole chain`)
  else if (report.errorsByCause.length > 0) out.push('next: hydra doctor')
  return out.join('\n')
}
