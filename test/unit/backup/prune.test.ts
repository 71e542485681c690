import {describe, expect, it} from 'vitest'

import {selectBackupsToPrune} from '../../../src/lib/backup/prune.js'

describe('selectBackupsToPrune', () => {
  const names = [
    'dashboards-20260101T000000Z',
    'dashboards-20260102T000000Z',
    'dashboards-20260103T000000Z-partial',
    'dashboards-20260104T000000Z',
    '.partial-20260105T000000Z-123',
    'dashboards-20260105T000000Z-77-interrupted',
    'dashboards-20260106T000000Z',
  ]

  it('removes the oldest complete backups beyond keep, and only complete ones', () => {
    const s = selectBackupsToPrune(names, 2)
    expect(s.remove).toEqual(['dashboards-20260101T000000Z', 'dashboards-20260102T000000Z'])
    expect(s.keep).toEqual(['dashboards-20260104T000000Z', 'dashboards-20260106T000000Z'])
  })

  it('removes nothing when there are no more than keep', () => {
    expect(selectBackupsToPrune(names, 4).remove).toEqual([])
    expect(selectBackupsToPrune(names, 30).remove).toEqual([])
  })

  it('never removes a protected name', () => {
    expect(selectBackupsToPrune(names, 1, ['dashboards-20260101T000000Z']).remove).not.toContain('dashboards-20260101T000000Z')
  })

  it('rejects keep below 1', () => {
    expect(() => selectBackupsToPrune(names, 0)).toThrow(RangeError)
  })
})
