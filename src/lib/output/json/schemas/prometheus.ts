/** Bodies of the Prometheus commands: targets, alerts, query, tsdb *, config scrape. */
import {backendRef, labels, problemHint, sampleValue, textfileError, z} from './common.js'

const scrapeErrorCause = z.enum(['refused', 'timeout', 'unreachable', 'dns', 'http_status', 'tls', 'parse', 'other'])

export const targets = z.object({
  prometheus: z.string().describe("the server's base URL"),
  backend: backendRef.optional(),
  notScraping: problemHint.optional().describe('the server scrapes nothing itself (e.g. an agent-less VictoriaMetrics single node)'),
  targets: z.array(
    z.object({
      node: z.string().optional().describe("the config's node of the target, when known"),
      job: z.string(),
      instance: z.string(),
      scrapeUrl: z.string(),
      health: z.enum(['up', 'down', 'unknown']),
      lastScrape: z.string().optional(),
      scrapeDurationSeconds: z.number(),
      lastError: z.string(),
      errorCause: scrapeErrorCause.optional(),
      scrapeTimeout: z.string().optional().describe("the job's scrape_timeout as the server reports it"),
    }),
  ),
  summary: z.object({total: z.number().int(), up: z.number().int(), down: z.number().int(), unknown: z.number().int()}),
  errorsByCause: z.array(z.object({cause: scrapeErrorCause, description: z.string(), instances: z.array(z.string())})),
  ...textfileError,
})

const promAlertState = z.enum(['firing', 'pending'])
export const alerts = z.object({
  prometheus: z.string(),
  backend: backendRef.optional(),
  noRuleEngine: problemHint.optional().describe('the server evaluates no rules (e.g. VictoriaMetrics without vmalert)'),
  alerts: z.array(
    z.object({
      alertname: z.string(),
      state: promAlertState,
      severity: z.string().optional(),
      node: z.string().optional(),
      instance: z.string().optional(),
      since: z.string().optional(),
      summary: z.string().optional(),
      labels,
      silencedBy: z.array(z.string()).optional(),
    }),
  ),
  unhealthyRules: z.array(z.object({group: z.string(), file: z.string(), rule: z.string(), type: z.enum(['alerting', 'recording']), health: z.string(), lastError: z.string()})),
  rules: z.object({groups: z.number().int(), alerting: z.number().int(), recording: z.number().int()}),
  alertmanager: z
    .union([
      z.object({
        url: z.string(),
        reachable: z.literal(true),
        alerts: z.array(
          z.object({
            alertname: z.string(),
            state: z.enum(['unprocessed', 'active', 'suppressed']),
            severity: z.string().optional(),
            node: z.string().optional(),
            instance: z.string().optional(),
            since: z.string(),
            receivers: z.array(z.string()),
            silencedBy: z.array(z.string()),
            inhibitedBy: z.array(z.string()),
          }),
        ),
        silences: z.array(z.object({id: z.string(), state: z.enum(['expired', 'active', 'pending']), matchers: z.string(), endsAt: z.string(), createdBy: z.string(), comment: z.string()})),
      }),
      z.object({
        url: z.string(),
        reachable: z.literal(false),
        error: z.string(),
        required: z.boolean(),
        cause: z.enum(['auth', 'unreachable', 'not_answering', 'error_status', 'not_its_api', 'error']),
        hint: z.string().optional(),
      }),
    ])
    .optional()
    .describe('absent with --no-alertmanager or when the config has none'),
  summary: z.object({firing: z.number().int(), pending: z.number().int(), unhealthyRules: z.number().int(), silenced: z.number().int()}),
})

export const query = z.object({
  query: z.string(),
  kind: z.enum(['instant', 'range']),
  resultType: z.enum(['vector', 'matrix', 'scalar', 'string']),
  range: z.object({start: z.number(), end: z.number(), stepSeconds: z.number()}).optional().describe('range queries: Unix seconds'),
  time: z.number().optional().describe('instant queries: the evaluation time, Unix seconds'),
  rows: z.array(
    z.object({
      metric: z.string().optional(),
      labels,
      value: sampleValue,
      raw: z.string().describe('the value as the server sent it'),
      time: z.number(),
      min: sampleValue.optional(),
      max: sampleValue.optional(),
      points: z.number().int().optional(),
    }),
  ),
  warnings: z.array(z.string()),
  note: z.string().optional().describe('why an empty answer is empty: a metric name Prometheus has no series of (with the known rename), or matchers/time that select nothing'),
})

export const tsdbStatus = z.object({
  prometheus: z.string(),
  backend: backendRef,
  head: z
    .object({series: z.number().int(), chunks: z.number().int(), labelPairs: z.number().int().optional(), minTime: z.string().optional(), maxTime: z.string().optional(), spanMs: z.number().optional()})
    .optional(),
  series: z.number().int(),
  topSeriesByMetric: z.array(z.object({metric: z.string(), series: z.number().int()})),
  retention: z.object({
    expected: z.object({time: z.string().optional(), size: z.string().optional()}),
    actual: z.object({timeMs: z.number().optional(), sizeBytes: z.number().optional(), text: z.string(), source: z.enum(['runtimeinfo', 'flags'])}).optional(),
    ok: z.boolean(),
    mismatches: z.array(z.string()),
  }),
  retentionFix: z.string(),
  admin: z.string().optional(),
  adminApiEnabled: z.boolean().optional(),
  dataDir: z.string().optional(),
})

const snapshot = z.object({name: z.string(), path: z.string().optional(), skipHead: z.boolean()})
export const tsdbSnapshot = snapshot

export const tsdbCompact = z.object({
  prometheus: z.string(),
  backend: backendRef.optional(),
  action: z.enum(['clean_tombstones', 'force_merge']).optional(),
  done: z.string().optional(),
  cleanedTombstones: z.boolean(),
  snapshot: snapshot.optional(),
  explanation: z.string(),
})

export const tsdbDeleteSeries = z.object({
  prometheus: z.string(),
  match: z.array(z.string()),
  start: z.string().optional(),
  end: z.string().optional(),
  seriesCount: z.number().int(),
  series: z.array(labels),
  deleted: z.boolean(),
  reason: z.string().optional(),
  next: z.string().optional(),
})

const scrapeTarget = z.object({job: z.string(), target: z.string(), metricsPath: z.string(), scheme: z.string()})
export const configScrape = [
  z
    .object({
      scrapeConfigs: z.array(
        z.object({
          job_name: z.string(),
          scrape_interval: z.string().optional(),
          scrape_timeout: z.string().optional(),
          metrics_path: z.string().optional(),
          scheme: z.literal('https').optional(),
          tls_config: z.object({insecure_skip_verify: z.boolean().optional(), server_name: z.string().optional()}).optional(),
          static_configs: z.array(z.object({targets: z.array(z.string()), labels: labels.optional()})),
        }),
      ),
      yaml: z.string().describe('the rendered YAML (--full: a whole prometheus.yml)'),
    })
    .describe('without --diff: the scrape configs the cluster config renders'),
  z
    .object({
      prometheus: z.string(),
      missingFromPrometheus: z.array(scrapeTarget),
      missingFromConfig: z.array(scrapeTarget),
      changed: z.array(z.object({job: z.string(), target: z.string(), expected: z.string(), live: z.string()})),
      dynamicJobs: z.array(z.string()),
      inSync: z.boolean(),
    })
    .describe('--diff: the drift between the config and what the server scrapes'),
]
