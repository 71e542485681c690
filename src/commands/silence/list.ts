import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {AlertmanagerClient} from '../../lib/alertmanager/api.js'
import {requireAlertmanager} from '../../lib/alertmanager/silence-ops.js'
import {silenceRows, type SilenceRow} from '../../lib/alertmanager/silences.js'
import {renderTable} from '../../lib/output/table.js'

export default class SilenceList extends HydraCommand<typeof SilenceList> {
  static override summary = "list Alertmanager's silences: active and pending (--all: expired too)"
  static override description = `From Alertmanager's v2 API (/api/v2/silences), soonest to end first.

${EXIT_CODES_HELP}`
  static override examples = ['<%= config.bin %> silence list', '<%= config.bin %> silence list --all --json']
  static override flags = {all: Flags.boolean({summary: 'include expired silences (Alertmanager keeps them for its --data.retention, 120h by default)'})}

  async run() {
    const am = new AlertmanagerClient(requireAlertmanager(this.cluster))
    try {
      const silences = silenceRows(await am.silences(), {all: this.flags.all})
      if (silences.length === 0) this.print(`no ${this.flags.all ? '' : 'active or pending '}silence in Alertmanager ${am.baseUrl}`)
      else
        this.print(
          renderTable(
            [
              {header: 'id', value: (r: SilenceRow) => r.id},
              {header: 'state', value: (r) => r.state},
              {header: 'matchers', value: (r) => r.matchers},
              {header: 'ends', value: (r) => r.endsAt},
              {header: 'by', value: (r) => r.createdBy},
              {header: 'comment', value: (r) => r.comment},
            ],
            silences,
            {tty: this.term.isTTY},
          ),
        )
      return {alertmanager: am.baseUrl, silences}
    } finally {
      await am.close()
    }
  }
}
