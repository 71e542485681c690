/**
 * The JSON contract (README "JSON output"): the envelope, one schema per command with --json,
 * docs/json/ in step with the zod schemas, and each schema tied to its command's result type:
 * the `link` calls below stop `tsc` when a command's run() result no longer fits its schema's body
 * (a key removed or renamed, a type or an enum changed). Added keys are caught by the lab test
 * (test/integration/json-contract.test.ts): the schemas are closed.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, it} from 'vitest'

import type Alerts from '../../../src/commands/alerts.js'
import type BackupDashboards from '../../../src/commands/backup/dashboards.js'
import type BackupVerify from '../../../src/commands/backup/verify.js'
import type Cluster from '../../../src/commands/cluster.js'
import type ConfigInit from '../../../src/commands/config/init.js'
import type ConfigScrape from '../../../src/commands/config/scrape.js'
import type ConfigShow from '../../../src/commands/config/show.js'
import type ConfigValidate from '../../../src/commands/config/validate.js'
import type DashboardsCheck from '../../../src/commands/dashboards/check.js'
import type DashboardsGenerate from '../../../src/commands/dashboards/generate.js'
import type DashboardsImport from '../../../src/commands/dashboards/import.js'
import type DashboardsList from '../../../src/commands/dashboards/list.js'
import type Datasources from '../../../src/commands/datasources.js'
import type DockerLogdriver from '../../../src/commands/docker/logdriver.js'
import type DockerLogs from '../../../src/commands/docker/logs.js'
import type Doctor from '../../../src/commands/doctor.js'
import type ExporterStatus from '../../../src/commands/exporter/status.js'
import type FirewallCheck from '../../../src/commands/firewall/check.js'
import type Gpu from '../../../src/commands/gpu.js'
import type Health from '../../../src/commands/health.js'
import type Inference from '../../../src/commands/inference.js'
import type Logs from '../../../src/commands/logs.js'
import type LokiCanary from '../../../src/commands/loki/canary.js'
import type LokiLabels from '../../../src/commands/loki/labels.js'
import type Query from '../../../src/commands/query.js'
import type RestoreDashboards from '../../../src/commands/restore/dashboards.js'
import type RulesDiff from '../../../src/commands/rules/diff.js'
import type RulesRender from '../../../src/commands/rules/render.js'
import type SilenceAdd from '../../../src/commands/silence/add.js'
import type SilenceExpire from '../../../src/commands/silence/expire.js'
import type SilenceList from '../../../src/commands/silence/list.js'
import type Targets from '../../../src/commands/targets.js'
import type TsdbCompact from '../../../src/commands/tsdb/compact.js'
import type TsdbDeleteSeries from '../../../src/commands/tsdb/delete-series.js'
import type TsdbSnapshot from '../../../src/commands/tsdb/snapshot.js'
import type TsdbStatus from '../../../src/commands/tsdb/status.js'
import type Version from '../../../src/commands/version.js'
import {commandName, envelope, ENVELOPE_KEYS, JSON_SCHEMA_VERSION} from '../../../src/lib/output/json/envelope.js'
import {jsonSchemaFiles} from '../../../src/lib/output/json/generate.js'
import type * as c from '../../../src/lib/output/json/schemas/config.js'
import type {z} from '../../../src/lib/output/json/schemas/common.js'
import type * as d from '../../../src/lib/output/json/schemas/doctor.js'
import type * as g from '../../../src/lib/output/json/schemas/grafana.js'
import {BODY_SCHEMAS, schemaFileName} from '../../../src/lib/output/json/schemas/index.js'
import type * as l from '../../../src/lib/output/json/schemas/loki-rules.js'
import type * as n from '../../../src/lib/output/json/schemas/nodes.js'
import type * as p from '../../../src/lib/output/json/schemas/prometheus.js'
import type * as v from '../../../src/lib/output/json/schemas/views.js'
import {REPO} from '../../helpers/run-hydra.js'

// ajv-formats is CommonJS whose default export TypeScript's NodeNext does not see as callable
const addFormats = createRequire(import.meta.url)('ajv-formats') as typeof import('ajv-formats').default
const DOCS = join(REPO, 'docs', 'json')
const REGENERATE = 'run `npm run json-schemas` and commit docs/json/ (if a command\'s output changed, change its body in src/lib/output/json/schemas/ first; README "JSON output" says when to bump schemaVersion)'

/** what a command's run() resolves to */
type Out<C> = C extends {prototype: {run(): Promise<infer R>}} ? R : never
/** a body schema's value (several bodies: any one of them) */
type In<S> = S extends readonly z.ZodObject[] ? z.input<S[number]> : S extends z.ZodObject ? z.input<S> : never
/** compiles only when the command's result fits the body schema */
function link<A, B>(..._: [A] extends [B] ? [] : [{error: "this command's run() result does not fit its JSON body schema"; result: A; schema: B}]): true {
  return true
}

