/** The body of doctor. */
import {textfileError, z} from './common.js'

const count = z.number().int()
export const doctor = z.object({
  cluster: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  deadlineMs: z.number(),
  checks: z.array(
    z.object({
      id: z.string().describe('e.g. ssh:hydra-ai, exporter:hydra-ai/node, service:prometheus'),
      kind: z.string().describe('the check family member, e.g. ssh, exporter, firewall, fetch, target'),
      group: z.string().describe('a node name, or a service group'),
      node: z.string().optional(),
      service: z.string().optional(),
      title: z.string(),
      status: z.enum(['ok', 'warn', 'fail', 'skipped']),
      detail: z.string(),
      cause: z.string().optional(),
      evidence: z.array(z.string()).optional(),
      hint: z.string().optional(),
      durationMs: z.number(),
    }),
  ),
  summary: z.object({total: count, ok: count, warn: count, fail: count, skipped: count}),
  verdict: z.string().describe('one line: the run in words'),
  ...textfileError,
})
