/** The silence commands for a person: add, expire and list. Pure. */
import {renderTable} from '../output/table.js'
import type {SilenceAddReport, SilenceExpireReport} from './silence-ops.js'
import type {SilenceRow} from './silences.js'

/** `hydra silence add`: each silence (that would be) created, and how to end them early. */
export function renderSilenceAdd(report: SilenceAddReport): string {
  if (report.dryRun) return report.silences.map((p) => `would silence ${p.covers} until ${p.endsAt} (by ${p.createdBy}: ${p.comment})`).join('\n')
  const created = report.silences as (SilenceAddReport['silences'][number] & {id: string})[]
  const out = created.map((s) => `silenced ${s.covers} until ${s.endsAt}: ${s.id}`)
  if (created.length > 1) out.push(`end them early with: hydra silence expire ${created.map((s) => s.id).join(' ')}`)
  return out.join('\n')
}

/** One line of output and the stream it belongs on: a result on stdout, a failure to note on stderr. */
export interface OutputLine {
  stream: 'stdout' | 'stderr'
  text: string
}

/** `hydra silence expire`: each ID in the order given: expired (or would be) on stdout, could not be on stderr. */
export function renderSilenceExpire(report: SilenceExpireReport): OutputLine[] {
  if (report.dryRun) return report.results.map((r) => ({stream: 'stdout', text: `would expire ${r.id}`}))
  return report.results.map((r) => (r.expired ? {stream: 'stdout', text: `expired ${r.id}`} : {stream: 'stderr', text: `could not expire ${r.id}: ${r.error}`}))
}

/** `hydra silence list`: one row per silence, or a sentence when there is none. */
export function renderSilenceList(report: {alertmanager: string; silences: SilenceRow[]}, {all, tty}: {all: boolean; tty: boolean}): string {
  if (report.silences.length === 0) return `no ${all ? '' : 'active or pending '}silence in Alertmanager ${report.alertmanager}`
  return renderTable(
    [
      {header: 'id', value: (r: SilenceRow) => r.id},
      {header: 'state', value: (r) => r.state},
      {header: 'matchers', value: (r) => r.matchers},
      {header: 'ends', value: (r) => r.endsAt},
      {header: 'by', value: (r) => r.createdBy},
      {header: 'comment', value: (r) => r.comment},
    ],
    report.silences,
    {tty},
  )
}
