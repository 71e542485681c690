/**
 * A long backup runs a full garbage collection every FULL_GC_EVERY dashboards saved, except within
 * the last FULL_GC_SKIP_LAST of the run, which it knows of once the search's last page is in
 * (memory.ts says why): GarbageWatch by itself, then backupDashboards against a loopback fake
 * Grafana, with the collection counted instead of run.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {backupDashboards} from '../../../src/lib/backup/dashboards.js'
import {parseOnly} from '../../../src/lib/backup/grafana-objects.js'
import {FULL_GC_EVERY, FULL_GC_SKIP_LAST, GarbageWatch} from '../../../src/lib/backup/memory.js'
import {GrafanaClient} from '../../../src/lib/grafana/client.js'
import {configFor, fakeGrafana, type Routes} from '../../helpers/fake-grafana.js'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

describe('GarbageWatch', () => {
  it('collects every `every` dashboards, but not when fewer than `skipLast` are left', () => {
    let collected = 0
    const watch = new GarbageWatch({every: 3, skipLast: 3, collect: () => (collected++, true)})
    const ran = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, Infinity].map((left) => watch.tick(left))
    // ticks 3, 6, 9 and 12 are due: 8 left → yes, 5 left → yes, 2 left → no, unknown (the search still paging) → yes
    expect(ran.map((r, i) => (r ? i + 1 : 0)).filter(Boolean)).toEqual([3, 6, 12])
    expect(collected).toBe(3)
    expect(watch.collections).toBe(3)
  })

  it('counts no collection where V8 would not run one', () => {
    const watch = new GarbageWatch({every: 1, skipLast: 0, collect: () => false})
    expect(watch.tick(5)).toBe(false)
    expect(watch.collections).toBe(0)
  })

  it('defaults to a collection every 1,000 dashboards, none within the last 500', () => {
    expect([FULL_GC_EVERY, FULL_GC_SKIP_LAST]).toEqual([1000, 500])
  })
})

async function backupOf(count: number, options: {every: number; skipLast: number; pageSize?: number; concurrency?: number}) {
  const uids = Array.from({length: count}, (_, i) => `d${i}`)
  const routes: Routes = {
    'GET /api/health': {body: {database: 'ok', version: '11.3.0'}},
    'GET /api/search': (url) => {
      const page = Number(url.searchParams.get('page') ?? '1')
      const limit = Number(url.searchParams.get('limit'))
      return {body: uids.slice((page - 1) * limit, page * limit).map((uid) => ({uid, title: `Dash ${uid}`, type: 'dash-db'}))}
    },
    'GET /api/folders': {body: []},
  }
  for (const uid of uids) routes[`GET /api/dashboards/uid/${uid}`] = {body: {dashboard: {uid, title: `Dash ${uid}`, panels: []}, meta: {folderUid: ''}}}
  const fake = await fakeGrafana(routes)
  const grafana = new GrafanaClient(configFor(fake.url).grafana!)
  const root = await mkdtemp(join(tmpdir(), 'hydra-backup-memory-'))
  cleanup.push(() => void fake.server.close(), () => grafana.close(), () => rm(root, {recursive: true, force: true}))
  let collections = 0
  const result = await backupDashboards({
    grafana,
    root,
    concurrency: options.concurrency ?? 16,
    hydraVersion: '0.0.0-test',
    only: parseOnly(['dashboards']),
    ...(options.pageSize ? {pageSize: options.pageSize} : {}),
    garbage: {every: options.every, skipLast: options.skipLast, collect: () => (collections++, true)},
  })
  expect(result).toMatchObject({status: 'complete', saved: count})
  return collections
}

describe('backupDashboards: memory over a long run', () => {
  it('collects every `every` dashboards while enough are left, and skips the one near the end', async () => {
    // one search page: the count is known at once. At 100 and 200 saved, 160 and 60 are left
    expect(await backupOf(260, {every: 100, skipLast: 50})).toBe(2)
    // at 200 saved only 40 are left: no pause for memory that is about to be freed anyway
    expect(await backupOf(240, {every: 100, skipLast: 50})).toBe(1)
    expect(await backupOf(99, {every: 100, skipLast: 0})).toBe(0)
  }, 60_000)

  it('collects while the search is still paging (how many are left is not known yet)', async () => {
    // pages of 100, one dashboard at a time: the 100th is saved before page 2 is even asked for
    expect(await backupOf(150, {every: 100, skipLast: 1000, pageSize: 100, concurrency: 1})).toBe(1)
    // one page of 5000: 50 left at the 100th, fewer than skipLast
    expect(await backupOf(150, {every: 100, skipLast: 1000, concurrency: 1})).toBe(0)
  }, 60_000)
})
