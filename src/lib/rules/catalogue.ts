/**
 * The essential alerts of a hydra cluster (issue 15), as definitions built from a RulesContext.
 * Every rule carries `severity`, a summary that names the node, a hint naming the hydra command
 * that diagnoses it, and promtool test cases (a series that must fire, one that must not).
 * Where they differ from the node-exporter mixin and awesome-prometheus-alerts, README says why.
 */
import {GPU_EXPORTERS, type GpuExporterKind} from '../views/gpu.js'
import type {AlertRuleDef, RulesContext} from './model.js'
import {labelIn, labelNotIn, quote} from './promql.js'
import {parseDuration} from '../config/units.js'

/** The node of a series: hydra's scrape config labels every target `node`; else its instance. */
export const NODE = '{{ if $labels.node }}{{ $labels.node }}{{ else }}{{ $labels.instance }}{{ end }}'

/** The textfile metrics the cron rules watch (written by doctor/backup --textfile). */
export const CRON_METRICS = {
  doctorLastRun: 'hydra_doctor_last_run_timestamp_seconds',
  checkUp: 'hydra_check_up',
  backupLastSuccess: 'hydra_backup_dashboards_last_success_timestamp_seconds',
} as const

const seconds = (d: string) => Math.round((parseDuration(d) ?? 0) / 1000)
/** 129600 s → "36h" (what an operator reads in a summary; Prometheus would print 1d12h) */
const hours = (d: string) => (seconds(d) % 3600 === 0 ? `${seconds(d) / 3600}h` : d)

/** Labels a test series carries the way hydra's scrape config labels a target. */
function target(job: string, node: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {...extra, instance: `${node}:${port}`, job, node}
}

