import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {doctorMetrics} from '../lib/doctor/metrics.js'
import {durationFlag} from '../flags.js'
import {progressGroups, trackProgress} from '../lib/doctor/progress.js'
import {renderDoctorReport} from '../lib/doctor/render.js'
import {planDoctor, runDoctor, DEFAULT_DEADLINE_MS, type DoctorReport} from '../lib/doctor/run.js'
import {startProgress} from '../lib/output/progress.js'
import {lastSuccessMetric} from '../lib/output/textfile.js'

export default class Doctor extends HydraCommand<typeof Doctor> {
  static override summary = 'run every check of the runbook at once, and name the cause of every failure'
  static override description = `Checks, concurrently and under one deadline, every node (SSH; each exporter's unit/container/process and listening port, the firewall for its port, hydra's own GET of its metrics, Prometheus's scrape of it; root disk and memory headroom) and every service (health endpoints; Prometheus targets, retention, rules, firing alerts and whether its last config reload succeeded; Grafana's credentials and the age and integrity of the latest dashboard backup; Loki's recent lines and the log driver of each container expected on Loki).

A failure is diagnosed along the runbook's Troubleshooting chain (node reachable → exporter running → port listening → firewall → fetch), and reported ONCE, at the first broken link, with its evidence and the command that fixes it; the checks after it are skipped because of it. A node that does not answer costs its timeout once.

A failure whose alerts someone has silenced in Alertmanager (hydra silence add) is shown as silenced, with who, why and until when: it is still a failure (same exit code, hydra_check_up 0), now an explained one. The silences are read once per run, alongside the checks, and only waited for (at most 1 s past them) when a check failed; an Alertmanager that does not answer is said once.

Without a terminal the output is plain lines fit for a cron mail. --textfile writes hydra_check_up{check,node,service} (1 ok or warn, 0 fail; skipped checks are omitted), hydra_doctor_last_run_timestamp_seconds, hydra_doctor_last_success_timestamp_seconds, hydra_doctor_duration_seconds, hydra_doctor_problems, hydra_doctor_checks{status}, hydra_check_silenced{check,node,service} and hydra_build_info for node exporter's textfile collector (README: Running hydra from cron).

${EXIT_CODES_HELP}
  (doctor: 0 when nothing failed, warnings allowed; 1 when any check failed, including refused credentials and silenced failures)`
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --only hydra-compute --only firewall',
    '<%= config.bin %> doctor --skip backup --deadline 60s',
    '<%= config.bin %> doctor --json --textfile /var/lib/prometheus/node-exporter/hydra_doctor.prom',
  ]
  static override flags = {
    deadline: durationFlag({summary: `the whole run ends by then; checks still running fail with cause "deadline" (default ${DEFAULT_DEADLINE_MS / 1000}s)`}),
    only: Flags.string({summary: 'run only checks of this node, service, kind (ssh, firewall, backup, …) or id; repeatable', multiple: true}),
    skip: Flags.string({summary: 'leave out checks of this node, service, kind or id; repeatable', multiple: true}),
    textfile: Flags.string({summary: 'also write Prometheus metrics for the textfile collector to this path (atomically)'}),
  }

  async run(): Promise<DoctorReport> {
    const deadlineMs = this.flags.deadline ?? DEFAULT_DEADLINE_MS
    const checks = planDoctor(this.cluster, {only: this.flags.only, skip: this.flags.skip})
    const progress = await startProgress(progressGroups(checks).titles, {enabled: process.stderr.isTTY && !this.jsonEnabled()})
    let report: DoctorReport
    try {
      report = await runDoctor(this.cluster, {checks, deadlineMs, onEvent: progress && trackProgress(checks, progress)})
    } finally {
      await progress?.close()
    }
    this.setExitCode(report.exitCode)
    if (this.flags.textfile)
      this.textfile(this.flags.textfile, [...doctorMetrics(report), lastSuccessMetric('hydra_doctor', 'When a hydra doctor run last found no failed check (0: never).', this.flags.textfile, report.summary.fail ? undefined : new Date(report.startedAt))])
    this.print(renderDoctorReport(report, {width: this.term.isTTY ? this.term.columns : undefined, style: this.style}))
    return report
  }
}
