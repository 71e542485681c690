import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag} from '../../flags.js'
import {lokiCanary, DEFAULT_CANARY_TIMEOUT_MS} from '../../lib/loki/canary.js'
import {LokiClient, requireLoki} from '../../lib/loki/client.js'
import {renderCanary} from '../../lib/loki/render.js'

export default class LokiCanary extends HydraCommand<typeof LokiCanary> {
  static override summary = 'push one line to Loki and read it back: the round trip and its latency'
  static override description = `Pushes one line labelled {hydra_canary="<unique id>", job="hydra-canary"} to Loki's push URL (services.loki.pushUrl, else its url: the write path of a split Loki), then queries the read path for it until it comes back or --wait passes. It writes to Loki (one small stream per run), so the doctor runs it only with logs.canary: true.

${EXIT_CODES_HELP}
  (loki canary: 1 when the line does not come back in time, with the cause)`
  static override examples = ['<%= config.bin %> loki canary', '<%= config.bin %> loki canary --wait 30s --json']
  static override flags = {
    wait: durationFlag({summary: `how long to wait for the line to come back (default ${DEFAULT_CANARY_TIMEOUT_MS / 1000}s)`}),
    'org-id': Flags.string({summary: 'tenant (X-Scope-OrgID) instead of services.loki.tenant'}),
  }

  async run() {
    const timeoutMs = this.flags.wait
    const loki = new LokiClient(requireLoki(this.cluster), {orgId: this.flags['org-id']})
    try {
      const r = await lokiCanary(loki, {timeoutMs})
      const {out, notes} = renderCanary(r)
      this.print(out)
      for (const n of notes) this.note(n)
      return r
    } finally {
      await loki.close()
    }
  }
}
