/** How a doctor run reads to a person: the report, and each group's progress line. Pure. */
import {statusWord, wrapText, type Styler} from '../output/terminal.js'
import type {CheckResult} from './model.js'
import type {DoctorReport} from './run.js'
import {silencedText} from './silenced.js'

/** One progress line: "hydra-compute: 3/9 checked, 1 failed, 2 skipped". */
export function groupProgressTitle(group: string, total: number, done: readonly CheckResult[]): string {
  const fail = done.filter((r) => r.status === 'fail').length
  const skipped = done.filter((r) => r.status === 'skipped').length
  return `${group}: ${done.length}/${total} checked${fail ? `, ${fail} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}`
}

/**
 * The report: the same lines on a terminal and in a cron mail, each problem with its evidence and
 * what to do, then the verdict; on a terminal (`width`) coloured and wrapped to its width.
 */
export function renderDoctorReport(report: DoctorReport, options: {width?: number; style: Styler}): string {
  const {style} = options
  const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')
  const lines: string[] = []
  const line = (text: string, indent: string) => lines.push(options.width === undefined ? text : wrapText(text, options.width, indent))
  for (const r of problems) {
    line(`${statusWord(style, r.status.toUpperCase())} ${style('bold', r.id)}: ${r.cause ?? ''}: ${r.detail}`, '    ')
    for (const s of silencedText(r.silenced ?? [])) line(`  ${style('yellow', s)}`, '    ')
    for (const e of r.evidence ?? []) line(`  evidence: ${e}`, '            ')
    if (r.hint) line(`  hint: ${r.hint}`, '        ')
  }
  // said once: the failures above could not be checked against Alertmanager's silences
  if (report.silences?.status === 'unreachable') line(`note: silences not read (${report.silences.error ?? 'Alertmanager did not answer'}): a failure someone silenced is shown as a plain failure`, '  ')
  const verdict = style(report.summary.fail ? 'red' : 'green', report.verdict)
  line(`${problems.length ? '\n' : ''}${verdict} in ${(report.durationMs / 1000).toFixed(1)}s`, '  ')
  return lines.join('\n')
}
