import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../../base-command.js'
import {durationFlag, nodeFlag, timeFlag} from '../../flags.js'
import {renderSilenceAdd} from '../../lib/alertmanager/render.js'
import {silenceAdd} from '../../lib/alertmanager/silence-ops.js'
import {ZONELESS_TIME} from '../../lib/config/units.js'

export default class SilenceAdd extends HydraCommand<typeof SilenceAdd> {
  static override summary = "silence alerts in Alertmanager for planned work: a node's, or those matching label matchers"
  static override description = `--node NAME silences every alert about that node: those labelled node=NAME, and those of its instances (its address or name, any port); that takes two silences, because Alertmanager ANDs the matchers of one. Matchers (name=value, name!=value, name=~regex, name!~regex) narrow --node down or stand alone. A silence always ends (--for or --until) and always says why (--comment); the author is --author or $USER.

${EXIT_CODES_HELP}
  (silence add: 2 also when Alertmanager refuses the silence, e.g. a matcher that matches everything; if one of a node's two silences fails, the other is expired again)`
  static override examples = [
    '<%= config.bin %> silence add --node hydra-compute --for 1h --comment "reboot for the kernel update"',
    '<%= config.bin %> silence add alertname=NodeExporterDown node=hydra-ai --until 2026-12-01T06:00:00Z --comment "PSU swap"',
    '<%= config.bin %> silence add --node hydra-ai --for 30m --comment test --dry-run --json',
  ]
  static override strict = false
  static override args = {matchers: Args.string({description: 'label matchers, e.g. alertname=NodeExporterDown severity!=info'})}
  static override flags = {
    node: nodeFlag({summary: 'silence every alert of this node of the config; repeatable'}),
    for: durationFlag({summary: 'how long, e.g. 2h or 30m', exclusive: ['until'], timer: false}),
    until: timeFlag({summary: `until when: RFC 3339, e.g. 2026-12-01T06:00:00Z (${ZONELESS_TIME}), or unix seconds`}),
    comment: Flags.string({summary: 'why (required: it is what the next person sees)', required: true}),
    author: Flags.string({summary: 'who (default: $USER)'}),
    'dry-run': Flags.boolean({summary: 'show the silences that would be created; create none'}),
  }

  async run() {
    const {argv} = await this.parse(SilenceAdd)
    const author = this.flags.author ?? process.env.USER ?? process.env.LOGNAME ?? 'hydra'
    const input = {nodes: this.flags.node, matchers: argv as string[], forMs: this.flags.for, until: this.flags.until === undefined ? undefined : new Date(this.flags.until), comment: this.flags.comment, author, now: new Date()}
    const report = await silenceAdd(this.cluster, {...input, dryRun: this.flags['dry-run']})
    this.print(renderSilenceAdd(report))
    return report
  }
}
