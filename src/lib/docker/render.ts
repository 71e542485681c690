/** `hydra docker logdriver` for a person: each container's log driver, and what to do about the wrong ones. Pure. */
import {renderTable} from '../output/table.js'
import {statusWord, type Styler} from '../output/terminal.js'
import type {LogDriverReport, LogDriverRow} from './logdriver.js'

/** The stdout part; `logDriverWarnings` is the stderr part. Empty when there is nothing to say. */
export function renderLogDrivers(report: LogDriverReport, {style, tty}: {style: Styler; tty: boolean}): string {
  const out: string[] = []
  if (report.rows.length > 0)
    out.push(
      renderTable(
        [
          {header: 'node', value: (r: LogDriverRow) => r.node},
          {header: 'container', value: (r) => r.container},
          {header: 'status', value: (r) => r.status},
          {header: 'driver', value: (r) => (r.ok ? r.driver : statusWord(style, r.driver))},
          {header: 'options', value: (r) => Object.entries(r.options).map(([k, v]) => `${k}=${v}`).join(' '), maxWidth: 60},
          {header: 'loki expected', value: (r) => (r.lokiExpected ? 'yes' : '')},
        ],
        report.rows,
        {tty},
      ),
    )
  for (const r of report.rows.filter((x) => !x.ok)) out.push(`  ${r.node}/${r.container}: ${r.problem}\n    next: ${r.hint}`)
  for (const m of report.missing) out.push(`  ${m}: expected on Loki (logs.lokiDriverExpected) but no checked node has such a container`)
  for (const e of report.errors) out.push(`${e.node}: ${e.message}${e.hint ? `\n  next: ${e.hint}` : ''}`)
  return out.join('\n')
}

export function logDriverWarnings(report: LogDriverReport): string[] {
  return report.rejectedNames.map((x) => `warning: ${x.node}: skipped a container whose name is not a valid container name: ${JSON.stringify(x.name)}`)
}
