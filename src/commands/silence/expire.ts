import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {AlertmanagerClient} from '../../lib/alertmanager/api.js'
import {expireSilences, requireAlertmanager} from '../../lib/alertmanager/silence-ops.js'
import {checkSilenceId} from '../../lib/alertmanager/silences.js'
import {UserError} from '../../lib/errors.js'

export default class SilenceExpire extends HydraCommand<typeof SilenceExpire> {
  static override summary = 'end silences now (Alertmanager keeps them listed as expired)'
  static override description = `DELETE /api/v2/silence/{id} for each ID: the silence ends now and its alerts notify again.

${EXIT_CODES_HELP}
  (silence expire: 1 when no silence could be expired (e.g. an unknown ID), 3 when only some could)`
  static override examples = ['<%= config.bin %> silence expire 1faabfac-a23b-4e79-ab94-80d2ffcbc759', '<%= config.bin %> silence expire ID1 ID2 --json']
  static override strict = false
  static override args = {ids: Args.string({description: 'silence IDs (hydra silence list shows them)'})}
  static override flags = {'dry-run': Flags.boolean({summary: 'check the IDs and say what would be expired; expire nothing'})}

  async run() {
    const {argv} = await this.parse(SilenceExpire)
    const ids = [...new Set(argv as string[])]
    if (ids.length === 0) throw new UserError('give the ID of at least one silence', {hint: 'hydra silence list shows the IDs'})
    for (const id of ids) checkSilenceId(id)
    const endpoint = requireAlertmanager(this.cluster)
    if (this.flags['dry-run']) {
      for (const id of ids) this.print(`would expire ${id}`)
      return {dryRun: true, alertmanager: endpoint.baseUrl, results: ids.map((id) => ({id, expired: false}))}
    }
    const am = new AlertmanagerClient(endpoint)
    try {
      const report = await expireSilences(am, ids)
      for (const r of report.results) {
        if (r.expired) this.print(`expired ${r.id}`)
        else this.note(`could not expire ${r.id}: ${r.error}`)
      }
      this.setExitCode(report.exitCode)
      return {dryRun: false, alertmanager: endpoint.baseUrl, ...report}
    } finally {
      await am.close()
    }
  }
}