const LINKED: Record<string, true> = {
  alerts: link<Out<typeof Alerts>, In<typeof p.alerts>>(),
  'backup dashboards': link<Out<typeof BackupDashboards>, In<typeof g.backupDashboards>>(),
  'backup verify': link<Out<typeof BackupVerify>, In<typeof g.backupVerify>>(),
  cluster: link<Out<typeof Cluster>, In<typeof v.cluster>>(),
  'config init': link<Out<typeof ConfigInit>, In<typeof c.configInit>>(),
  'config scrape': link<Out<typeof ConfigScrape>, In<typeof p.configScrape>>(),
  'config show': link<Out<typeof ConfigShow>, In<typeof c.configShow>>(),
  'config validate': link<Out<typeof ConfigValidate>, In<typeof c.configValidate>>(),
  'dashboards check': link<Out<typeof DashboardsCheck>, In<typeof g.dashboardsCheck>>(),
  'dashboards generate': link<Out<typeof DashboardsGenerate>, In<typeof g.dashboardsGenerate>>(),
  'dashboards import': link<Out<typeof DashboardsImport>, In<typeof g.dashboardsImport>>(),
  'dashboards list': link<Out<typeof DashboardsList>, In<typeof g.dashboardsList>>(),
  datasources: link<Out<typeof Datasources>, In<typeof g.datasources>>(),
  'docker logdriver': link<Out<typeof DockerLogdriver>, In<typeof n.dockerLogdriver>>(),
  'docker logs': link<Out<typeof DockerLogs>, In<typeof n.dockerLogs>>(),
  doctor: link<Out<typeof Doctor>, In<typeof d.doctor>>(),
  'exporter status': link<Out<typeof ExporterStatus>, In<typeof n.exporterStatus>>(),
  'firewall check': link<Out<typeof FirewallCheck>, In<typeof n.firewallCheck>>(),
  gpu: link<Out<typeof Gpu>, In<typeof v.gpu>>(),
  health: link<Out<typeof Health>, In<typeof v.health>>(),
  inference: link<Out<typeof Inference>, In<typeof v.inference>>(),
  logs: link<Out<typeof Logs>, In<typeof l.logs>>(),
  'loki canary': link<Out<typeof LokiCanary>, In<typeof l.lokiCanary>>(),
  'loki labels': link<Out<typeof LokiLabels>, In<typeof l.lokiLabels>>(),
  query: link<Out<typeof Query>, In<typeof p.query>>(),
  'restore dashboards': link<Out<typeof RestoreDashboards>, In<typeof g.restoreDashboards>>(),
  'rules diff': link<Out<typeof RulesDiff>, In<typeof l.rulesDiff>>(),
  'rules render': link<Out<typeof RulesRender>, In<typeof l.rulesRender>>(),
  'silence add': link<Out<typeof SilenceAdd>, In<typeof l.silenceAdd>>(),
  'silence expire': link<Out<typeof SilenceExpire>, In<typeof l.silenceExpire>>(),
  'silence list': link<Out<typeof SilenceList>, In<typeof l.silenceList>>(),
  targets: link<Out<typeof Targets>, In<typeof p.targets>>(),
  'tsdb compact': link<Out<typeof TsdbCompact>, In<typeof p.tsdbCompact>>(),
  'tsdb delete-series': link<Out<typeof TsdbDeleteSeries>, In<typeof p.tsdbDeleteSeries>>(),
  'tsdb snapshot': link<Out<typeof TsdbSnapshot>, In<typeof p.tsdbSnapshot>>(),
  'tsdb status': link<Out<typeof TsdbStatus>, In<typeof p.tsdbStatus>>(),
  version: link<Out<typeof Version>, In<typeof c.version>>(),
}

