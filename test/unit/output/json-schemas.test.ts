/**
 * The JSON contract (README "JSON output"): the envelope, one schema per command with --json,
 * docs/json/ in step with the zod schemas, and each schema tied to its command's result type:
 * the `link` calls below stop `tsc` when a command's run() result no longer fits its schema's body
 * (a key added, removed or renamed, a type or an enum changed). What types cannot tell (a key the
 * type declares but JSON drops, NaN printed as null) the lab test catches
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
/** a body schema's value (several bodies: any one of them); a report's own exitCode is the envelope's */
type In<S> = (S extends readonly z.ZodObject[] ? z.input<S[number]> : S extends z.ZodObject ? z.input<S> : never) & {exitCode?: number}
type KeysOf<T> = T extends unknown ? keyof T : never
type Prop<T, K> = T extends unknown ? (K extends keyof T ? T[K] : never) : never
type Item<T> = T extends readonly (infer X)[] ? X : never
/** the paths of keys the result type has and the schema does not (never: none) */
type Excess<A, B, P extends string = ''> = unknown extends B
  ? never
  : A extends readonly (infer X)[]
    ? Excess<X, Item<B>, `${P}[]`>
    : A extends object
      ? {[K in keyof A & string]-?: K extends KeysOf<B> ? Excess<A[K], Prop<B, K>, `${P}.${K}`> : `${P}.${K}`}[keyof A & string]
      : never
/**
 * Compiles only when the command's result fits the body schema (every key it may print has the
 * schema's type) and has no key the schema lacks: tsc names the paths. Fix: change the body in
 * src/lib/output/json/schemas/, then `npm run json-schemas`.
 */
type Verdict<A, B> = [A] extends [B]
  ? [Excess<A, B>] extends [never]
    ? true
    : {error: 'the result has keys its JSON schema lacks: add them to its body in src/lib/output/json/schemas/, then npm run json-schemas'; keys: Excess<A, B>}
  : {error: "the result does not fit its JSON schema's body (src/lib/output/json/schemas/): change the body, then npm run json-schemas"; result: A; schema: B}
function link<A, B>(ok: Verdict<A, B>): true {
  expect(ok).toBe(true)
  return true
}

const LINKED: Record<string, true> = {
  alerts: link<Out<typeof Alerts>, In<typeof p.alerts>>(true),
  'backup dashboards': link<Out<typeof BackupDashboards>, In<typeof g.backupDashboards>>(true),
  'backup verify': link<Out<typeof BackupVerify>, In<typeof g.backupVerify>>(true),
  cluster: link<Out<typeof Cluster>, In<typeof v.cluster>>(true),
  'config init': link<Out<typeof ConfigInit>, In<typeof c.configInit>>(true),
  'config scrape': link<Out<typeof ConfigScrape>, In<typeof p.configScrape>>(true),
  'config show': link<Out<typeof ConfigShow>, In<typeof c.configShow>>(true),
  'config validate': link<Out<typeof ConfigValidate>, In<typeof c.configValidate>>(true),
  'dashboards check': link<Out<typeof DashboardsCheck>, In<typeof g.dashboardsCheck>>(true),
  'dashboards generate': link<Out<typeof DashboardsGenerate>, In<typeof g.dashboardsGenerate>>(true),
  'dashboards import': link<Out<typeof DashboardsImport>, In<typeof g.dashboardsImport>>(true),
  'dashboards list': link<Out<typeof DashboardsList>, In<typeof g.dashboardsList>>(true),
  datasources: link<Out<typeof Datasources>, In<typeof g.datasources>>(true),
  'docker logdriver': link<Out<typeof DockerLogdriver>, In<typeof n.dockerLogdriver>>(true),
  'docker logs': link<Out<typeof DockerLogs>, In<typeof n.dockerLogs>>(true),
  doctor: link<Out<typeof Doctor>, In<typeof d.doctor>>(true),
  'exporter status': link<Out<typeof ExporterStatus>, In<typeof n.exporterStatus>>(true),
  'firewall check': link<Out<typeof FirewallCheck>, In<typeof n.firewallCheck>>(true),
  gpu: link<Out<typeof Gpu>, In<typeof v.gpu>>(true),
  health: link<Out<typeof Health>, In<typeof v.health>>(true),
  inference: link<Out<typeof Inference>, In<typeof v.inference>>(true),
  logs: link<Out<typeof Logs>, In<typeof l.logs>>(true),
  'loki canary': link<Out<typeof LokiCanary>, In<typeof l.lokiCanary>>(true),
  'loki labels': link<Out<typeof LokiLabels>, In<typeof l.lokiLabels>>(true),
  query: link<Out<typeof Query>, In<typeof p.query>>(true),
  'restore dashboards': link<Out<typeof RestoreDashboards>, In<typeof g.restoreDashboards>>(true),
  'rules diff': link<Out<typeof RulesDiff>, In<typeof l.rulesDiff>>(true),
  'rules render': link<Out<typeof RulesRender>, In<typeof l.rulesRender>>(true),
  'silence add': link<Out<typeof SilenceAdd>, In<typeof l.silenceAdd>>(true),
  'silence expire': link<Out<typeof SilenceExpire>, In<typeof l.silenceExpire>>(true),
  'silence list': link<Out<typeof SilenceList>, In<typeof l.silenceList>>(true),
  targets: link<Out<typeof Targets>, In<typeof p.targets>>(true),
  'tsdb compact': link<Out<typeof TsdbCompact>, In<typeof p.tsdbCompact>>(true),
  'tsdb delete-series': link<Out<typeof TsdbDeleteSeries>, In<typeof p.tsdbDeleteSeries>>(true),
  'tsdb snapshot': link<Out<typeof TsdbSnapshot>, In<typeof p.tsdbSnapshot>>(true),
  'tsdb status': link<Out<typeof TsdbStatus>, In<typeof p.tsdbStatus>>(true),
  version: link<Out<typeof Version>, In<typeof c.version>>(true),
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
