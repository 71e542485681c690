import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {renderSilenceExpire} from '../../lib/alertmanager/render.js'
import {silenceExpire} from '../../lib/alertmanager/silence-ops.js'

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
    const report = await silenceExpire(this.cluster, argv as string[], {dryRun: this.flags['dry-run']})
    for (const line of renderSilenceExpire(report)) (line.stream === 'stdout' ? this.print(line.text) : this.note(line.text))
    return report
  }
}
