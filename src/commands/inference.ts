import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {PrometheusClient} from '../lib/prometheus/client.js'
import {inferencePerformance} from '../lib/views/inference.js'
import {renderInference} from '../lib/views/render.js'

export default class Inference extends HydraCommand<typeof Inference> {
  static override summary = 'show TabbyAPI tokens/s and p99 latency, where its metrics exist'
  static override description = `The runbook's Inference Performance panel. TabbyAPI on main has no /metrics, and the runbook's tabby_tokens_generated_total / tabby_inference_duration_seconds_bucket exist in no version. When the tabbyapi: metrics of the unmerged PRs #443/#444 are in Prometheus, this shows tokens/s, p99 end-to-end latency and requests in progress per instance; otherwise it says so (exit 0: nothing is broken).

${EXIT_CODES_HELP}`
  static override examples = ['<%= config.bin %> inference', '<%= config.bin %> inference --json']

  async run() {
    const prom = new PrometheusClient(this.cluster.prometheus)
    try {
      const report = await inferencePerformance(prom, this.cluster)
      for (const w of report.warnings) this.note(`warning: ${w}`)
      this.print(renderInference(report, {tty: this.term.isTTY}))
      return report
    } finally {
      await prom.close()
    }
  }
}
