/** Bodies of logs, loki *, rules * and silence *. */
import {labels, sampleValue, z} from './common.js'

const direction = z.enum(['forward', 'backward'])
export const logs = [
  z
    .object({
      loki: z.string(),
      query: z.string().describe('the LogQL sent (a --preset expands to it)'),
      start: z.string(),
      end: z.string(),
      direction,
      limit: z.number().int(),
      resultType: z.enum(['streams', 'matrix', 'vector']),
      entries: z.array(z.object({ns: z.string().describe('Unix nanoseconds, as Loki gives them'), time: z.string(), labels, line: z.string()})),
      streams: z.number().int(),
      commonLabels: labels,
      rows: z
        .array(z.object({metric: z.string().optional(), labels, value: sampleValue, raw: z.string(), time: z.number(), min: sampleValue.optional(), max: sampleValue.optional(), points: z.number().int().optional()}))
        .optional()
        .describe('a metric query (matrix or vector): one row per series'),
      limited: z.boolean().describe('--limit cut the result short'),
      requests: z.number().int(),
      note: z.string().optional(),
      tenant: z.string().optional(),
      lokiVersion: z.string().optional(),
      preset: z.string().optional(),
    })
    .describe('a query'),
  z
    .object({
      loki: z.string(),
      query: z.string(),
      tenant: z.string().optional(),
      frames: z.number().int(),
      lines: z.number().int(),
      dropped: z.number().int(),
      endedBy: z.enum(['user', 'server']),
    })
    .describe('--follow: what the tail saw when it ended'),
]

export const lokiLabels = z.object({
  loki: z.string(),
  name: z.string().optional().describe('with NAME: the label whose values are listed'),
  values: z.array(z.string()).describe('label names, or with NAME that label’s values'),
})

export const lokiCanary = z.object({
  ok: z.boolean(),
  failure: z
    .enum(['push_refused', 'push_unreachable', 'loki_starting', 'read_failed', 'not_readable'])
    .optional()
    .describe('why the round trip failed: Loki answered the push with an error, the push got no answer, Loki is starting, reading back failed, or the line never came back'),
  pushUrl: z.string(),
  queryUrl: z.string(),
  tenant: z.string().optional(),
  selector: z.string(),
  line: z.string(),
  pushMs: z.number(),
  roundTripMs: z.number().optional(),
  attempts: z.number().int(),
  cause: z.string().optional(),
  hint: z.string().optional(),
})

const rulesSource = z.object({mode: z.enum(['live', 'config']), prometheus: z.string().optional(), reason: z.string().optional(), notes: z.array(z.string())})
export const rulesRender = z.object({
  source: rulesSource.describe('live: facts read from the server; config: from the config alone'),
  context: z.object({
    cluster: z.string(),
    nodeJobs: z.array(z.string()),
    gpuExporters: z.array(z.enum(['nvidia_smi', 'dcgm', 'nvidia_gpu'])),
    lokiJob: z.string().optional(),
    lokiNode: z.string().optional(),
    lokiWindow: z.string(),
    thresholds: z.object({
      rootDiskFreePercent: z.number(),
      memoryAvailablePercent: z.number(),
      gpuTemperatureCelsius: z.number(),
      gpuMemoryUsedPercent: z.number(),
      tsdbRetentionSizePercent: z.number(),
    }),
    doctorMaxAge: z.string(),
    backupMaxAge: z.string().optional(),
  }),
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(z.object({alert: z.string(), expr: z.string(), for: z.string(), labels, annotations: labels})),
    }),
  ),
  rules: z.number().int(),
  yaml: z.string(),
  testsYaml: z.string().optional(),
  output: z.string().optional().describe('--output: the rules file written'),
  tests: z.string().optional().describe('--tests: the promtool test file written'),
})

const alertRef = z.object({alert: z.string(), group: z.string()})
export const rulesDiff = z.object({
  source: rulesSource,
  server: z.string(),
  missing: z.array(alertRef),
  extra: z.array(z.object({...alertRef.shape, file: z.string().optional()})),
  changed: z.array(z.object({...alertRef.shape, field: z.enum(['expr', 'for', 'labels']), rendered: z.string(), live: z.string()})),
  compared: z.number().int(),
  inSync: z.boolean(),
  engine: z.string().optional().describe('what evaluates the rules: Prometheus, or vmalert behind VictoriaMetrics'),
})

const silenceState = z.enum(['expired', 'active', 'pending'])
export const silenceList = z.object({
  alertmanager: z.string(),
  silences: z.array(z.object({id: z.string(), state: silenceState, matchers: z.string(), startsAt: z.string(), endsAt: z.string(), createdBy: z.string(), comment: z.string()})),
})

const matcher = z.object({name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean()})
export const silenceAdd = z.object({
  dryRun: z.boolean(),
  alertmanager: z.string(),
  silences: z.array(
    z.object({
      id: z.string().optional().describe('absent under --dry-run'),
      matchers: z.array(matcher),
      startsAt: z.string(),
      endsAt: z.string(),
      createdBy: z.string(),
      comment: z.string(),
      covers: z.string().describe('what the silence covers, in words'),
    }),
  ),
})

export const silenceExpire = z.object({
  dryRun: z.boolean(),
  alertmanager: z.string(),
  results: z.array(z.object({id: z.string(), expired: z.boolean(), error: z.string().optional(), code: z.string().optional()})),
})
