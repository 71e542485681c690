import {Args, Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {durationFlag} from '../flags.js'
import {ZONELESS_TIME} from '../lib/config/units.js'
import {formatDuration} from '../lib/format.js'
import {LOG_PRESETS, MAX_LIMIT} from '../lib/loki/logs.js'
import {OUTPUT_MODES, renderEntry, renderLogs, type OutputMode} from '../lib/loki/render.js'
import {DEFAULT_SINCE_MS, fetchLogs, followLogs, type LogsRequest} from '../lib/loki/run.js'
import {startTicker} from '../lib/output/progress.js'

export default class Logs extends HydraCommand<typeof Logs> {
  static override summary = 'query Loki logs (LogQL), or a preset of the runbook; --follow to tail'
  static override description = `Loki query_range over --since (or RFC 3339 --from/--to), with the tenant (X-Scope-OrgID) from services.loki.tenant or --org-id. Lines of all streams are merged in time order (--direction backward: newest first), with Loki's nanosecond timestamps. Flags as in logcli: --limit, --batch, --output, --org-id, --from/--to, --follow.

A query has its own timeout (--query-timeout, or services.loki.queryTimeout; default 60s), apart from connecting (--timeout): 30 days can take tens of seconds. While Loki starts (/ready: "Some services are not Running", "Ingester not ready") hydra says so instead of waiting. A multi-tenant tenant (a|b) needs Loki's querier.multi_tenant_queries_enabled: hydra checks Loki's /config and says so when it is off.

Presets (the runbook's queries, corrected: the Docker driver labels streams container_name, and level needs a parser or Loki 3's detected_level; the errors preset asks /loki/api/v1/status/buildinfo which Loki it talks to):
${LOG_PRESETS.map((p) => `  ${p.name.padEnd(10)} ${p.description}\n  ${' '.repeat(10)} replaces ${p.replaces}`).join('\n')}

${EXIT_CODES_HELP}
  (logs: 1 when Loki is starting or the query timed out, 2 when Loki rejects the query, 4 when it refuses the tenant)`
  static override examples = [
    `<%= config.bin %> logs '{container_name="tabbyapi"}' --since 30m`,
    '<%= config.bin %> logs --preset errors --since 6h --limit 500',
    `<%= config.bin %> logs '{container_name="loki"}' --from 2026-01-02T03:00:00Z --to 2026-01-02T04:00:00Z -o jsonl`,
    `<%= config.bin %> logs '{container_name="tabbyapi"}' --follow -o raw`,
    `<%= config.bin %> logs '{compose_project="ai"}' --since 30d --query-timeout 3m --org-id hydra`,
  ]
  static override args = {logql: Args.string({description: 'the LogQL query (or use --preset)'})}
  static override flags = {
    preset: Flags.string({summary: 'a named query instead of LOGQL', options: LOG_PRESETS.map((p) => p.name)}),
    since: durationFlag({summary: 'how far back to look (e.g. 15m, 6h, 30d, or seconds; default 1h); ignored with --from', timer: false}),
    from: Flags.string({summary: `start of the range, inclusive: RFC 3339 (2026-01-02T15:04:05.123456789Z, to the nanosecond; ${ZONELESS_TIME}), now, a duration ago (2h), or unix seconds`, helpValue: '<time>'}),
    to: Flags.string({summary: 'end of the range, exclusive (default now); the same forms as --from', helpValue: '<time>'}),
    limit: Flags.integer({summary: `at most this many lines, 0 for all (as logcli's --limit: fetched --batch at a time, so above Loki's ${MAX_LIMIT}-line cap too)`, default: 100, min: 0}),
    batch: Flags.integer({summary: 'lines per request when --limit needs several (logcli --batch; Loki caps one request at max_entries_limit_per_query)', min: 1, max: MAX_LIMIT}),
    direction: Flags.string({summary: 'backward: newest first; forward: oldest first', options: ['backward', 'forward'], default: 'backward'}),
    output: Flags.string({char: 'o', summary: 'default: time, labels, line; raw: the line only; jsonl: one JSON object per line (logcli -o)', options: [...OUTPUT_MODES], default: 'default'}),
    'org-id': Flags.string({summary: 'tenant (X-Scope-OrgID) instead of services.loki.tenant, as logcli --org-id; a|b asks several'}),
    'query-timeout': durationFlag({summary: 'how long the query may run (default services.loki.queryTimeout, else 60s)'}),
    follow: Flags.boolean({char: 'f', aliases: ['tail'], summary: 'keep printing new lines as they arrive (Loki tail WebSocket) until Ctrl-C'}),
  }

  async run() {
    const f = this.flags
    const req: LogsRequest = {logql: this.args.logql, preset: f.preset, sinceMs: f.since, from: f.from, to: f.to, limit: f.limit, batch: f.batch, direction: f.direction as 'backward' | 'forward', orgId: f['org-id'], queryTimeoutMs: f['query-timeout']}
    const mode = f.output as OutputMode
    const print = (line: string) => (this.jsonEnabled() ? undefined : this.print(line))
    if (f.follow) {
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
      try {
        const r = await followLogs(this.cluster, req, (entries) => entries.forEach((e) => print(renderEntry(e, mode, {}))), stop.signal, {onOpen: () => this.note('following new lines (Ctrl-C to stop)'), onDropped: (n) => this.note(`(Loki dropped ${n} line(s): the tail could not keep up)`)})
        if (r.endedBy === 'server') this.note('Loki closed the tail')
        return r
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
      }
    }
    const tick = process.stderr.isTTY && !this.jsonEnabled() ? startTicker('querying Loki') : undefined
    const result = await fetchLogs(this.cluster, req).finally(() => tick?.())
    const out = renderLogs(result, mode, f.from ? `from ${f.from}` : `in the last ${formatDuration(f.since ?? DEFAULT_SINCE_MS)}`)
    out.before.forEach((n) => this.note(n))
    out.lines.forEach(print)
    out.after.forEach((n) => this.note(n))
    return result
  }
}
