import {describe, expect, it} from 'vitest'

import {backupExitCode, restoreExitCode, verifyExitCode} from '../../../src/lib/backup/policy.js'
import type {RestoreResult} from '../../../src/lib/backup/restore.js'

type Summary = RestoreResult['summary']
const summary = (over: Partial<Summary>): Summary => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  'would-create': 0,
  'would-update': 0,
  conflict: 0,
  failed: 0,
  total: 0,
  foldersCreated: 0,
  foldersFailed: 0,
  objectsFailed: 0,
  ...over,
})

describe('backupExitCode: a backup that did not save everything never exits 0', () => {
  it('is 0 complete, 3 partial, 1 failed', () => {
    expect(backupExitCode('complete')).toBe(0)
    expect(backupExitCode('partial')).toBe(3)
    expect(backupExitCode('failed')).toBe(1)
  })
})

describe('restoreExitCode', () => {
  it('is 0 when everything was created, updated or left unchanged', () => {
    expect(restoreExitCode({dryRun: false, summary: summary({total: 3, created: 1, updated: 1, unchanged: 1})})).toBe(0)
    expect(restoreExitCode({dryRun: false, summary: summary({})})).toBe(0)
  })

  it('is 3 when some dashboards failed, 1 when all of them did', () => {
    expect(restoreExitCode({dryRun: false, summary: summary({total: 3, created: 2, failed: 1})})).toBe(3)
    expect(restoreExitCode({dryRun: false, summary: summary({total: 3, failed: 3})})).toBe(1)
  })

  it('is 3 when every dashboard was restored but a folder or an object failed', () => {
    expect(restoreExitCode({dryRun: false, summary: summary({total: 2, created: 2, foldersFailed: 1})})).toBe(3)
    expect(restoreExitCode({dryRun: false, summary: summary({total: 2, created: 2, objectsFailed: 1})})).toBe(3)
    expect(restoreExitCode({dryRun: false, summary: summary({total: 0, objectsFailed: 1})})).toBe(3)
  })

  it('a dry run exits as the real run would: its conflicts count as failures', () => {
    expect(restoreExitCode({dryRun: true, summary: summary({total: 2, 'would-create': 1, conflict: 1})})).toBe(3)
    expect(restoreExitCode({dryRun: true, summary: summary({total: 2, conflict: 2})})).toBe(1)
    expect(restoreExitCode({dryRun: true, summary: summary({total: 2, 'would-update': 2})})).toBe(0)
  })
})

describe('verifyExitCode', () => {
  it('is 0 when the backup matches its manifest, 1 when it does not', () => {
    expect(verifyExitCode({ok: true})).toBe(0)
    expect(verifyExitCode({ok: false})).toBe(1)
  })
})
