import {Args} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {durationFlag, timeFlag} from '../flags.js'
import {ZONELESS_TIME} from '../lib/config/units.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {runQuery} from '../lib/prometheus/query.js'
import {renderQueryResult} from '../lib/prometheus/query-render.js'

export default class Query extends HydraCommand<typeof Query> {
  static override summary = 'run a PromQL query'
  static override description = `An instant query, or with --since a range query (the last value, min and max of each series over the range). Prometheus's errors are shown as it words them: a bad expression exits 2. Warnings go to stderr, and so does why an empty answer is empty: a metric name Prometheus has no series of (with the known rename, e.g. the runbook's nvidia_gpu_* names), or label matchers or a time that select nothing.

${EXIT_CODES_HELP}
  (query: 2 when Prometheus rejects the expression)`
  static override examples = [
    `<%= config.bin %> query 'up{job="node"}'`,
    `<%= config.bin %> query 'rate(node_cpu_seconds_total{mode="idle"}[5m])' --since 1h --step 1m`,
    `<%= config.bin %> query 'up' --time 2026-01-02T15:04:05Z --json`,
  ]
  static override args = {
    promql: Args.string({description: 'the PromQL expression', required: true}),
  }
  static override flags = {
    since: durationFlag({summary: 'a range query over this long before --time (e.g. 1h)', timer: false}),
    step: durationFlag({timer: false, summary: 'range query resolution (e.g. 30s; default: the range / 60)', dependsOn: ['since']}),
    time: timeFlag({summary: `evaluation time, or the end of the range: RFC 3339 (${ZONELESS_TIME}), now, a duration ago, or unix seconds`}),
  }

  async run() {
    const options = {
      query: this.args.promql,
      sinceMs: this.flags.since,
      stepMs: this.flags.step,
      time: this.flags.time === undefined ? undefined : this.flags.time / 1000,
    }
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const result = await runQuery(prom, options)
      for (const w of result.warnings) this.note(`warning: ${w}`)
      if (result.note) this.note(result.note)
      if (!this.jsonEnabled()) this.print(renderQueryResult(result, {tty: this.term.isTTY}))
      return result
    } finally {
      await prom.close()
    }
  }
}
