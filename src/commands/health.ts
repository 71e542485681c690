import {Flags} from '@oclif/core'

import {EXIT_CODES_HELP, HydraCommand} from '../base-command.js'
import {checkHealth} from '../lib/health/probes.js'
import {renderHealth} from '../lib/health/render.js'

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
    this.print(renderHealth(report, {style: this.style, tty: this.term.isTTY}))
    return report
  }
}
