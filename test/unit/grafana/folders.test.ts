import {describe, expect, it} from 'vitest'

import {stableStringify, sameDashboard} from '../../../src/lib/grafana/compare.js'
import {folderTitlePaths, parentsFirst, parseFolderList} from '../../../src/lib/grafana/folders.js'

const folders = [
  {uid: 'gpu', title: 'GPU', parentUid: 'team'},
  {uid: 'team', title: 'Team A'},
  {uid: 'deep', title: 'Deep', parentUid: 'gpu'},
  {uid: 'orphan', title: 'Orphan', parentUid: 'missing'},
]

describe('folders', () => {
  it('gives each folder its title path from the root', () => {
    const paths = folderTitlePaths(folders)
    expect(paths.get('deep')).toEqual(['Team A', 'GPU', 'Deep'])
    expect(paths.get('team')).toEqual(['Team A'])
    expect(paths.get('orphan')).toEqual(['Orphan'])
  })

  it('survives a cycle', () => {
    const paths = folderTitlePaths([
      {uid: 'a', title: 'A', parentUid: 'b'},
      {uid: 'b', title: 'B', parentUid: 'a'},
    ])
    expect(paths.get('a')).toEqual(['B', 'A'])
  })

  it('orders parents before children for a restore', () => {
    const order = parentsFirst(folders).map((f) => f.uid)
    expect(order.indexOf('team')).toBeLessThan(order.indexOf('gpu'))
    expect(order.indexOf('gpu')).toBeLessThan(order.indexOf('deep'))
    expect(order).toHaveLength(4)
  })

  it('parses folders.json defensively', () => {
    expect(parseFolderList([{uid: 'a', title: 'A', parentUid: ''}])).toEqual([{uid: 'a', title: 'A'}])
    expect(() => parseFolderList([{title: 'no uid'}])).toThrow(/folder #1/)
    expect(() => parseFolderList({})).toThrow(/list of folders/)
  })
})

describe('dashboard comparison', () => {
  it('ignores id, version and key order, not content or folder', () => {
    const a = {dashboard: {id: 1, uid: 'u', title: 'T', version: 3, panels: [{id: 1, a: 1, b: 2}]}, folderUid: 'f'}
    const b = {dashboard: {panels: [{b: 2, a: 1, id: 1}], title: 'T', uid: 'u', id: 9, version: 7}, folderUid: 'f'}
    expect(sameDashboard(a, b)).toBe(true)
    expect(sameDashboard(a, {...b, folderUid: undefined})).toBe(false)
    expect(sameDashboard(a, {...b, dashboard: {...b.dashboard, title: 'U'}})).toBe(false)
    expect(stableStringify({b: 1, a: [1, {d: 2, c: 3}]})).toBe('{"a":[1,{"c":3,"d":2}],"b":1}')
  })
})
