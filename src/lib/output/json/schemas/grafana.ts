/** Bodies of the Grafana commands: backup *, restore dashboards, dashboards *, datasources. */
import {textfileError, z} from './common.js'

const grafanaRef = z.object({url: z.string(), version: z.string().optional()})
const objectKind = z.enum(['datasources', 'library-panels', 'alert-rules', 'contact-points', 'policies'])
const count = z.number().int()

export const backupDashboards = z.object({
  status: z.enum(['complete', 'partial', 'failed']).describe('complete: exit 0; partial: exit 3; failed: exit 1'),
  dir: z.string().optional().describe('the backup directory (absent when nothing was kept)'),
  grafana: grafanaRef,
  searchCount: count,
  saved: count,
  failed: z.array(z.object({uid: z.string(), title: z.string(), error: z.string()})),
  vanished: z.array(z.object({uid: z.string(), title: z.string()})).describe('listed by the search, deleted before they could be fetched'),
  aborted: z.string().optional(),
  empty: z.boolean().optional(),
  folders: count,
  startedAt: z.string(),
  finishedAt: z.string(),
  durationSeconds: z.number(),
  pruned: z.array(z.string()),
  recoveredInterrupted: z.array(z.string()),
  ...textfileError,
})

export const backupVerify = z.object({
  dir: z.string(),
  ok: z.boolean(),
  checked: count,
  dashboards: count,
  folders: count,
  searchCount: count,
  grafanaVersion: z.string().optional(),
  startedAt: z.string().optional(),
  problems: z.array(z.object({kind: z.enum(['missing', 'size', 'sha256', 'unexpected', 'count', 'incomplete']), path: z.string().optional(), detail: z.string()})),
})

const dashboardAction = z.enum(['created', 'updated', 'unchanged', 'would-create', 'would-update', 'conflict', 'failed'])
export const restoreDashboards = z.object({
  dir: z.string(),
  dryRun: z.boolean(),
  overwrite: z.boolean().optional().describe('true with --overwrite; absent without it'),
  folders: z.array(
    z.object({uid: z.string(), title: z.string(), parentUid: z.string().optional(), action: z.enum(['created', 'exists', 'would-create', 'failed']), detail: z.string().optional()}),
  ),
  dashboards: z.array(
    z.object({
      uid: z.string(),
      title: z.string(),
      folderUid: z.string().optional(),
      action: dashboardAction,
      detail: z.string().optional(),
      grafanaStatus: z.string().optional(),
      nameClash: z.object({uid: z.string(), title: z.string()}).optional(),
      httpStatus: z.number().int().optional(),
    }),
  ),
  objects: z.array(
    z.object({
      kind: objectKind,
      id: z.string(),
      name: z.string(),
      action: z.enum(['created', 'updated', 'unchanged', 'exists', 'would-create', 'would-update', 'failed']),
      detail: z.string().optional(),
    }),
  ),
  secrets: z.array(z.object({kind: objectKind, uid: z.string(), name: z.string(), fields: z.array(z.string())})).describe('secret fields a backup cannot hold: set them again in Grafana'),
  summary: z.object({
    created: count,
    updated: count,
    unchanged: count,
    'would-create': count,
    'would-update': count,
    conflict: count,
    failed: count,
    total: count,
    foldersCreated: count,
    foldersFailed: count,
    objectsFailed: count,
  }),
})

const panelProblem = z.object({
  kind: z.enum(['datasource_missing', 'datasource_elsewhere', 'metric_missing', 'bad_promql', 'library_panel_missing']),
  refId: z.string().optional(),
  message: z.string(),
  metric: z.string().optional(),
  replacement: z.string().optional(),
})
export const dashboardsCheck = z.object({
  grafana: z.string(),
  prometheus: z.string(),
  metricsKnown: count,
  dashboards: z.array(
    z.object({
      uid: z.string(),
      title: z.string(),
      folderTitle: z.string().optional(),
      status: z.enum(['ok', 'broken', 'not-found']),
      panels: z.array(
        z.object({
          id: z.number().int().optional(),
          title: z.string(),
          row: z.string().optional(),
          status: z.enum(['ok', 'broken']),
          datasources: z.array(z.string()),
          metrics: z.array(z.string()),
          problems: z.array(panelProblem),
        }),
      ),
    }),
  ),
  summary: z.object({dashboards: count, panels: count, brokenPanels: count, brokenDashboards: count, notFound: count}),
})

export const dashboardsList = z.object({
  expected: z.array(
    z.object({
      title: z.string(),
      gnetId: count.optional(),
      uid: z.string().optional(),
      present: z.boolean(),
      match: z.object({uid: z.string(), title: z.string(), by: z.enum(['uid', 'gnetId', 'title'])}).optional(),
      // missing, and its grafana.com id looked for only in the models resembling its title (at most 50)
      gnetLookup: z.object({opened: count, notOpened: count}).optional(),
    }),
  ),
  dashboards: z.array(z.object({uid: z.string(), title: z.string(), folderTitle: z.string().optional(), gnetId: count.optional(), expected: z.string().optional()})),
  missing: count,
})

export const dashboardsImport = z.object({
  source: z.string(),
  title: z.string(),
  uid: z.string().optional(),
  folder: z.object({uid: z.string(), title: z.string(), created: z.boolean()}).optional(),
  inputs: z.array(z.object({name: z.string(), type: z.string(), pluginId: z.string().optional(), value: z.string(), via: z.string()})),
  dryRun: z.boolean(),
  exists: z.boolean(),
  action: z.enum(['imported', 'would-import', 'would-overwrite', 'refused']),
  url: z.string().optional(),
  detail: z.string().optional(),
})

export const dashboardsGenerate = z.object({
  dashboard: z
    .record(z.string(), z.unknown())
    .describe("the generated dashboard, Grafana's own JSON model (what --output writes and the plain output prints)"),
})

export const datasources = z.object({
  grafana: grafanaRef,
  healthSupported: z.boolean().describe('Grafana ≥ 9 answers GET /api/datasources/uid/:uid/health'),
  datasources: z.array(
    z.object({
      id: count.optional(),
      uid: z.string(),
      name: z.string(),
      type: z.string(),
      url: z.string(),
      access: z.string().optional(),
      isDefault: z.boolean(),
      readOnly: z.boolean().optional(),
      health: z.object({status: z.enum(['ok', 'error', 'unknown']), message: z.string()}),
      target: z.object({service: z.enum(['prometheus', 'loki']), expected: z.string(), verdict: z.enum(['same', 'elsewhere', 'unknown']), detail: z.string()}).optional(),
      problems: z.array(z.string()),
    }),
  ),
  problems: count,
})
