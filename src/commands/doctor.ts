import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {parseDuration} from '../lib/config/units.js'
import {doctorMetrics} from '../lib/doctor/metrics.js'
import type {Check, CheckResult} from '../lib/doctor/model.js'
import {planDoctor, runDoctor, DEFAULT_DEADLINE_MS, type DoctorReport} from '../lib/doctor/run.js'
import type {DoctorEvent} from '../lib/doctor/runner.js'
import {OperationError, UserError} from '../lib/errors.js'
import {statusWord, wrapText} from '../lib/output/terminal.js'
import {writeTextfile} from '../lib/output/textfile.js'

export default class Doctor extends HydraCommand<typeof Doctor> {
  static override summary = 'run every check of the runbook at once, and name the cause of every failure'
  static override description = `Checks, concurrently and under one deadline, every node (SSH; each exporter's unit/container/process and listening port, the firewall for its port, hydra's own GET of its metrics, Prometheus's scrape of it; root disk and memory headroom) and every service (health endpoints; Prometheus targets, retention, rules and firing alerts; Grafana's credentials and the age and integrity of the latest dashboard backup; Loki's recent lines and the log driver of each container expected on Loki).

A failure is diagnosed along the runbook's Troubleshooting chain (node reachable → exporter running → port listening → firewall → fetch), and reported ONCE, at the first broken link, with its evidence and the command that fixes it; the checks after it are skipped because of it. A node that does not answer costs its timeout once.

Without a terminal the output is plain lines fit for a cron mail. --textfile writes hydra_check_up{check,node,service} (1 ok or warn, 0 fail; skipped checks are omitted), hydra_doctor_last_run_timestamp_seconds, hydra_doctor_duration_seconds and hydra_doctor_problems for node exporter's textfile collector.

${EXIT_CODES_HELP}
  (doctor: 0 when nothing failed, warnings allowed; 1 when any check failed, including refused credentials)`
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --only hydra-compute --only firewall',
    '<%= config.bin %> doctor --skip backup --deadline 60s',
    '<%= config.bin %> doctor --json --textfile /var/lib/prometheus/node-exporter/hydra_doctor.prom',
  ]
  static override flags = {
    deadline: Flags.string({summary: `the whole run ends by then; checks still running fail with cause "deadline" (default ${DEFAULT_DEADLINE_MS / 1000}s)`}),
    only: Flags.string({summary: 'run only checks of this node, service, kind (ssh, firewall, backup, …) or id; repeatable', multiple: true}),
    skip: Flags.string({summary: 'leave out checks of this node, service, kind or id; repeatable', multiple: true}),
    textfile: Flags.string({summary: 'also write Prometheus metrics for the textfile collector to this path (atomically)'}),
  }

  async run(): Promise<DoctorReport> {
    const deadlineMs = this.deadlineMs()
    const cluster = this.cluster
    const checks = planDoctor(cluster, {only: this.flags.only, skip: this.flags.skip})
    const progress = process.stderr.isTTY && !this.jsonEnabled() ? await this.startProgress(checks) : undefined
    const report = await runDoctor(cluster, {checks, deadlineMs, onEvent: progress?.onEvent})
    await progress?.finished
    this.setExitCode(report.exitCode)
    if (this.flags.textfile) {
      try {
        writeTextfile(this.flags.textfile, doctorMetrics(report))
      } catch (error) {
        throw new OperationError('textfile_write', `cannot write ${this.flags.textfile}: ${(error as Error).message}`, {hint: 'the directory must exist and be writable by the user running hydra'})
      }
    }
    if (!this.jsonEnabled()) this.render(report)
    return report
  }

  private deadlineMs(): number {
    const text = this.flags.deadline
    if (text === undefined) return DEFAULT_DEADLINE_MS
    const ms = parseDuration(text)
    if (ms === undefined || ms <= 0) throw new UserError(`--deadline ${JSON.stringify(text)} is not a duration`, {hint: 'use e.g. --deadline 30s or --deadline 2m'})
    return ms
  }

  /** listr2 progress on stderr, one line per node and service; listr2 is loaded only here. */
  private async startProgress(checks: Check[]): Promise<{onEvent: (e: DoctorEvent) => void; finished: Promise<void>}> {
    const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
    const groups = [...new Set(checks.map((c) => c.group))]
    const state = new Map(groups.map((g) => [g, {total: checks.filter((c) => c.group === g).length, done: [] as CheckResult[], title: (_: string) => {}, resolve: () => {}}]))
    const allDone = new Map(groups.map((g) => [g, new Promise<void>((resolve) => (state.get(g)!.resolve = resolve))]))
    const describe = (g: string) => {
      const s = state.get(g)!
      const fail = s.done.filter((r) => r.status === 'fail').length
      const skipped = s.done.filter((r) => r.status === 'skipped').length
      return `${g}: ${s.done.length}/${s.total} checked${fail ? `, ${fail} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}`
    }
    const listr = new Listr(
      groups.map((g) => ({
        title: `${g}: 0/${state.get(g)!.total} checked`,
        task: async (_ctx: unknown, task: {title: string}) => {
          state.get(g)!.title = (t) => (task.title = t)
          await allDone.get(g)
          task.title = describe(g)
          const failed = state.get(g)!.done.filter((r) => r.status === 'fail')
          if (failed.length) throw new Error(`${describe(g)}: ${failed.map((r) => `${r.id} ${r.cause ?? ''}`).join(', ')}`)
        },
      })),
      {concurrent: true, exitOnError: false, rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})}},
    )
    const finished = listr.run().then(
      () => undefined,
      () => undefined,
    )
    return {
      finished,
      onEvent: (e) => {
        if (e.type !== 'done') return
        const s = state.get(e.check.group)
        if (!s) return
        s.done.push(e.result)
        s.title(describe(e.check.group))
        if (s.done.length === s.total) s.resolve()
      },
    }
  }

  private render(report: DoctorReport): void {
    const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn')
    // the same lines on a terminal and in a cron mail: each problem with its evidence and what to
    // do; on a terminal coloured and wrapped to its width
    const width = this.term.isTTY ? this.term.columns : Infinity
    const line = (text: string, indent: string) => this.print(width === Infinity ? text : wrapText(text, width, indent))
    for (const r of problems) {
      line(`${statusWord(this.style, r.status.toUpperCase())} ${this.style('bold', r.id)}: ${r.cause ?? ''}: ${r.detail}`, '    ')
      for (const e of r.evidence ?? []) line(`  evidence: ${e}`, '            ')
      if (r.hint) line(`  hint: ${r.hint}`, '        ')
    }
    const verdict = report.summary.fail ? this.style('red', report.verdict) : this.style('green', report.verdict)
    line(`${problems.length ? '\n' : ''}${verdict} in ${(report.durationMs / 1000).toFixed(1)}s`, '  ')
  }
}
