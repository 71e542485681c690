import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag} from '../../flags.js'
import {LokiClient, requireLoki} from '../../lib/loki/client.js'
import {guardStartup} from '../../lib/loki/guard.js'
import {lokiLabels} from '../../lib/loki/logs.js'
import {renderLabels} from '../../lib/loki/render.js'

export default class LokiLabels extends HydraCommand<typeof LokiLabels> {
  static override summary = 'list Loki label names, or the values of one label'
  static override description = `Without NAME: the label names Loki has seen (/loki/api/v1/labels); with NAME: its values (/loki/api/v1/label/NAME/values). Useful to find what a log query should select on: the Docker driver's container_name, not the runbook's container or job.

${EXIT_CODES_HELP}`
  static override examples = ['<%= config.bin %> loki labels', '<%= config.bin %> loki labels container_name', '<%= config.bin %> loki labels container_name --since 24h --json']
  static override args = {
    name: Args.string({description: 'a label name whose values to list'}),
  }
  static override flags = {
    since: durationFlag({summary: 'how far back to look (e.g. 24h, 7d, or seconds; default 6h)', timer: false}),
    query: Flags.string({summary: 'only labels of streams matching this selector'}),
    'org-id': Flags.string({summary: 'tenant (X-Scope-OrgID) instead of services.loki.tenant'}),
  }

  async run() {
    const sinceMs = this.flags.since ?? 6 * 3_600_000
    const loki = new LokiClient(requireLoki(this.cluster), {orgId: this.flags['org-id']})
    try {
      const result = await guardStartup(loki, (signal) => lokiLabels(loki, {name: this.args.name, sinceMs, query: this.flags.query, signal}))
      this.print(renderLabels(result, {sinceMs}))
      return result
    } finally {
      await loki.close()
    }
  }
}
