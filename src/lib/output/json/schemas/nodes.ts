/** Bodies of the commands that look at the nodes over SSH: exporter status, firewall check, docker *. */
import {nodeError, z} from './common.js'

export const exporterStatus = z.object({
  rows: z.array(
    z.object({
      id: z.string(),
      node: z.string(),
      exporter: z.string(),
      port: z.number().int(),
      url: z.string(),
      managedBy: z.enum(['systemd', 'container', 'process']),
      managedName: z.string(),
      state: z.enum(['running', 'starting', 'stopped', 'failed', 'missing', 'unknown', 'unreachable']),
      stateDetail: z.string(),
      systemd: z
        .object({
          loadState: z.string().optional(),
          activeState: z.string().optional(),
          subState: z.string().optional(),
          mainPid: z.number().int().optional(),
          execMainStatus: z.number().int().optional(),
          result: z.string().optional(),
        })
        .optional(),
      container: z
        .object({
          status: z.string(),
          running: z.boolean(),
          restarting: z.boolean(),
          exitCode: z.number().int(),
          error: z.string(),
          startedAt: z.string().optional(),
          finishedAt: z.string().optional(),
          oomKilled: z.boolean(),
        })
        .optional(),
      processes: z.array(z.object({pid: z.number().int(), args: z.string()})).optional(),
      listening: z.boolean().nullable().describe('null when it could not be told'),
      portMismatch: z.object({configured: z.number().int(), listening: z.array(z.string()), pids: z.array(z.number().int())}).optional(),
      listenAddress: z.string().optional(),
      listenDetail: z.string(),
      fetch: z.object({ok: z.boolean(), status: z.number().int().optional(), latencyMs: z.number(), detail: z.string()}),
      ok: z.boolean(),
      problems: z.array(z.string()),
      hint: z.string().optional(),
      error: nodeError.optional(),
    }),
  ),
  summary: z.object({total: z.number().int(), ok: z.number().int(), failing: z.number().int(), nodesUnreachable: z.array(z.string())}),
})

const firewallBackend = z.enum(['iptables-legacy', 'iptables-nft', 'nftables', 'iptables-nft+nftables', 'iptables-legacy+nftables', 'none'])
export const firewallCheck = z.object({
  nodes: z.array(
    z.object({
      node: z.string(),
      backend: firewallBackend.optional(),
      iptablesVersion: z.string().optional(),
      rulesRead: z.array(z.string()),
      verdicts: z.array(
        z.object({
          node: z.string(),
          port: z.number().int(),
          exporter: z.string().optional(),
          backend: firewallBackend,
          source: z.string(),
          destination: z.string(),
          verdict: z.enum(['allowed', 'blocked', 'unknown']),
          decidedBy: z.string(),
          via: z.string().optional(),
          trace: z.array(z.string()),
          reason: z.string().optional(),
          hint: z.string().optional(),
        }),
      ),
      error: nodeError.optional(),
    }),
  ),
  summary: z.object({allowed: z.number().int(), blocked: z.number().int(), unknown: z.number().int(), nodesFailed: z.number().int()}),
})

export const dockerLogdriver = z.object({
  rows: z.array(
    z.object({
      node: z.string(),
      container: z.string(),
      running: z.boolean(),
      status: z.string(),
      driver: z.string(),
      options: z.record(z.string(), z.string()),
      lokiExpected: z.boolean(),
      ok: z.boolean(),
      problem: z.string().optional(),
      hint: z.string().optional(),
    }),
  ),
  missing: z.array(z.string()),
  rejectedNames: z.array(z.object({node: z.string(), name: z.string()})),
  errors: z.array(z.object({node: z.string(), ...nodeError.shape})),
})

export const dockerLogs = z.object({
  node: z.string(),
  container: z.string(),
  tail: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  lines: z.number().int().describe('non-empty lines in stdout and stderr'),
})
