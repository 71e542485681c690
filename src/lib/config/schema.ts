/**
 * The one typed cluster config (design.md §3), as a zod schema.
 *
 * zod is used rather than hand-written checks because it gives us the TypeScript types and the
 * validation from one declaration, with issue paths that the loader maps back to line:col.
 * Cross-references (a service on a node that does not exist) are checked in `superRefine`.
 */
import {z} from 'zod'

import {parseByteSize, parseDuration, timerProblem} from './units.js'

const SECRET_KEYS = new Set(['token', 'password', 'apiKey', 'api_key', 'secret', 'bearer', 'key'])
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-admin-key', 'cookie', 'x-grafana-token'])

/** An identifier safe to use as a node/service/exporter name, a file name part and a shell word. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/
/** Container and unit names: what Docker and systemd accept; nothing a shell would interpret. */
const CONTAINER_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
const UNIT_RE = /^[A-Za-z0-9:_.@\\-]{1,255}$/
const PROCESS_RE = /^[A-Za-z0-9_.+-]{1,64}$/

const duration = z
  .string({error: 'expected a duration such as 5s, 500ms, 2m, 36h or 15d'})
  .refine((s) => parseDuration(s) !== undefined, {error: 'expected a duration such as 5s, 500ms, 2m, 36h or 15d'})

/** A duration that becomes a timer (a timeout): at most MAX_TIMER_MS. Retention or a max age are plain `duration`s. */
const timerDuration = duration.superRefine((s, ctx) => {
  const problem = timerProblem(parseDuration(s) ?? 0)
  if (problem) ctx.addIssue({code: 'custom', message: `${s} is ${problem}; a timeout must be shorter`})
})

const byteSize = z
  .string({error: 'expected a size such as 10GB, 512MiB'})
  .refine((s) => parseByteSize(s) !== undefined, {error: 'expected a size such as 10GB or 512MiB'})

const port = z
  .number({error: 'expected a port number 1-65535'})
  .int({error: 'expected a whole port number 1-65535'})
  .min(1, {error: 'expected a port number 1-65535'})
  .max(65535, {error: 'expected a port number 1-65535'})

const name = (what: string) => z.string().regex(NAME_RE, {error: `expected a ${what}: letters, digits, '.', '_' or '-'`})

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {error: 'expected an environment variable name'})
const filePath = z.string().min(1, {error: 'expected a file path'})

/** Auth for an HTTP service. Secrets by reference only. */
export const AuthSchema = z
  .strictObject({
    type: z.enum(['bearer', 'basic']).optional(),
    tokenEnv: envName.optional(),
    tokenFile: filePath.optional(),
    username: z.string().min(1).optional(),
    passwordEnv: envName.optional(),
    passwordFile: filePath.optional(),
  })
  .superRefine((a, ctx) => {
    const hasToken = a.tokenEnv !== undefined || a.tokenFile !== undefined
    const hasPassword = a.passwordEnv !== undefined || a.passwordFile !== undefined
    const type = a.type ?? (hasPassword || a.username ? 'basic' : 'bearer')
    if (a.tokenEnv && a.tokenFile) ctx.addIssue({code: 'custom', message: 'give tokenEnv or tokenFile, not both', path: ['tokenFile']})
    if (a.passwordEnv && a.passwordFile)
      ctx.addIssue({code: 'custom', message: 'give passwordEnv or passwordFile, not both', path: ['passwordFile']})
    if (type === 'bearer' && !hasToken)
      ctx.addIssue({code: 'custom', message: 'bearer auth needs tokenEnv or tokenFile', path: ['tokenEnv']})
    if (type === 'basic' && (!a.username || !hasPassword))
      ctx.addIssue({code: 'custom', message: 'basic auth needs username and passwordEnv or passwordFile', path: ['username']})
  })

export const TlsSchema = z.strictObject({
  /** PEM file of a CA to trust in addition to the system's */
  caFile: filePath.optional(),
  /** explicit opt-in: do not verify the server's certificate */
  insecureSkipVerify: z.boolean().optional(),
  serverName: z.string().optional(),
})

