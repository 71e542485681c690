/** Bodies of the overview commands: health, cluster, gpu, inference. */
import {z} from './common.js'

const optNum = z.number().optional()

export const health = z.object({
  results: z.array(
    z.object({
      id: z.string().describe('the probe: a service or app id'),
      kind: z.string(),
      node: z.string().optional(),
      url: z.string(),
      required: z.boolean().describe('a failing required probe fails the run; an optional one is reported only'),
      status: z.enum(['ok', 'fail']),
      httpStatus: z.number().int().optional(),
      latencyMs: z.number(),
      detail: z.string(),
      cause: z.string().optional().describe('why it failed, e.g. refused, response_timeout, unhealthy; Loki: starting (its /ready says it is starting) or stopping'),
      evidence: z.string().optional().describe("what the server said, word for word, when the detail puts it in other words (Loki's /ready while it starts)"),
      hint: z.string().optional(),
    }),
  ),
  summary: z.object({total: z.number().int(), ok: z.number().int(), failed: z.number().int(), requiredFailed: z.number().int()}),
})

export const cluster = z.object({
  prometheus: z.string(),
  thresholds: z
    .object({
      rootDiskFreePercent: z.number(),
      memoryAvailablePercent: z.number(),
      gpuTemperatureCelsius: optNum,
      gpuMemoryUsedPercent: optNum,
      tsdbRetentionSizePercent: optNum,
    })
    .describe("the config's thresholds; this command judges the first two"),
  queries: z.object({up: z.string(), disk: z.string(), memory: z.string()}).describe('the PromQL behind each column'),
  rows: z.array(
    z.object({
      node: z.string(),
      instance: z.string().optional(),
      up: z.boolean().optional(),
      rootDiskFreePercent: optNum,
      memoryAvailablePercent: optNum,
      status: z.enum(['ok', 'warn', 'fail']),
      problems: z.array(z.string()),
    }),
  ),
  summary: z.object({nodes: z.number().int(), ok: z.number().int(), failing: z.number().int()}),
  warnings: z.array(z.string()),
})

const gpuExporterKind = z.enum(['nvidia_smi', 'dcgm', 'nvidia_gpu'])
export const gpu = z.object({
  prometheus: z.string(),
  exporters: z.array(z.object({kind: gpuExporterKind, description: z.string()})),
  rows: z.array(
    z.object({
      node: z.string().optional(),
      instance: z.string(),
      exporter: gpuExporterKind,
      gpu: z.string(),
      index: z.string().optional(),
      name: z.string().optional(),
      temperatureCelsius: optNum,
      powerWatts: optNum,
      memoryUsedBytes: optNum,
      memoryTotalBytes: optNum,
      vramPercent: optNum,
      utilizationPercent: optNum,
    }),
  ),
  warnings: z.array(z.string()),
})

export const inference = z.object({
  prometheus: z.string(),
  available: z.boolean(),
  metricsFound: z.array(z.string()),
  rows: z.array(
    z.object({
      instance: z.string(),
      node: z.string().optional(),
      tokensPerSecond: optNum,
      p99LatencySeconds: optNum,
      requestsProcessing: optNum,
    }),
  ),
  explanation: z.string().optional(),
  warnings: z.array(z.string()),
})