function series(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(', ')}}`
}

function gpuSpec(kind: GpuExporterKind) {
  return GPU_EXPORTERS.find((e) => e.kind === kind)!
}

export function nodeRules(ctx: RulesContext): AlertRuleDef[] {
  const jobs = ctx.nodeJobs
  const j = labelIn('job', jobs)
  const job = jobs[0]!
  const t = ctx.thresholds
  const fs = `${j},mountpoint="/"`
  const nodeTarget = (node: string) => target(job, node, 9100)
  return [
    {
      group: 'hydra-nodes',
      alert: 'NodeExporterDown',
      expr: `up{${j}} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `node exporter on ${NODE} ({{ $labels.instance }}) is down: no disk, memory or CPU data from it`,
      hint: 'hydra exporter status {{ $labels.node }}; hydra doctor --only {{ $labels.node }}',
      tests: [
        {
          name: 'a node exporter that stops answering',
          series: [
            {series: series('up', nodeTarget('down-node')), values: '1 0x{n}'},
            {series: series('up', nodeTarget('up-node')), values: '1x{n}'},
          ],
          evalAfterForSeconds: 180,
          firing: [nodeTarget('down-node')],
        },
      ],
    },
    {
      group: 'hydra-nodes',
      alert: 'TargetDown',
      expr: `up{${labelNotIn('job', [...jobs, ...(ctx.lokiJob ? [ctx.lokiJob] : [])])}} == 0`,
      for: '5m',
      severity: 'warning',
      summary: `{{ $labels.job }} target {{ $labels.instance }} on ${NODE} is down`,
      hint: 'hydra targets --down',
      tests: [
        {
          name: 'an exporter target down, and a node exporter (its own alert) not counted twice',
          series: [
            {series: series('up', target('cadvisor', 'n1', 8080)), values: '0x{n}'},
            {series: series('up', target('qdrant', 'n1', 6333)), values: '1x{n}'},
            {series: series('up', nodeTarget('n2')), values: '0x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: [target('cadvisor', 'n1', 8080)],
        },
      ],
    },
    {
      group: 'hydra-nodes',
      alert: 'RootDiskSpaceLow',
      expr: `node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}} * 100 < ${t.rootDiskFreePercent}`,
      for: '15m',
      severity: 'warning',
      summary: `root filesystem of ${NODE} has less than ${t.rootDiskFreePercent}% free`,
      hint: 'hydra doctor --only disk:{{ $labels.node }}',
      tests: [
        {
          name: 'one root filesystem nearly full, one roomy',
          series: [
            {series: series('node_filesystem_avail_bytes', {...nodeTarget('full'), device: '/dev/sda1', fstype: 'ext4', mountpoint: '/'}), values: `${Math.max(0, t.rootDiskFreePercent - 1)}x{n}`},
            {series: series('node_filesystem_size_bytes', {...nodeTarget('full'), device: '/dev/sda1', fstype: 'ext4', mountpoint: '/'}), values: '100x{n}'},
            {series: series('node_filesystem_avail_bytes', {...nodeTarget('roomy'), device: '/dev/sda1', fstype: 'ext4', mountpoint: '/'}), values: `${Math.min(100, t.rootDiskFreePercent + 20)}x{n}`},
            {series: series('node_filesystem_size_bytes', {...nodeTarget('roomy'), device: '/dev/sda1', fstype: 'ext4', mountpoint: '/'}), values: '100x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: [{...nodeTarget('full'), device: '/dev/sda1', fstype: 'ext4', mountpoint: '/'}],
        },
      ],
    },
    {
      group: 'hydra-nodes',
      alert: 'MemoryAvailableLow',
      expr: `node_memory_MemAvailable_bytes{${j}} / node_memory_MemTotal_bytes{${j}} * 100 < ${t.memoryAvailablePercent}`,
      for: '10m',
      severity: 'warning',
      summary: `${NODE} has less than ${t.memoryAvailablePercent}% of its memory available`,
      hint: 'hydra doctor --only memory:{{ $labels.node }}',
      tests: [
        {
          name: 'one node short of memory, one not',
          series: [
            {series: series('node_memory_MemAvailable_bytes', nodeTarget('short')), values: `${Math.max(0, t.memoryAvailablePercent - 1)}x{n}`},
            {series: series('node_memory_MemTotal_bytes', nodeTarget('short')), values: '100x{n}'},
            {series: series('node_memory_MemAvailable_bytes', nodeTarget('fine')), values: `${Math.min(100, t.memoryAvailablePercent + 20)}x{n}`},
            {series: series('node_memory_MemTotal_bytes', nodeTarget('fine')), values: '100x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: [nodeTarget('short')],
        },
      ],
    },
  ]
}

export function gpuRules(ctx: RulesContext): AlertRuleDef[] {
  if (ctx.gpuExporters.length === 0) return []
  const t = ctx.thresholds
  const kinds = ctx.gpuExporters
  const gpuLabels = (kind: GpuExporterKind, uuid: string) => target('nvidia-gpu', `${kind}-node`, 9835, {uuid})
  const tempExpr = kinds.map((k) => `${gpuSpec(k).metrics.temperature} > ${t.gpuTemperatureCelsius}`).join(' or ')
  const memExpr = kinds
    .map((k) => {
      const m = gpuSpec(k).metrics
      return m.memTotal ? `${m.memUsed} / ${m.memTotal} * 100 > ${t.gpuMemoryUsedPercent}` : `${m.memUsed} / (${m.memUsed} + ${m.memFree}) * 100 > ${t.gpuMemoryUsedPercent}`
    })
    .join(' or ')
  const memSeries = (kind: GpuExporterKind, uuid: string, usedPercent: number) => {
    const m = gpuSpec(kind).metrics
    const l = gpuLabels(kind, uuid)
    return [
      {series: series(m.memUsed, l), values: `${usedPercent}x{n}`},
      m.memTotal ? {series: series(m.memTotal, l), values: '100x{n}'} : {series: series(m.memFree!, l), values: `${100 - usedPercent}x{n}`},
    ]
  }
  return [
    {
      group: 'hydra-gpu',
      alert: 'GpuTemperatureHigh',
      expr: tempExpr,
      for: '5m',
      severity: 'warning',
      summary: `a GPU of ${NODE} ({{ $labels.instance }}) is hotter than ${t.gpuTemperatureCelsius}°C`,
      hint: 'hydra gpu',
      tests: [
        {
          name: 'one hot GPU, one cool',
          series: kinds.flatMap((k) => [
            {series: series(gpuSpec(k).metrics.temperature, gpuLabels(k, 'GPU-hot')), values: `${t.gpuTemperatureCelsius + 5}x{n}`},
            {series: series(gpuSpec(k).metrics.temperature, gpuLabels(k, 'GPU-cool')), values: `${t.gpuTemperatureCelsius - 20}x{n}`},
          ]),
          evalAfterForSeconds: 120,
          firing: kinds.map((k) => gpuLabels(k, 'GPU-hot')),
        },
      ],
    },
    {
      group: 'hydra-gpu',
      alert: 'GpuMemoryNearlyFull',
      expr: memExpr,
      for: '15m',
      severity: 'warning',
      summary: `a GPU of ${NODE} ({{ $labels.instance }}) has more than ${t.gpuMemoryUsedPercent}% of its memory in use`,
      hint: 'hydra gpu; hydra inference',
      tests: [
        {
          name: 'one GPU with its memory full, one with room',
          series: kinds.flatMap((k) => [...memSeries(k, 'GPU-full', Math.min(100, Math.ceil(t.gpuMemoryUsedPercent) + 1)), ...memSeries(k, 'GPU-room', Math.floor(t.gpuMemoryUsedPercent / 2))]),
          evalAfterForSeconds: 120,
          firing: t.gpuMemoryUsedPercent < 100 ? kinds.map((k) => gpuLabels(k, 'GPU-full')) : [],
        },
      ],
    },
  ]
}

export function prometheusRules(ctx: RulesContext): AlertRuleDef[] {
  const t = ctx.thresholds
  const prom = (extra: Record<string, string> = {}) => ({...target('prometheus', 'prom-node', 9090), ...extra})
  return [
    {
      group: 'hydra-prometheus',
      alert: 'PrometheusRuleFailures',
      expr: 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
      for: '5m',
      severity: 'critical',
      summary: `Prometheus on ${NODE} fails to evaluate rules of group {{ $labels.rule_group }}: their alerts cannot fire`,
      hint: 'hydra alerts (lists each broken rule with its error)',
      tests: [
        {
          name: 'a rule group that keeps failing, one that does not',
          series: [
            {series: series('prometheus_rule_evaluation_failures_total', prom({rule_group: 'rules.yml;broken'})), values: '0+1x{n}'},
            {series: series('prometheus_rule_evaluation_failures_total', prom({rule_group: 'rules.yml;fine'})), values: '3x{n}'},
          ],
          evalAfterForSeconds: 180,
          firing: [prom({rule_group: 'rules.yml;broken'})],
        },
      ],
    },
    {
      group: 'hydra-prometheus',
      alert: 'PrometheusTsdbNearSizeRetention',
      expr: `prometheus_tsdb_storage_blocks_bytes / (prometheus_tsdb_retention_limit_bytes > 0) * 100 > ${t.tsdbRetentionSizePercent}`,
      for: '30m',
      severity: 'warning',
      summary: `Prometheus on ${NODE} has filled more than ${t.tsdbRetentionSizePercent}% of its size retention: its oldest data goes sooner than its time retention says`,
      hint: 'hydra tsdb status',
      tests: [
        {
          name: 'a TSDB at its size limit, one well below, one without a size limit',
          series: [
            {series: series('prometheus_tsdb_storage_blocks_bytes', prom({instance: 'full:9090'})), values: `${Math.min(100, t.tsdbRetentionSizePercent + 1)}x{n}`},
            {series: series('prometheus_tsdb_retention_limit_bytes', prom({instance: 'full:9090'})), values: '100x{n}'},
            {series: series('prometheus_tsdb_storage_blocks_bytes', prom({instance: 'low:9090'})), values: `${Math.floor(t.tsdbRetentionSizePercent / 2)}x{n}`},
            {series: series('prometheus_tsdb_retention_limit_bytes', prom({instance: 'low:9090'})), values: '100x{n}'},
            {series: series('prometheus_tsdb_storage_blocks_bytes', prom({instance: 'nolimit:9090'})), values: '500x{n}'},
            {series: series('prometheus_tsdb_retention_limit_bytes', prom({instance: 'nolimit:9090'})), values: '0x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: t.tsdbRetentionSizePercent < 100 ? [prom({instance: 'full:9090'})] : [],
        },
      ],
    },
  ]
}

export function lokiRules(ctx: RulesContext): AlertRuleDef[] {
  if (!ctx.lokiJob) return []
  const job = ctx.lokiJob
  const where = ctx.lokiNode ? `Loki on ${ctx.lokiNode}` : 'Loki'
  const loki = target(job, ctx.lokiNode ?? 'loki-node', 3100)
  const window = ctx.lokiWindow
  const windowSeconds = seconds(window)
  return [
    {
      group: 'hydra-loki',
      alert: 'LokiNotReady',
      expr: `up{job=${quote(job)}} == 0`,
      for: '5m',
      severity: 'critical',
      summary: `${where} ({{ $labels.instance }}) does not answer Prometheus's scrape: logs are not being stored`,
      hint: 'hydra doctor --only loki',
      tests: [
        {
          name: 'Loki down, and up',
          series: [
            {series: series('up', loki), values: '0x{n}'},
            {series: series('up', {...loki, instance: 'other:3100'}), values: '1x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: [loki],
        },
      ],
    },
    {
      group: 'hydra-loki',
      alert: 'LokiNotIngesting',
      expr: `max by (job) (up{job=${quote(job)}}) == 1 unless on (job) sum by (job) (increase(loki_distributor_lines_received_total{job=${quote(job)}}[${window}])) > 0`,
      for: '15m',
      severity: 'warning',
      summary: `${where} is up but has received no log line for ${window}`,
      hint: 'hydra doctor --only loki; hydra docker logdriver',
      tests: [
        {
          name: 'Loki up, no line received',
          series: [
            {series: series('up', loki), values: '1x{n}'},
            {series: series('loki_distributor_lines_received_total', {...loki, tenant: 'fake'}), values: '100x{n}'},
          ],
          evalAfterForSeconds: windowSeconds + 120,
          firing: [{job}],
        },
        {
          name: 'Loki up and receiving lines',
          series: [
            {series: series('up', loki), values: '1x{n}'},
            {series: series('loki_distributor_lines_received_total', {...loki, tenant: 'fake'}), values: '0+10x{n}'},
          ],
          evalAfterForSeconds: windowSeconds + 120,
          firing: [],
        },
      ],
    },
  ]
}

export function cronRules(ctx: RulesContext): AlertRuleDef[] {
  const m = CRON_METRICS
  const doctorMax = seconds(ctx.doctorMaxAge)
  const textfile = target('node', 'cron-host', 9100)
  const rules: AlertRuleDef[] = [
    {
      group: 'hydra-cron',
      alert: 'HydraDoctorNotRunning',
      expr: `time() - max by (node) (${m.doctorLastRun}) > ${doctorMax} or absent(${m.doctorLastRun})`,
      for: '10m',
      severity: 'warning',
      summary: `hydra doctor{{ if $labels.node }} on {{ $labels.node }}{{ end }} has not run for more than ${hours(ctx.doctorMaxAge)}`,
      hint: 'run hydra doctor --textfile by hand, then check its crontab (README: Running hydra from cron)',
      tests: [
        {
          name: 'doctor stopped running',
          // last run long ago: a timestamp older than the limit already at t=0
          series: [{series: series(m.doctorLastRun, textfile), values: `-${doctorMax + 600}x{n}`}],
          evalAfterForSeconds: 120,
          firing: [{node: 'cron-host'}],
        },
        {
          name: 'doctor runs every minute',
          series: [{series: series(m.doctorLastRun, textfile), values: '0+60x{n}'}],
          evalAfterForSeconds: 120,
          firing: [],
        },
        {
          name: 'doctor never wrote its metrics',
          series: [{series: series('up', textfile), values: '1x{n}'}],
          evalAfterForSeconds: 120,
          firing: [{}],
        },
      ],
    },
    {
      group: 'hydra-cron',
      alert: 'HydraCheckFailing',
      expr: `${m.checkUp} == 0`,
      for: '15m',
      severity: 'warning',
      summary: 'hydra check {{ $labels.check }} fails',
      hint: 'hydra doctor --only {{ $labels.check }}',
      tests: [
        {
          name: 'one check failing, one passing',
          series: [
            {series: series(m.checkUp, {...textfile, check: 'disk:hydra-ai'}), values: '0x{n}'},
            {series: series(m.checkUp, {...textfile, check: 'memory:hydra-ai'}), values: '1x{n}'},
          ],
          evalAfterForSeconds: 120,
          firing: [{...textfile, check: 'disk:hydra-ai'}],
        },
      ],
    },
  ]
  if (ctx.backupMaxAge) {
    const maxAge = seconds(ctx.backupMaxAge)
    rules.push({
      group: 'hydra-cron',
      alert: 'HydraDashboardBackupStale',
      expr: `time() - max by (node) (${m.backupLastSuccess}) > ${maxAge} or absent(${m.backupLastSuccess})`,
      for: '10m',
      severity: 'warning',
      summary: `no complete Grafana dashboard backup{{ if $labels.node }} on {{ $labels.node }}{{ end }} for more than ${hours(ctx.backupMaxAge)}`,
      hint: 'hydra backup dashboards (by hand, to see why), then check its cron job',
      tests: [
        {
          name: 'the last complete backup is too old',
          series: [{series: series(m.backupLastSuccess, textfile), values: `-${maxAge + 3600}x{n}`}],
          evalAfterForSeconds: 120,
          firing: [{node: 'cron-host'}],
        },
        {
          name: 'a backup completes every minute',
          series: [{series: series(m.backupLastSuccess, textfile), values: '0+60x{n}'}],
          evalAfterForSeconds: 120,
          firing: [],
        },
      ],
    })
  }
  return rules
}

/** Every rule for the context, in group order. */
export function alertRules(ctx: RulesContext): AlertRuleDef[] {
  return [...nodeRules(ctx), ...gpuRules(ctx), ...prometheusRules(ctx), ...lokiRules(ctx), ...cronRules(ctx)]
}