const headers = z.record(z.string(), z.string()).superRefine((h, ctx) => {
  for (const key of Object.keys(h)) {
    if (SECRET_HEADERS.has(key.toLowerCase()))
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `header ${key} carries a credential; secrets must not be written in the config: use auth with tokenEnv/tokenFile`,
      })
  }
})

/** Where an HTTP service lives: `url` or `node` + `port`, plus how to talk to it. */
const endpointShape = {
  node: name('node name').optional(),
  port: port.optional(),
  url: z.url({protocol: /^https?$/, error: 'expected an http:// or https:// URL'}).optional(),
  scheme: z.enum(['http', 'https']).optional(),
  pathPrefix: z.string().regex(/^\/.*/, {error: "expected a path starting with '/'"}).optional(),
  headers: headers.optional(),
  auth: AuthSchema.optional(),
  tls: TlsSchema.optional(),
  timeout: timerDuration.optional(),
  /** false: report this service but do not fail the run when it is down (Alertmanager is optional) */
  required: z.boolean().optional(),
}

function checkEndpoint(e: {node?: string; port?: number; url?: string; pathPrefix?: string}, ctx: z.RefinementCtx): void {
  if (e.url && (e.node !== undefined || e.port !== undefined))
    ctx.addIssue({code: 'custom', message: 'give url, or node and port, not both', path: ['url']})
  // the prefix would be silently dropped (or doubled, if the url already ends with it): one way to say it
  if (e.url && e.pathPrefix !== undefined)
    ctx.addIssue({code: 'custom', message: 'pathPrefix goes with node and port; with url, write the path in the url itself (e.g. url: https://host/vm)', path: ['pathPrefix']})
  if (!e.url && (e.node === undefined || e.port === undefined))
    ctx.addIssue({code: 'custom', message: 'give url, or node and port', path: e.node === undefined ? ['node'] : ['port']})
  if (e.url) {
    try {
      const u = new URL(e.url)
      if (u.username || u.password)
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'the URL carries a user name or password; secrets must not be written in the config: use auth with passwordEnv/passwordFile',
        })
    } catch {
      /* reported by z.url */
    }
  }
}

export const ManagedBy = z.enum(['systemd', 'container', 'process'])

export const ExporterSchema = z
  .strictObject({
    port,
    path: z.string().regex(/^\//, {error: "expected a path starting with '/'"}).optional(),
    /** Prometheus job name that scrapes it; defaults from the exporter key (node → node, gpu → nvidia-gpu) */
    job: z.string().min(1).optional(),
    scheme: z.enum(['http', 'https']).optional(),
    managedBy: ManagedBy,
    unit: z.string().regex(UNIT_RE, {error: 'expected a systemd unit name (letters, digits, :_.@-)'}).optional(),
    container: z.string().regex(CONTAINER_RE, {error: 'expected a container name (letters, digits, _.-)'}).optional(),
    process: z.string().regex(PROCESS_RE, {error: 'expected a process name (letters, digits, _.+-)'}).optional(),
    /** a health path besides /metrics (cAdvisor: /healthz) */
    health: z.string().regex(/^\//).optional(),
    /** run the state commands with sudo -n on this node */
    sudo: z.boolean().optional(),
    note: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.managedBy === 'systemd' && !e.unit) ctx.addIssue({code: 'custom', message: 'managedBy systemd needs unit', path: ['unit']})
    if (e.managedBy === 'container' && !e.container)
      ctx.addIssue({code: 'custom', message: 'managedBy container needs container', path: ['container']})
    if (e.managedBy === 'process' && !e.process)
      ctx.addIssue({code: 'custom', message: 'managedBy process needs process', path: ['process']})
  })

export const HostKeyPolicy = z.enum(['strict', 'accept-new', 'off'])

export const SshSchema = z.strictObject({
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, {error: 'expected a user name'}).optional(),
  port: port.optional(),
  /** a Host alias from ~/.ssh/config to use instead of the node's address */
  alias: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
  identityFile: filePath.optional(),
  /** use the agent at $SSH_AUTH_SOCK (default: yes, when set) */
  agent: z.boolean().optional(),
  hostKeys: HostKeyPolicy.optional(),
  knownHosts: filePath.optional(),
  /** the file of ~/.ssh/config to honour; false to ignore it */
  sshConfig: z.union([filePath, z.literal(false)]).optional(),
  connectTimeout: timerDuration.optional(),
  commandTimeout: timerDuration.optional(),
  /** run commands that need root through `sudo -n` */
  sudo: z.boolean().optional(),
  /** send the reads asked for together as ONE exec session (one script) instead of one session each */
  batch: z.boolean().optional(),
})

