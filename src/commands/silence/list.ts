import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {renderSilenceList} from '../../lib/alertmanager/render.js'
import {silenceList} from '../../lib/alertmanager/silence-ops.js'

export default class SilenceList extends HydraCommand<typeof SilenceList> {
  static override summary = "list Alertmanager's silences: active and pending (--all: expired too)"
  static override description = `From Alertmanager's v2 API (/api/v2/silences), soonest to end first.

${EXIT_CODES_HELP}`
  static override examples = ['<%= config.bin %> silence list', '<%= config.bin %> silence list --all --json']
  static override flags = {all: Flags.boolean({summary: 'include expired silences (Alertmanager keeps them for its --data.retention, 120h by default)'})}

  async run() {
    const report = await silenceList(this.cluster, {all: this.flags.all})
    this.print(renderSilenceList(report, {all: this.flags.all, tty: this.term.isTTY}))
    return report
  }
}
