import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {parseDuration} from '../lib/config/units.js'
import {UserError} from '../lib/errors.js'
import {LokiClient, requireLoki} from '../lib/loki/client.js'
import {formatEntry, LOG_PRESETS, MAX_LIMIT, presetQuery, queryLogs} from '../lib/loki/logs.js'
import {formatSeries, formatValue} from '../lib/prometheus/query.js'

export default class Logs extends HydraCommand<typeof Logs> {
  static override summary = 'query Loki logs (LogQL), or a preset of the runbook'
  static override description = `Loki query_range over the last --since, with the tenant (X-Scope-OrgID) from services.loki.tenant. Lines of all streams are merged in time order (--direction backward: newest first), with Loki's nanosecond timestamps in local time.

Presets (the runbook's queries, corrected: the Docker driver labels streams container_name, and level needs a parser or Loki 3's detected_level):
${LOG_PRESETS.map((p) => `  ${p.name.padEnd(10)} ${p.description}\n  ${' '.repeat(10)} replaces ${p.replaces}`).join('\n')}

${EXIT_CODES_HELP}
  (logs: 2 when Loki rejects the query, 4 when it refuses the tenant)`
  static override examples = [
    `<%= config.bin %> logs '{container_name="tabbyapi"}' --since 30m`,
    '<%= config.bin %> logs --preset errors --since 6h --limit 500',
    `<%= config.bin %> logs '{container_name="loki"} |= "level=error"' --direction forward --json`,
  ]
  static override args = {
    logql: Args.string({description: 'the LogQL query (or use --preset)'}),
  }
  static override flags = {
    preset: Flags.string({summary: 'a named query instead of LOGQL', options: LOG_PRESETS.map((p) => p.name)}),
    since: Flags.string({summary: 'how far back to look (e.g. 15m, 6h)', default: '1h'}),
    limit: Flags.integer({summary: `at most this many lines (Loki caps it at max_entries_limit_per_query, ${MAX_LIMIT} by default)`, default: 100}),
    direction: Flags.string({summary: 'backward: newest first; forward: oldest first', options: ['backward', 'forward'], default: 'backward'}),
  }

  async run() {
    if (this.args.logql && this.flags.preset) throw new UserError('give LOGQL or --preset, not both')
    if (!this.args.logql && !this.flags.preset) throw new UserError('give a LogQL query or --preset', {hint: `presets: ${LOG_PRESETS.map((p) => p.name).join(', ')}`})
    const sinceMs = parseDuration(this.flags.since)
    if (sinceMs === undefined) throw new UserError(`--since ${JSON.stringify(this.flags.since)} is not a duration`, {hint: 'e.g. 15m, 6h, 2d'})
    const query = this.args.logql ?? presetQuery(this.flags.preset!, this.cluster)
    const loki = new LokiClient(requireLoki(this.cluster))
    try {
      const result = await queryLogs(loki, {query, sinceMs, limit: this.flags.limit, direction: this.flags.direction as 'backward' | 'forward'})
      if (!this.jsonEnabled()) {
        if (result.rows) {
          for (const r of result.rows) this.print(`${formatSeries(undefined, r.labels)} ${formatValue(r.value)}`)
        } else if (result.entries.length === 0) {
          this.print(`no log lines for ${query} in the last ${this.flags.since}`)
        } else {
          if (Object.keys(result.commonLabels).length > 0) this.note(`${result.entries.length} lines from ${result.streams} stream(s), all ${formatSeries(undefined, result.commonLabels)}`)
          for (const e of result.entries) this.print(formatEntry(e, result.commonLabels))
          if (result.limited) this.note(`(limit ${result.limit} reached: there may be more; raise --limit or narrow --since)`)
        }
      }
      return result
    } finally {
      await loki.close()
    }
  }
}