export const NodeSchema = z.strictObject({
  address: z
    .string({error: 'expected a host name or IP address'})
    .regex(/^[A-Za-z0-9.:-]+$/, {error: 'expected a host name or IP address'}),
  os: z.enum(['nixos', 'unraid', 'debian', 'ubuntu', 'linux']).optional(),
  ssh: SshSchema.optional(),
  firewall: z.enum(['auto', 'iptables', 'nftables', 'none']).optional(),
  exporters: z.record(name('exporter name'), ExporterSchema).optional(),
  note: z.string().optional(),
})

export const PrometheusSchema = z
  .strictObject({
    ...endpointShape,
    retention: z.strictObject({time: duration.optional(), size: byteSize.optional()}).optional(),
    /** where prometheus.yml lives on its node (for the operator's information and `config scrape`) */
    configPath: z.string().optional(),
    container: z.string().regex(CONTAINER_RE).optional(),
    note: z.string().optional(),
  })
  .superRefine(checkEndpoint)

export const GrafanaSchema = z
  .strictObject({
    ...endpointShape,
    orgId: z.number().int().positive().optional(),
    /** dashboards that must exist (hydra dashboards list, doctor): by grafana.com id, uid, or title */
    expectedDashboards: z
      .array(z.strictObject({title: z.string().min(1), gnetId: z.number().int().positive().optional(), uid: z.string().min(1).optional()}))
      .optional(),
    note: z.string().optional(),
  })
  .superRefine(checkEndpoint)

