/** The body of doctor. */
import {labels, textfileError, z} from './common.js'

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
      alertLabels: z.array(labels).optional().describe('the labels of the alerts this failure is about, when the check knows them (silence matching uses them)'),
      silenced: z
        .array(z.object({id: z.string(), createdBy: z.string(), comment: z.string(), endsAt: z.string(), matchers: z.string().describe('as name="value", name=~"re", …')}))
        .optional()
        .describe('Alertmanager silences that mute this failure (it is still a failure: the exit code does not change)'),
      durationMs: z.number(),
    }),
  ),
  summary: z.object({total: count, ok: count, warn: count, fail: count, skipped: count}),
  verdict: z.string().describe('one line: the run in words'),
  silences: z
    .object({
      status: z.enum(['read', 'not_configured', 'unreachable', 'not_needed']).describe('not_needed: nothing failed, so the silences were not waited for'),
      active: z.number().int(),
      error: z.string().optional(),
    })
    .optional()
    .describe("Alertmanager's silences, read once for the run"),
  ...textfileError,
})