const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {enableJsonFlag?: boolean}>}
const jsonCommands = Object.entries(manifest.commands)
  .filter(([, cmd]) => cmd.enableJsonFlag)
  .map(([id]) => commandName(id))
  .sort()

describe('the JSON contract', () => {
  it('every command with --json has a body schema, tied to its result type, and no schema names a command that is gone', () => {
    expect(jsonCommands.length).toBeGreaterThan(30)
    expect(Object.keys(BODY_SCHEMAS).sort(), 'src/lib/output/json/schemas/index.ts lists exactly the commands with --json').toEqual(jsonCommands)
    expect(Object.keys(LINKED).sort(), 'this test links every schema to its command').toEqual(jsonCommands)
  })

  it(`docs/json/ is what src/lib/output/json/schemas/ generates (if not: ${REGENERATE})`, () => {
    const want = jsonSchemaFiles()
    const have = readdirSync(DOCS).filter((f) => f.endsWith('.schema.json'))
    expect(have.sort(), `docs/json/ holds a schema per command with --json: ${REGENERATE}`).toEqual(Object.keys(want).sort())
    for (const [name, text] of Object.entries(want)) expect(readFileSync(join(DOCS, name), 'utf8'), `docs/json/${name} is stale: ${REGENERATE}`).toBe(text)
  })

  it('the envelope comes first and wins over a body key of the same name; a non-object body goes under result', () => {
    const now = new Date('2026-11-30T21:00:00.000Z')
    const doc = envelope('tsdb status', 1, {series: 3, exitCode: 0, command: 'x'}, now)
    expect(doc).toEqual({schemaVersion: JSON_SCHEMA_VERSION, command: 'tsdb status', exitCode: 1, generatedAt: '2026-11-30T21:00:00.000Z', series: 3})
    expect(Object.keys(doc).slice(0, ENVELOPE_KEYS.length)).toEqual([...ENVELOPE_KEYS])
    expect(envelope('x', 0, ['a'], now).result).toEqual(['a'])
    expect(commandName('tsdb:delete-series')).toBe('tsdb delete-series')
  })

  it('a schema accepts its envelope with a body or an error, and rejects a document missing the envelope, with an unknown key, or from another command', () => {
    const ajv = new Ajv2020({strict: true, allErrors: true})
    addFormats(ajv)
    const validate = ajv.compile(JSON.parse(readFileSync(join(DOCS, schemaFileName('config init')), 'utf8')))
    const head = {schemaVersion: 1, command: 'config init', exitCode: 0, generatedAt: '2026-11-30T21:00:00.000Z'}
    expect(validate({...head, written: '/tmp/h.yaml'}), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({...head, exitCode: 2, error: {code: 'exists', message: '/tmp/h.yaml already exists', hint: 'pass --force', exitCode: 2}})).toBe(true)
    expect(validate({written: '/tmp/h.yaml'})).toBe(false)
    expect(validate({...head, written: '/tmp/h.yaml', extra: 1})).toBe(false)
    expect(validate({...head, command: 'health', written: '/tmp/h.yaml'})).toBe(false)
    expect(validate({...head, exitCode: 7, written: '/tmp/h.yaml'})).toBe(false)
    expect(validate({...head, generatedAt: 'yesterday', written: '/tmp/h.yaml'})).toBe(false)
    // every schema compiles and validates the error documents in test/commands/json-errors.test.ts, the results in the lab test
  })
})