export const LokiSchema = z
  .strictObject({
    ...endpointShape,
    /** X-Scope-OrgID; omit when Loki runs with auth_enabled: false */
    tenant: z.string().regex(/^[A-Za-z0-9!._*'()|-]+$/, {error: 'expected a Loki tenant id'}).optional(),
    container: z.string().regex(CONTAINER_RE).optional(),
    /** where pushes go when it is not the query URL (simple-scalable/microservices: the write path or its gateway) */
    pushUrl: z.url({protocol: /^https?$/, error: 'expected an http:// or https:// URL'}).optional(),
    /** how long one query may run (hydra logs --query-timeout); connecting keeps the endpoint's timeout. Default 60s */
    queryTimeout: duration.optional(),
    note: z.string().optional(),
  })
  .superRefine(checkEndpoint)

export const AlertmanagerSchema = z.strictObject({...endpointShape, note: z.string().optional()}).superRefine(checkEndpoint)

export const AppKind = z.enum(['tabbyapi', 'ollama', 'litellm', 'qdrant', 'generic'])

export const AppSchema = z
  .strictObject({
    ...endpointShape,
    kind: AppKind.optional(),
    /** health path, e.g. /health, /readyz, /api/tags, /health/liveliness */
    health: z.string().regex(/^\//, {error: "expected a path starting with '/'"}).optional(),
    /** Prometheus metrics path, when the app has one (Qdrant /metrics; TabbyAPI has none on main) */
    metrics: z.string().regex(/^\//).optional(),
    job: z.string().optional(),
    container: z.string().regex(CONTAINER_RE, {error: 'expected a container name (letters, digits, _.-)'}).optional(),
    note: z.string().optional(),
  })
  .superRefine(checkEndpoint)

export const ConfigSchema = z
  .strictObject({
    cluster: name('cluster name').default('hydra'),
    defaults: z
      .strictObject({
        timeout: timerDuration.optional(),
        ssh: SshSchema.optional(),
        /** how many nodes to talk to at once over SSH */
        concurrency: z.number().int().min(1).max(256).optional(),
      })
      .optional(),
    nodes: z.record(name('node name'), NodeSchema),
    services: z
      .strictObject({
        prometheus: PrometheusSchema,
        grafana: GrafanaSchema.optional(),
        loki: LokiSchema.optional(),
        alertmanager: AlertmanagerSchema.optional(),
      }),
    apps: z.record(name('app name'), AppSchema).optional(),
    backup: z
      .strictObject({
        dashboards: z
          .strictObject({
            dir: filePath,
            keep: z.number().int().min(1).optional(),
            /** doctor: the latest backup must be younger than this */
            maxAge: duration.optional(),
            concurrency: z.number().int().min(1).max(64).optional(),
          })
          .optional(),
      })
      .optional(),
    logs: z
      .strictObject({
        /** containers that must ship their logs to Loki with the loki driver */
        lokiDriverExpected: z.array(z.string().regex(CONTAINER_RE, {error: 'expected a container name'})).optional(),
        /** doctor: a container expected on Loki must have a line newer than this */
        recentWithin: duration.optional(),
        /** doctor: push one line to Loki and read it back (hydra loki canary); off by default, since it writes */
        canary: z.boolean().optional(),
      })
      .optional(),
    thresholds: z
      .strictObject({
        rootDiskFreePercent: z.number().min(0).max(100).optional(),
        memoryAvailablePercent: z.number().min(0).max(100).optional(),
        /** hydra rules render: GpuTemperatureHigh above this (default 85) */
        gpuTemperatureCelsius: z.number().min(0).max(150).optional(),
        /** hydra rules render: GpuMemoryNearlyFull above this (default 95) */
        gpuMemoryUsedPercent: z.number().min(0).max(100).optional(),
        /** hydra rules render: PrometheusTsdbNearSizeRetention above this share of the size retention (default 90) */
        tsdbRetentionSizePercent: z.number().min(0).max(100).optional(),
      })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    const nodes = new Set(Object.keys(cfg.nodes))
    const ref = (node: string | undefined, path: (string | number)[]) => {
      if (node !== undefined && !nodes.has(node))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `node ${JSON.stringify(node)} does not exist (known nodes: ${[...nodes].join(', ') || 'none'})`,
        })
    }
    for (const [svc, s] of Object.entries(cfg.services)) if (s) ref(s.node, ['services', svc, 'node'])
    for (const [app, a] of Object.entries(cfg.apps ?? {})) ref(a.node, ['apps', app, 'node'])
    // Two endpoints on one address:port are almost always a copy-paste mistake.
    const seen = new Map<string, string>()
    for (const [nodeName, n] of Object.entries(cfg.nodes)) {
      for (const [exp, e] of Object.entries(n.exporters ?? {})) {
        const key = `${n.address}:${e.port}`
        const where = `nodes.${nodeName}.exporters.${exp}`
        const prev = seen.get(key)
        if (prev) ctx.addIssue({code: 'custom', path: ['nodes', nodeName, 'exporters', exp, 'port'], message: `${key} is already used by ${prev}`})
        else seen.set(key, where)
      }
    }
  })

export type HydraConfigInput = z.input<typeof ConfigSchema>
export type HydraConfigRaw = z.output<typeof ConfigSchema>
export type NodeConfig = z.output<typeof NodeSchema>
export type ExporterConfig = z.output<typeof ExporterSchema>
export type AuthConfig = z.output<typeof AuthSchema>
export type TlsConfig = z.output<typeof TlsSchema>
export type AppConfig = z.output<typeof AppSchema>

/** keys that look like an inline secret: the loader reports them before schema validation */
export function isInlineSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key)
}
