/**
 * backupDashboards' publish decisions, against a loopback fake Grafana and a temporary folder:
 * a complete run is published under its final name only once it verifies; a run that misses
 * dashboards is kept as …-partial and prunes nothing; a run that saved nothing leaves nothing.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {backupDashboards} from '../../../src/lib/backup/dashboards.js'
import {parseOnly} from '../../../src/lib/backup/grafana-objects.js'
import {backupExitCode} from '../../../src/lib/backup/policy.js'
import {verifyBackup} from '../../../src/lib/backup/verify.js'
import {GrafanaClient} from '../../../src/lib/grafana/client.js'
import {configFor, fakeGrafana, type Routes} from '../../helpers/fake-grafana.js'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

const dashboard = (uid: string) => ({body: {dashboard: {uid, title: `Dash ${uid}`, version: 3, panels: []}, meta: {folderUid: ''}}})

/** A Grafana with these dashboards; `answers` overrides what GET /api/dashboards/uid/<uid> says. */
function grafanaWith(uids: string[], answers: Routes = {}): Routes {
  const routes: Routes = {
    'GET /api/health': {body: {database: 'ok', version: '11.3.0'}},
    'GET /api/search': (url) => ({body: Number(url.searchParams.get('page') ?? '1') === 1 ? uids.map((uid) => ({uid, title: `Dash ${uid}`, type: 'dash-db'})) : []}),
    'GET /api/folders': {body: []},
  }
  for (const uid of uids) routes[`GET /api/dashboards/uid/${uid}`] = dashboard(uid)
  return {...routes, ...answers}
}

async function run(routes: Routes, options: {keep?: number; before?: string[]} = {}) {
  const fake = await fakeGrafana(routes)
  const grafana = new GrafanaClient(configFor(fake.url).grafana!)
  const root = await mkdtemp(join(tmpdir(), 'hydra-backup-unit-'))
  cleanup.push(() => void fake.server.close(), () => grafana.close(), () => rm(root, {recursive: true, force: true}))
  for (const name of options.before ?? []) await mkdir(join(root, name))
  const result = await backupDashboards({grafana, root, concurrency: 4, keep: options.keep, hydraVersion: '0.0.0-test', only: parseOnly(['dashboards'])})
  return {result, root, entries: (await readdir(root)).sort()}
}

describe('backupDashboards: when a backup is published, kept as partial, or dropped', () => {
  it('complete: published under dashboards-<stamp> once it reads back as its manifest says; folder 0700, files 0600; older complete backups pruned to --keep', async () => {
    const old = ['dashboards-20200101T000000Z', 'dashboards-20200102T000000Z']
    const {result, root, entries} = await run(grafanaWith(['a', 'b', 'c']), {keep: 2, before: old})
    expect(result).toMatchObject({status: 'complete', saved: 3, searchCount: 3, failed: [], pruned: ['dashboards-20200101T000000Z']})
    expect(backupExitCode(result.status)).toBe(0)
    const name = result.dir!.slice(root.length + 1)
    expect(name).toMatch(/^dashboards-\d{8}T\d{6}Z$/)
    expect(entries).toEqual(['dashboards-20200102T000000Z', name])
    const check = await verifyBackup(result.dir!)
    expect(check).toMatchObject({ok: true, dashboards: 3, problems: []})
    expect((await stat(result.dir!)).mode & 0o777).toBe(0o700)
    expect((await stat(join(result.dir!, 'manifest.json'))).mode & 0o777).toBe(0o600)

    // verify re-hashes: a file changed, a stray file in a folder of its own, each named
    const [first] = (await readdir(join(result.dir!, 'dashboards'), {recursive: true, withFileTypes: true})).filter((e) => e.isFile())
    await writeFile(join(first!.parentPath, first!.name), '{"changed":true}')
    await mkdir(join(result.dir!, 'dashboards', 'Stray', 'deeper'), {recursive: true})
    await writeFile(join(result.dir!, 'dashboards', 'Stray', 'deeper', 'x.json'), '{}')
    const after = await verifyBackup(result.dir!)
    expect(after.ok).toBe(false)
    expect(after.problems.map((p) => p.kind).sort()).toEqual(['size', 'unexpected'])
    expect(after.problems.find((p) => p.kind === 'unexpected')?.path).toBe('dashboards/Stray/deeper/x.json')
  })

  it("partial: a dashboard that cannot be fetched keeps the work as …-partial, names the failure, prunes nothing", async () => {
    const old = ['dashboards-20200101T000000Z', 'dashboards-20200102T000000Z']
    const {result, root, entries} = await run(grafanaWith(['a', 'b', 'c'], {'GET /api/dashboards/uid/b': {status: 404, body: '<html>proxy</html>'}}), {keep: 1, before: old})
    expect(result.status).toBe('partial')
    expect(backupExitCode(result.status)).toBe(3)
    expect(result.saved).toBe(2)
    expect(result.failed.map((f) => f.uid)).toEqual(['b'])
    expect(result.pruned).toEqual([])
    const name = result.dir!.slice(root.length + 1)
    expect(name).toMatch(/^dashboards-\d{8}T\d{6}Z-partial$/)
    expect(entries).toEqual([...old, name])
  })

  it('failed: nothing saved leaves no folder at all, and the last complete backup untouched', async () => {
    const old = ['dashboards-20200101T000000Z']
    const broken = {status: 404, body: '<html>proxy</html>'}
    const {result, entries} = await run(grafanaWith(['a', 'b'], {'GET /api/dashboards/uid/a': broken, 'GET /api/dashboards/uid/b': broken}), {keep: 1, before: old})
    expect(result).toMatchObject({status: 'failed', saved: 0})
    expect(result.dir).toBeUndefined()
    expect(backupExitCode(result.status)).toBe(1)
    expect(entries).toEqual(old)
  })

  it('a Grafana that lists no dashboard is a failure (a token that sees nothing is not a success), not an empty complete backup', async () => {
    const {result, entries} = await run(grafanaWith([]))
    expect(result).toMatchObject({status: 'failed', empty: true, saved: 0})
    expect(entries).toEqual([])
  })

  it("a dashboard deleted during the run (Grafana's own 404) is named as vanished; the backup of the rest is complete", async () => {
    const {result} = await run(grafanaWith(['a', 'b'], {'GET /api/dashboards/uid/b': {status: 404, body: {message: 'Dashboard not found', status: 'not-found'}}}))
    expect(result.status).toBe('complete')
    expect(result.vanished.map((v) => v.uid)).toEqual(['b'])
    expect(result.saved).toBe(1)
  })
})

