import {describe, expect, it} from 'vitest'

import {buildManifest, compareWithManifest, manifestJson, parseManifest, type BackupManifest, type ObservedFile} from '../../../src/lib/backup/manifest.js'

const sha = (c: string) => c.repeat(64)
const input = {
  hydraVersion: '0.1.0',
  grafanaUrl: 'http://127.0.0.2:3003/',
  grafanaVersion: '11.3.0',
  startedAt: new Date('2026-01-02T03:04:05Z'),
  finishedAt: new Date('2026-01-02T03:04:09Z'),
  searchCount: 2,
  dashboards: [
    {path: 'dashboards/Team/b.json', sha256: sha('b'), size: 20, uid: 'b', title: 'B', folderUid: 'team'},
    {path: 'dashboards/General/a.json', sha256: sha('a'), size: 10, uid: 'a', title: 'A'},
  ],
  vanished: [],
  failed: [],
  folders: {path: 'folders.json', sha256: sha('f'), size: 5, count: 1},
}

function observedAll(m: ReturnType<typeof buildManifest>): Map<string, ObservedFile | undefined> {
  return new Map([m.folders, ...m.dashboards].map((f) => [f.path, {size: f.size, sha256: f.sha256}]))
}

describe('buildManifest', () => {
  it('is complete when every dashboard the search reported was saved', () => {
    const m = buildManifest(input)
    expect(m.complete).toBe(true)
    expect(m.dashboardCount).toBe(2)
    expect(m.dashboards.map((d) => d.path)).toEqual(['dashboards/General/a.json', 'dashboards/Team/b.json'])
    expect(m.grafana).toEqual({url: 'http://127.0.0.2:3003/', version: '11.3.0'})
    expect(parseManifest(JSON.stringify(m))).toEqual(m)
  })

  it('is incomplete with a failure, an abort, or a count that does not add up', () => {
    expect(buildManifest({...input, failed: [{uid: 'c', title: 'C', error: 'timed out'}]}).complete).toBe(false)
    expect(buildManifest({...input, aborted: 'listing failed'}).complete).toBe(false)
    expect(buildManifest({...input, searchCount: 3}).complete).toBe(false)
    expect(buildManifest({...input, searchCount: 3, vanished: [{uid: 'gone', title: 'Gone'}]}).complete).toBe(true)
  })
})

describe('manifestJson', () => {
  const pretty = (m: unknown) => JSON.stringify(m, null, 2) + '\n'
  it('joined, is exactly JSON.stringify(manifest, null, 2) and a newline, whatever the manifest holds', () => {
    const manifests: unknown[] = [
      buildManifest(input),
      buildManifest({...input, dashboards: [], searchCount: 0}),
      buildManifest({
        ...input,
        grafanaVersion: undefined,
        failed: [{uid: 'c', title: 'C "quoted"\nnew line', error: 'timed out'}],
        vanished: [{uid: 'gone', title: 'Gone ✓'}],
        aborted: 'listing failed',
        kinds: ['dashboards', 'datasources'],
        objects: [{path: 'grafana/datasources.json', sha256: sha('d'), size: 7, kind: 'datasources', count: 3}],
      }),
      // what JSON.stringify does with odd values is done the same: undefined fields left out, undefined in a list as null, nested lists
      {a: undefined, b: [undefined, 1, {c: [1, [2, {}]], d: []}], e: {}, f: null, g: 'x', h: [[]]},
      {},
    ]
    for (const m of manifests) expect([...manifestJson(m as BackupManifest)].join('')).toBe(pretty(m))
  })

  it('is one piece per dashboard, not one text of them all', () => {
    const many = buildManifest({
      ...input,
      searchCount: 500,
      dashboards: Array.from({length: 500}, (_, i) => ({path: `dashboards/General/d${i}.json`, sha256: sha('a'), size: i, uid: `d${i}`, title: `D ${i}`})),
    })
    const pieces = [...manifestJson(many)]
    expect(pieces.join('')).toBe(pretty(many))
    expect(pieces.length).toBeGreaterThan(500)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1000)
  })
})

describe('compareWithManifest', () => {
  const m = buildManifest(input)

  it('finds nothing wrong when every file matches', () => {
    expect(compareWithManifest(m, observedAll(m), ['dashboards/General/a.json', 'dashboards/Team/b.json'])).toEqual([])
  })

  it('names a changed, resized, missing or unexpected file', () => {
    const observed = observedAll(m)
    observed.set('dashboards/Team/b.json', {size: 20, sha256: sha('c')})
    observed.set('dashboards/General/a.json', undefined)
    observed.set('folders.json', {size: 6, sha256: sha('f')})
    const problems = compareWithManifest(m, observed, ['dashboards/Team/b.json', 'dashboards/General/extra.json'])
    expect(problems.map((p) => [p.kind, p.path])).toEqual([
      ['size', 'folders.json'],
      ['missing', 'dashboards/General/a.json'],
      ['sha256', 'dashboards/Team/b.json'],
      ['unexpected', 'dashboards/General/extra.json'],
    ])
    expect(problems[2]!.detail).toContain('dashboards/Team/b.json')
  })

  it('checks the counts against the search', () => {
    const short = {...m, searchCount: 5}
    expect(compareWithManifest(short, observedAll(m), m.dashboards.map((d) => d.path)).map((p) => p.kind)).toEqual(['count'])
  })
})

describe('parseManifest', () => {
  it('rejects what is not a hydra manifest', () => {
    expect(() => parseManifest('not json')).toThrow(/not valid JSON/)
    expect(() => parseManifest('{"format":"other"}')).toThrow(/not a hydra/)
    expect(() => parseManifest(JSON.stringify({...buildManifest(input), formatVersion: 9}))).toThrow(/format version 9/)
    const broken = buildManifest(input) as unknown as {dashboards: {sha256: string}[]}
    broken.dashboards[0]!.sha256 = 'zz'
    expect(() => parseManifest(JSON.stringify(broken))).toThrow(/entry #1/)
  })
})
