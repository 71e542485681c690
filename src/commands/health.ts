import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {checkHealth, type HealthResult} from '../lib/health/probes.js'
import {renderTable} from '../lib/output/table.js'
import {statusWord} from '../lib/output/terminal.js'

export default class Health extends HydraCommand<typeof Health> {
  static override summary = "probe every service's health endpoint"
  static override description = `Probes, concurrently and each within the timeout, Prometheus /-/ready, Grafana /api/health, Loki /ready, Alertmanager /-/ready, cAdvisor /healthz, Qdrant /readyz, TabbyAPI /health, Ollama /api/tags and LiteLLM /health/liveliness, and shows each one's latency and, when it fails, the cause. Optional services (required: false, e.g. Alertmanager) are reported without failing the run.

${EXIT_CODES_HELP}
  (health: 1 when a required service is unhealthy, 4 when one refuses hydra with 401/403)`
  static override examples = ['<%= config.bin %> health', '<%= config.bin %> health --only grafana --only loki', '<%= config.bin %> health --json --timeout 2s']
  static override flags = {
    only: Flags.string({summary: 'probe only this service (id or kind); repeatable', multiple: true}),
  }

  async run() {
    const report = await checkHealth(this.cluster, {only: this.flags.only})
    this.setExitCode(report.exitCode)
    if (!this.jsonEnabled()) {
      this.print(
        renderTable(
          [
            {header: 'service', value: (r: HealthResult) => r.id},
            {header: 'node', value: (r) => r.node ?? '-'},
            {header: 'status', value: (r) => statusWord(this.style, r.status === 'ok' ? 'ok' : r.required ? 'fail' : 'optional')},
            {header: 'latency', value: (r) => `${r.latencyMs}ms`},
            {header: 'detail', value: (r) => (r.cause && r.cause !== 'unhealthy' ? `${r.cause}: ${r.detail}` : r.detail), maxWidth: 70},
          ],
          report.results,
          {tty: this.term.isTTY},
        ),
      )
      const s = report.summary
      this.print(`\n${s.ok}/${s.total} healthy${s.failed ? `; ${s.requiredFailed} required failing` : ''}`)
      for (const r of report.results.filter((x) => x.status !== 'ok' && x.hint)) this.print(`  ${r.id}: ${r.hint}`)
    }
    return report
  }
}
