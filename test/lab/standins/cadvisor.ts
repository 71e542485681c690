// A stand-in for cAdvisor (no Debian package in the lab's set), speaking the documented API of
// api-facts.md §6: GET /healthz → 200 `ok` (cmd/internal/healthz/healthz.go), Prometheus metrics
// at /metrics (the default --prometheus_endpoint) with a few real container_* series.
import {renderMetrics} from './metrics-text.js'
import {PROM_TEXT, send, Standin, type StandinOptions} from './standin.js'

export interface CadvisorStandinOptions extends Partial<StandinOptions> {
  /** container names on this node, as Docker names them */
  containers?: string[]
}

const START = Math.floor(Date.now() / 1000)

export class CadvisorStandin extends Standin {
  readonly what = 'cAdvisor (stand-in, api-facts.md §6)'
  readonly containers: string[]

  constructor(options: CadvisorStandinOptions = {}) {
    super({name: 'cadvisor', node: 'hydra-storage', host: '127.0.0.2', port: 8080, ...options})
    this.containers = options.containers ?? ['prometheus', 'grafana', 'loki', 'qdrant', 'litellm', 'cadvisor']
    this.get('/healthz', ({res}) => send(res, 200, 'ok'))
    this.get('/metrics', ({res}) => send(res, 200, this.metrics(), PROM_TEXT))
  }

  private metrics(): string {
    const now = Date.now() / 1000
    const up = now - START
    const series = this.containers.map((name, i) => ({
      labels: {id: `/docker/${(i + 1).toString(16).padStart(64, 'a')}`, image: `${name}:latest`, name},
      i,
    }))
    return renderMetrics([
      {
        name: 'cadvisor_version_info',
        help: 'A metric with a constant \'1\' value labeled by kernel version, OS version, docker version, cadvisor version & cadvisor revision.',
        type: 'gauge',
        samples: [{labels: {cadvisorRevision: 'lab', cadvisorVersion: 'v0.49.1', dockerVersion: '27.3.1', kernelVersion: '6.1.0', osVersion: 'Unraid'}, value: 1}],
      },
      {
        name: 'container_cpu_usage_seconds_total',
        help: 'Cumulative cpu time consumed in seconds.',
        type: 'counter',
        samples: series.map((s) => ({labels: {...s.labels, cpu: 'total'}, value: Number((up * 0.05 * (s.i + 1)).toFixed(3))})),
      },
      {
        name: 'container_memory_usage_bytes',
        help: 'Current memory usage in bytes, including all memory regardless of when it was accessed',
        type: 'gauge',
        samples: series.map((s) => ({labels: s.labels, value: (s.i + 1) * 64 * 1024 * 1024})),
      },
      {
        name: 'container_last_seen',
        help: 'Last time a container was seen by the exporter',
        type: 'gauge',
        samples: series.map((s) => ({labels: s.labels, value: Math.floor(now)})),
      },
      {
        name: 'container_start_time_seconds',
        help: 'Start time of the container since unix epoch in seconds.',
        type: 'gauge',
        samples: series.map((s) => ({labels: s.labels, value: START})),
      },
    ])
  }
}
