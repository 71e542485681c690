/**
 * listDashboards (hydra dashboards list, doctor's dashboards check) on a large Grafana: an expected
 * grafana.com dashboard found neither by uid nor by title is looked for by its gnetId only in the
 * models whose title or tags resemble it, at most MAX_GNET_LOOKUPS requests, and the report says
 * how far it looked; the pure candidate choice is tested on its own.
 */
import type {Server} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {gnetCandidates, gnetLookupNote, listDashboards, MAX_GNET_LOOKUPS, significantWords} from '../../../src/lib/grafana/expected.js'
import {GrafanaClient} from '../../../src/lib/grafana/client.js'
import {configFor, fakeGrafana, type Routes} from '../../helpers/fake-grafana.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve))
})

interface Dash {
  uid: string
  title: string
  tags?: string[]
  gnetId?: number
}

/** A Grafana with these dashboards (search, one page) and their models. */
async function grafanaWith(dashboards: Dash[]) {
  const routes: Routes = {
    'GET /api/search': (url) => ({body: Number(url.searchParams.get('page') ?? '1') === 1 ? dashboards.map((d) => ({uid: d.uid, title: d.title, type: 'dash-db', tags: d.tags ?? []})) : []}),
  }
  for (const d of dashboards) routes[`GET /api/dashboards/uid/${d.uid}`] = {body: {dashboard: {uid: d.uid, title: d.title, ...(d.gnetId ? {gnetId: d.gnetId} : {})}, meta: {}}}
  const fake = await fakeGrafana(routes)
  servers.push(fake.server)
  const client = new GrafanaClient(configFor(fake.url).grafana!)
  const models = () => fake.seen.filter((s) => s.startsWith('GET /api/dashboards/uid/')).length
  return {client, models}
}

/** 2,000 dashboards no expected title resembles. */
const filler = (n = 2000): Dash[] => Array.from({length: n}, (_, i) => ({uid: `app-${i}`, title: `Team ${i} latency SLO`, tags: ['team']}))

describe('significantWords / gnetCandidates', () => {
  it('keeps the words that tell dashboards apart, and picks the dashboards sharing most of them, best first, at most the cap', () => {
    expect(significantWords('Node Exporter Full')).toEqual(['node', 'exporter'])
    expect(significantWords('NVIDIA DCGM Exporter Dashboard')).toEqual(['nvidia', 'dcgm', 'exporter'])
    const hits = [
      {uid: 'x', title: 'Kafka lag'},
      {uid: 'b', title: 'Exporter health'},
      {uid: 'a', title: 'Node Exporter (copy)'},
      {uid: 'c', title: 'Hosts', tags: ['node-exporter']},
    ]
    const node = [{title: 'Node Exporter Full', gnetId: 1860}]
    expect(gnetCandidates(node, hits, 3).map((h) => h.uid)).toEqual(['a', 'c', 'b'])
    expect(gnetCandidates(node, hits, 2).map((h) => h.uid)).toEqual(['a', 'c'])
    // no more dashboards than the cap: every one is opened
    expect(gnetCandidates(node, hits, 4).map((h) => h.uid)).toEqual(['x', 'b', 'a', 'c'])
  })
})

describe('listDashboards on a large Grafana', () => {
  it('finds a renamed import by its grafana.com id among 2,000 dashboards with a handful of model requests, not 2,000', async () => {
    const {client, models} = await grafanaWith([...filler(), {uid: 'imported', title: 'Node Exporter (imported 2024)', gnetId: 1860}])
    const report = await listDashboards(client, [{title: 'Node Exporter Full', gnetId: 1860}])
    await client.close()
    expect(report.expected[0]).toMatchObject({present: true, match: {uid: 'imported', by: 'gnetId'}})
    expect(report.expected[0]!.gnetLookup).toBeUndefined()
    expect(models()).toBe(1)
    expect(report.exitCode).toBe(0)
  })

  it('missing: looks in at most MAX_GNET_LOOKUPS resembling models, and says the others were not verified', async () => {
    const resembling: Dash[] = Array.from({length: 80}, (_, i) => ({uid: `node-${i}`, title: `Node ${i} disks`}))
    const {client, models} = await grafanaWith([...filler(), ...resembling, {uid: 'renamed', title: 'Hosts', gnetId: 1860}])
    const report = await listDashboards(client, [{title: 'Node Exporter Full', gnetId: 1860}])
    await client.close()
    expect(models()).toBe(MAX_GNET_LOOKUPS)
    expect(report.expected[0]).toMatchObject({present: false, gnetLookup: {opened: MAX_GNET_LOOKUPS, notOpened: 2081 - MAX_GNET_LOOKUPS}})
    expect(report.exitCode).toBe(1)
    expect(gnetLookupNote(report.expected[0]!.gnetLookup!)).toBe(`grafana.com id not verified in 2031 dashboards whose title and tags share no word with it; looked in 50`)
  })

  it('a Grafana of at most MAX_GNET_LOOKUPS dashboards has every model opened: a renamed import with nothing of its title is found', async () => {
    const {client, models} = await grafanaWith([{uid: 'n', title: 'Node disks'}, {uid: 'k', title: 'Kafka lag', gnetId: 1860}])
    const report = await listDashboards(client, [{title: 'Node Exporter Full', gnetId: 1860}, {title: 'Docker Containers', gnetId: 893}])
    await client.close()
    expect(models()).toBe(2)
    expect(report.expected[0]).toMatchObject({present: true, match: {uid: 'k', by: 'gnetId'}})
    expect(report.expected[1]).toMatchObject({present: false})
    expect(report.expected[1]!.gnetLookup).toBeUndefined()
  })
})
