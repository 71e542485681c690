import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {
  classifyEntry,
  compactTimestamp,
  completeBackupName,
  dashboardFileName,
  dashboardFolderRelativePath,
  dashboardRelativePath,
  partialBackupName,
  resolveInside,
  sanitizeComponent,
  sortCompleteOldestFirst,
  tempBackupName,
} from '../../../src/lib/backup/naming.js'

describe('sanitizeComponent', () => {
  it.each([
    ['Production Overview', 'Production Overview'],
    ['../../etc/passwd', '_etc_passwd'],
    ['..', '_'],
    ['.', '_'],
    ['', '_'],
    ['a/b\\c', 'a_b_c'],
    ['nul\0byte', 'nul_byte'],
    ['.hidden', 'hidden'],
    ['GPU · Überblick', 'GPU _ Uberblick'.replace('Uberblick', '_berblick')],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeComponent(input)).toBe(expected)
  })

  it('caps long titles', () => {
    expect(sanitizeComponent('x'.repeat(4000)).length).toBeLessThanOrEqual(80)
  })

  // the rules themselves, without the shortcut for names that are already safe: the shortcut must never change an answer
  const fullRules = (text: string): string => {
    let s = text
      .normalize('NFKC')
      .replace(/[^A-Za-z0-9 ._-]+/g, '_')
      .replace(/\.{2,}/g, '_')
      .replace(/_{2,}/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[.\s]+/, '')
      .replace(/[.\s]+$/, '')
    if (s.length > 80) s = s.slice(0, 80).replace(/[.\s]+$/, '')
    return s === '' ? '_' : s
  }

  it('gives what the full rules give, for names that are already safe and names that are not', () => {
    const edges = ['a', '_', '-', '.', '..', 'a.', '.a', 'a..b', 'a__b', 'a_b', '-x-', 'x'.repeat(80), 'x'.repeat(81), 'a.b-c_d', 'cIBgcSjkk', 'a b', 'a.-', '_.']
    for (const text of edges) expect(sanitizeComponent(text), text).toBe(fullRules(text))
    // random names over an alphabet of the characters the rules treat specially
    const alphabet = ['a', 'Z', '9', '.', '_', '-', ' ', '/', '\\', '\0', 'é', 'ﬁ']
    let seed = 14
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({length: 1 + random(i % 50 === 0 ? 100 : 8)}, () => alphabet[random(alphabet.length)]).join('')
      expect(sanitizeComponent(text), JSON.stringify(text)).toBe(fullRules(text))
    }
  })
})

describe('dashboard paths', () => {
  it('keeps a clean uid as the file name', () => {
    expect(dashboardFileName('cIBgcSjkk')).toBe('cIBgcSjkk.json')
  })

  it('adds a digest when sanitising changed the uid, so near-identical uids never collide', () => {
    const a = dashboardFileName('a/b')
    const b = dashboardFileName('a_b')
    expect(a).toMatch(/^a_b~[0-9a-f]{8}\.json$/)
    expect(b).toBe('a_b.json')
    expect(a).not.toBe(b)
  })

  it('places a dashboard under its folder path, the root as General', () => {
    expect(dashboardRelativePath('u1', [])).toBe('dashboards/General/u1.json')
    expect(dashboardRelativePath('u1', ['Team A', 'GPU'])).toBe('dashboards/Team A/GPU/u1.json')
  })

  it('cannot escape the backup folder whatever the title or uid', () => {
    const rel = dashboardRelativePath('../../etc/passwd', ['../..', '/etc'])
    expect(rel.startsWith('dashboards/')).toBe(true)
    expect(rel.split('/')).not.toContain('..')
    expect(resolveInside('/backups/run', rel).startsWith('/backups/run/dashboards/')).toBe(true)
  })

  it('a folder worked out once, joined with each file name, is the same path as the whole relative path resolved', () => {
    for (const [uid, folders] of [
      ['u1', []],
      ['../../etc/passwd', ['../..', '/etc']],
      ['.hidden', ['Team A', 'GPU']],
      ['a/b', ['x\0y']],
      ['..', ['..']],
    ] as [string, string[]][]) {
      const dir = dashboardFolderRelativePath(folders)
      expect(`${dir}/${dashboardFileName(uid)}`).toBe(dashboardRelativePath(uid, folders))
      expect(join(resolveInside('/backups/run', dir), dashboardFileName(uid))).toBe(resolveInside('/backups/run', dashboardRelativePath(uid, folders)))
    }
  })

  it('resolveInside refuses paths outside the root', () => {
    expect(() => resolveInside('/backups/run', '../other/x.json')).toThrow(/outside/)
    expect(() => resolveInside('/backups/run', '/etc/passwd')).toThrow(/unsafe/)
    expect(() => resolveInside('/backups/run', 'a/../../x')).toThrow(/outside/)
    expect(() => resolveInside('/backups/run', '')).toThrow()
    expect(resolveInside('/backups/run', 'folders.json')).toBe('/backups/run/folders.json')
  })
})

describe('backup folder names', () => {
  const at = new Date('2026-01-02T03:04:05.678Z')

  it('are dated and classified', () => {
    expect(compactTimestamp(at)).toBe('20260102T030405Z')
    expect(completeBackupName(at)).toBe('dashboards-20260102T030405Z')
    expect(completeBackupName(at, 1)).toBe('dashboards-20260102T030405Z-2')
    expect(classifyEntry(completeBackupName(at))).toMatchObject({kind: 'complete', stamp: '20260102T030405Z'})
    expect(classifyEntry(completeBackupName(at, 1))).toMatchObject({kind: 'complete', seq: 2})
    expect(classifyEntry(partialBackupName(completeBackupName(at)))).toMatchObject({kind: 'partial'})
    expect(classifyEntry('dashboards-20260102T030405Z-4242-interrupted')).toMatchObject({kind: 'partial'})
    expect(classifyEntry(tempBackupName(at, 4242))).toMatchObject({kind: 'temp', pid: 4242})
    expect(classifyEntry('.hydra-backup.lock').kind).toBe('other')
    expect(classifyEntry('dashboards-20260102.json').kind).toBe('other')
  })

  it('sort complete backups oldest first, ignoring everything else', () => {
    const names = [
      'dashboards-20260103T000000Z',
      'dashboards-20260101T000000Z-partial',
      'dashboards-20260102T000000Z-2',
      '.partial-20260104T000000Z-99',
      'dashboards-20260102T000000Z',
      'notes.txt',
    ]
    expect(sortCompleteOldestFirst(names).map((e) => e.name)).toEqual([
      'dashboards-20260102T000000Z',
      'dashboards-20260102T000000Z-2',
      'dashboards-20260103T000000Z',
    ])
  })
})
