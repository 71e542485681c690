/**
 * A long backup asks for a full garbage collection every FULL_GC_EVERY dashboards saved (memory.ts
 * says why), and never for one in a short backup: against a loopback fake Grafana, with the
 * collection itself counted instead of run.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {backupDashboards} from '../../../src/lib/backup/dashboards.js'
import {parseOnly} from '../../../src/lib/backup/grafana-objects.js'
import {FULL_GC_EVERY} from '../../../src/lib/backup/memory.js'
import {GrafanaClient} from '../../../src/lib/grafana/client.js'
import {configFor, fakeGrafana, type Routes} from '../../helpers/fake-grafana.js'

const collections = vi.hoisted(() => ({count: 0}))
vi.mock('../../../src/lib/backup/memory.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/lib/backup/memory.js')>()),
  collectGarbage: () => {
    collections.count++
    return true
  },
}))

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

async function backupOf(count: number) {
  const uids = Array.from({length: count}, (_, i) => `d${i}`)
  const routes: Routes = {
    'GET /api/health': {body: {database: 'ok', version: '11.3.0'}},
    'GET /api/search': (url) => ({body: Number(url.searchParams.get('page') ?? '1') === 1 ? uids.map((uid) => ({uid, title: `Dash ${uid}`, type: 'dash-db'})) : []}),
    'GET /api/folders': {body: []},
  }
  for (const uid of uids) routes[`GET /api/dashboards/uid/${uid}`] = {body: {dashboard: {uid, title: `Dash ${uid}`, panels: []}, meta: {folderUid: ''}}}
  const fake = await fakeGrafana(routes)
  const grafana = new GrafanaClient(configFor(fake.url).grafana!)
  const root = await mkdtemp(join(tmpdir(), 'hydra-backup-memory-'))
  cleanup.push(() => void fake.server.close(), () => grafana.close(), () => rm(root, {recursive: true, force: true}))
  collections.count = 0
  const result = await backupDashboards({grafana, root, concurrency: 16, hydraVersion: '0.0.0-test', only: parseOnly(['dashboards'])})
  return {result, collections: collections.count}
}

describe('backupDashboards: memory over a long run', () => {
  it(`collects once per ${FULL_GC_EVERY} dashboards saved, and not at all below that`, async () => {
    const long = await backupOf(2 * FULL_GC_EVERY + 100)
    expect(long.result).toMatchObject({status: 'complete', saved: 2 * FULL_GC_EVERY + 100})
    expect(long.collections).toBe(2)
    const short = await backupOf(FULL_GC_EVERY - 1)
    expect(short.result).toMatchObject({status: 'complete', saved: FULL_GC_EVERY - 1})
    expect(short.collections).toBe(0)
  }, 60_000)
})