describe('backupDashboards: afterLastRequest', () => {
  it('is called once, when Grafana has answered every request of the run (dashboards, folders, other kinds), before the backup is checked and published', async () => {
    const fake = await fakeGrafana({...grafanaWith(['a', 'b', 'c', 'd', 'e']), 'GET /api/datasources': {body: []}})
    const grafana = new GrafanaClient(configFor(fake.url).grafana!)
    const root = await mkdtemp(join(tmpdir(), 'hydra-backup-unit-'))
    cleanup.push(() => void fake.server.close(), () => grafana.close(), () => rm(root, {recursive: true, force: true}))
    const calls: {requests: number; entries: string[]}[] = []
    const result = await backupDashboards({
      grafana,
      root,
      concurrency: 2,
      hydraVersion: '0.0.0-test',
      only: parseOnly(['dashboards', 'datasources']),
      afterLastRequest: () => calls.push({requests: fake.seen.length, entries: readdirSync(root)}),
    })
    expect(result).toMatchObject({status: 'complete', saved: 5})
    expect(calls).toHaveLength(1)
    // nothing was asked after it
    expect(calls[0]!.requests).toBe(fake.seen.length)
    expect(fake.seen).toEqual(expect.arrayContaining(['GET /api/datasources', 'GET /api/folders', 'GET /api/dashboards/uid/e']))
    // the run's working folder only: not yet checked nor published
    const working = calls[0]!.entries.filter((n) => n !== '.hydra-backup.lock')
    expect(working).toHaveLength(1)
    expect(working[0]).not.toMatch(/^dashboards-\d{8}T\d{6}Z$/)
  })
})

describe('backupDashboards: the other kinds', () => {
  it('orders objects by uid code point by code point, not by the locale of the run (the same bytes from cron and from any shell)', async () => {
    // en-US collation puts 'a' before 'B' and Danish puts 'aa' after 'z'; code points: 'B' < 'a' < 'aa-x' < 'z'
    const ds = (uid: string) => ({uid, name: `DS ${uid}`, type: 'prometheus', url: 'http://127.0.0.1:9090'})
    const uids = ['z', 'aa-x', 'a', 'B']
    const routes: Routes = {...grafanaWith(['d1']), 'GET /api/datasources': {body: uids.map(ds)}}
    for (const uid of uids) routes[`GET /api/datasources/uid/${uid}`] = {body: ds(uid)}
    const fake = await fakeGrafana(routes)
    const grafana = new GrafanaClient(configFor(fake.url).grafana!)
    const root = await mkdtemp(join(tmpdir(), 'hydra-backup-unit-'))
    cleanup.push(() => void fake.server.close(), () => grafana.close(), () => rm(root, {recursive: true, force: true}))
    const result = await backupDashboards({grafana, root, concurrency: 2, hydraVersion: '0.0.0-test', only: parseOnly(['dashboards', 'datasources'])})
    expect(result.status).toBe('complete')
    const saved = JSON.parse(readFileSync(join(result.dir!, 'grafana', 'datasources.json'), 'utf8')) as unknown
    const items = (Array.isArray(saved) ? saved : (saved as {items: {uid: string}[]}).items) as {uid: string}[]
    expect(items.map((d) => d.uid)).toEqual(['B', 'a', 'aa-x', 'z'])
  })
})

describe('runDashboardBackup (run.ts)', () => {
  it('loads the backup, restore and verify code only when a command runs: its first requests go out while that code loads (opening.ts)', () => {
    const source = readFileSync(new URL('../../../src/lib/backup/run.ts', import.meta.url), 'utf8')
    const staticImports = [...source.matchAll(/^import (?!type )[^\n]* from '(\.\/[^']+)'/gm)].map((m) => m[1])
    for (const heavy of ['./dashboards.js', './restore.js', './verify.js']) expect(staticImports).not.toContain(heavy)
    expect(source).toMatch(/const opening = openBackup\([^)]*\)\n\s*const \{backupDashboards\} = await import\('\.\/dashboards\.js'\)/)
  })
})
