/**
 * The file side of a backup (file-writer.ts NewFileWriter) and the check before publishing
 * (verify.ts verifyWritten), on a temporary folder: new files only (never over an existing one),
 * 0600 files in 0700 folders each made once, written on the caller's thread while the disk answers
 * at once and by the writer thread many at a time once it does not (or through the thread pool
 * where there is no writer thread), and
 * the read-back check finds a missing or changed file whether it runs with blocking calls, through
 * the thread pool, or switches from one to the other on a slow disk.
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, stat, truncate, unlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {NewFileWriter, writePiecesSync} from '../../../src/lib/backup/files.js'
import {WRITE_WINDOW, type FileWriterOptions} from '../../../src/lib/backup/file-writer.js'
import {buildManifest, type BackupManifest} from '../../../src/lib/backup/manifest.js'
import {insideResolver, sha256File, verifyWritten} from '../../../src/lib/backup/verify.js'
import {resolveInside} from '../../../src/lib/backup/naming.js'

const cleanup: string[] = []
const writers: NewFileWriter[] = []
afterEach(async () => {
  for (const writer of writers.splice(0)) await writer.close()
  for (const dir of cleanup.splice(0)) await rm(dir, {recursive: true, force: true})
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hydra-files-unit-'))
  cleanup.push(dir)
  return dir
}

const track = (writer: NewFileWriter): NewFileWriter => {
  writers.push(writer)
  return writer
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex')

// Files are written on the caller's thread while the disk answers at once, by the writer thread
// once it does not (or from the start, mode 'thread'): the same files either way.
const WAYS: [string, FileWriterOptions, 'caller' | 'thread'][] = [
  ["on the caller's thread", {slowMs: Infinity, stalledMs: Infinity}, 'caller'],
  ['by the writer thread', {mode: 'thread'}, 'thread'],
]

describe.each(WAYS)('NewFileWriter, writing %s', (_name, options, way) => {
  afterEach(() => {
    for (const writer of writers) expect(writer.writingOn).toBe(way)
  })

  it('writes new files 0600 into folders it makes 0700 (each once)', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir, options))
    await writer.write(join(dir, 'dashboards', 'General', 'a.json'), Buffer.from('{"a":1}'))
    await writer.write(join(dir, 'dashboards', 'General', 'b.json'), '{"b":2}')
    expect(await readFile(join(dir, 'dashboards', 'General', 'a.json'), 'utf8')).toBe('{"a":1}')
    expect(await readFile(join(dir, 'dashboards', 'General', 'b.json'), 'utf8')).toBe('{"b":2}')
    expect((await stat(join(dir, 'dashboards', 'General', 'a.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'dashboards', 'General'))).mode & 0o777).toBe(0o700)
    expect([...writer.dirs]).toEqual([dir, join(dir, 'dashboards', 'General')])
  })

  it('many files at once (more than the thread pool has threads), each whole, into folders made at the same time', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir, options))
    const body = (i: number) => Buffer.alloc(5000 + i, 97 + (i % 26))
    await Promise.all(Array.from({length: 200}, (_, i) => writer.write(join(dir, 'dashboards', `F${i % 7}`, `${i}.json`), body(i))))
    for (let i = 0; i < 200; i++) expect((await readFile(join(dir, 'dashboards', `F${i % 7}`, `${i}.json`))).equals(body(i))).toBe(true)
    expect(writer.dirs.size).toBe(8)
    await expect(writer.write(join(dir, 'dashboards', 'F0', '0.json'), 'again')).rejects.toMatchObject({code: 'EEXIST'})
    expect((await readFile(join(dir, 'dashboards', 'F0', '0.json'))).equals(body(0))).toBe(true)
  })

  it("a file far larger than the writer thread's young generation (a dashboard of many MB), whole", async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir, options))
    const big = Buffer.alloc(12 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff
    await Promise.all([writer.write(join(dir, 'big.json'), big), writer.write(join(dir, 'small.json'), '{}')])
    expect((await readFile(join(dir, 'big.json'))).equals(big)).toBe(true)
    expect(await readFile(join(dir, 'small.json'), 'utf8')).toBe('{}')
  })

  it('writes bytes byte for byte (every byte value, a BOM, invalid UTF-8, UTF-8 text), and text as UTF-8, side by side', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir, options))
    const bytes = [
      Buffer.from(Array.from({length: 256}, (_, i) => i)),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"title":"Übersicht ✓ 🚀"}')]),
      Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x7d, 0x00, 0x0a]),
      Buffer.alloc(0),
    ]
    const text = '{"title":"Übersicht ✓ 🚀"}'
    await Promise.all([...bytes.map((b, i) => writer.write(join(dir, `b${i}.json`), b)), writer.write(join(dir, 'text.json'), text)])
    for (const [i, b] of bytes.entries()) expect((await readFile(join(dir, `b${i}.json`))).equals(b)).toBe(true)
    expect((await readFile(join(dir, 'text.json'))).equals(Buffer.from(text, 'utf8'))).toBe(true)
  })
})

describe('NewFileWriter', () => {
  it("starts on the caller's thread, and hands over to the writer thread once the disk turns slow: every file whole, in its folder, none written twice", async () => {
    const dir = await tempDir()
    // every write counts as slow: the first window of writes is done here, the rest by the thread
    const writer = track(new NewFileWriter(dir, {slowMs: -1}))
    expect(writer.writingOn).toBe('caller')
    const body = (i: number) => Buffer.alloc(1000 + i, 97 + (i % 26))
    for (let i = 0; i < WRITE_WINDOW - 1; i++) await writer.write(join(dir, 'dashboards', `F${i % 3}`, `${i}.json`), body(i))
    expect(writer.writingOn).toBe('caller')
    // the window is full: the thread starts, and until it runs, files are still written here, at once
    // (a fetch waiting on its write must not wait for a thread to start)
    await writer.write(join(dir, 'dashboards', 'F0', `${WRITE_WINDOW - 1}.json`), body(WRITE_WINDOW - 1))
    const whileStarting = join(dir, 'dashboards', 'F6', 'starting.json')
    expect(writer.writingOn).toBe('starting')
    const written = writer.write(whileStarting, 'written while the thread starts')
    expect(existsSync(whileStarting)).toBe(true)
    await written
    await vi.waitFor(() => expect(writer.writingOn).toBe('thread'))
    const rest = Array.from({length: 60}, (_, k) => k + WRITE_WINDOW)
    const byThread = rest.map((i) => writer.write(join(dir, 'dashboards', `F${i % 5}`, `${i}.json`), body(i)))
    // queued for the thread, not written on this one
    expect(existsSync(join(dir, 'dashboards', `F${WRITE_WINDOW % 5}`, `${WRITE_WINDOW}.json`))).toBe(false)
    await Promise.all(byThread)
    expect(writer.writingOn).toBe('thread')
    const folderOf = (i: number) => (i < WRITE_WINDOW - 1 ? i % 3 : i === WRITE_WINDOW - 1 ? 0 : i % 5)
    for (let i = 0; i < WRITE_WINDOW + 60; i++) expect((await readFile(join(dir, 'dashboards', `F${folderOf(i)}`, `${i}.json`))).equals(body(i))).toBe(true)
    expect(await readFile(whileStarting, 'utf8')).toBe('written while the thread starts')
    expect(writer.dirs.size).toBe(7)
    await expect(writer.write(join(dir, 'dashboards', 'F0', '0.json'), 'again')).rejects.toMatchObject({code: 'EEXIST'})
  })

  it('a disk that answers at once keeps every write on the caller; one stalled write hands over at once', async () => {
    const dir = await tempDir()
    const quick = track(new NewFileWriter(dir, {slowMs: Infinity, stalledMs: Infinity}))
    for (let i = 0; i < 3 * WRITE_WINDOW; i++) await quick.write(join(dir, `q${i}.json`), `{"i":${i}}`)
    expect(quick.writingOn).toBe('caller')
    const stalled = track(new NewFileWriter(dir, {slowMs: Infinity, stalledMs: -1}))
    await stalled.write(join(dir, 's0.json'), '{}')
    await vi.waitFor(() => expect(stalled.writingOn).toBe('thread'))
    await stalled.write(join(dir, 's1.json'), '{"by":"thread"}')
    expect(await readFile(join(dir, 's1.json'), 'utf8')).toBe('{"by":"thread"}')
  })

  it('a window where only some writes were slow (the thread preempted) stays here; one where the fastest quarter was slow hands over', async () => {
    // a clock that makes each write take the next of `durations`, ms (writeHere reads it before and after)
    const scripted = (durations: number[]) => {
      let t = 0
      let reads = 0
      return () => (reads++ % 2 === 0 ? t : (t += durations.shift() ?? 0.01))
    }
    const dir = await tempDir()
    const slow = 0.25 * 20
    // 11 of 16 slow, as when the server on the same 2 cores keeps preempting: the 5th fastest is fast
    const preempted = [...Array(11).fill(slow), ...Array(5).fill(0.05)]
    const busy = track(new NewFileWriter(dir, {now: scripted([...preempted, ...preempted])}))
    for (let i = 0; i < 2 * WRITE_WINDOW; i++) await busy.write(join(dir, 'busy', `${i}.json`), '{}')
    expect(busy.writingOn).toBe('caller')
    // 12 of 16 slow: the 5th fastest is slow, as on a disk slow for every file
    const slowDisk = track(new NewFileWriter(dir, {now: scripted([...Array(12).fill(slow), ...Array(4).fill(0.05)])}))
    for (let i = 0; i < WRITE_WINDOW; i++) await slowDisk.write(join(dir, 'slow', `${i}.json`), '{}')
    await vi.waitFor(() => expect(slowDisk.writingOn).toBe('thread'))
  })

  it('without its writer thread (closed, or none could start) writes through the thread pool, the same files', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir))
    await writer.write(join(dir, 'first.json'), 'by the thread')
    await writer.close()
    const body = (i: number) => Buffer.alloc(3000 + i, 65 + (i % 26))
    await Promise.all(Array.from({length: 50}, (_, i) => writer.write(join(dir, 'dashboards', `P${i % 3}`, `${i}.json`), body(i))))
    for (let i = 0; i < 50; i++) expect((await readFile(join(dir, 'dashboards', `P${i % 3}`, `${i}.json`))).equals(body(i))).toBe(true)
    expect((await stat(join(dir, 'dashboards', 'P1', '1.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'dashboards', 'P1'))).mode & 0o777).toBe(0o700)
    expect(await readFile(join(dir, 'first.json'), 'utf8')).toBe('by the thread')
    await expect(writer.write(join(dir, 'first.json'), 'again')).rejects.toMatchObject({code: 'EEXIST'})
  })

  it('a file it cannot create fails alone, with the error and path as fs gives them', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir))
    await writeFile(join(dir, 'taken.json'), 'first')
    const results = await Promise.allSettled([writer.write(join(dir, 'a.json'), 'a'), writer.write(join(dir, 'taken.json'), 'second'), writer.write(join(dir, 'b.json'), 'b')])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const error = (results[1] as PromiseRejectedResult).reason as NodeJS.ErrnoException
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('EEXIST')
    expect(error.message).toContain(join(dir, 'taken.json'))
    expect(await readFile(join(dir, 'taken.json'), 'utf8')).toBe('first')
  })

  it('never writes over an existing file (two objects can never land on one file)', async () => {
    const dir = await tempDir()
    const writer = track(new NewFileWriter(dir))
    await writeFile(join(dir, 'taken.json'), 'first')
    await expect(writer.write(join(dir, 'taken.json'), 'second')).rejects.toMatchObject({code: 'EEXIST'})
    expect(await readFile(join(dir, 'taken.json'), 'utf8')).toBe('first')
  })
})

/** files written by the run's writer, their manifest, and the sha256 and size of manifest.json as written */
async function backupOf(files: Record<string, string>): Promise<{dir: string; manifest: BackupManifest; written: {size: number; sha256: string}}> {
  const dir = await tempDir()
  const writer = track(new NewFileWriter(dir))
  for (const [path, text] of Object.entries(files)) await writer.write(join(dir, path), text)
  const dashboards = Object.entries(files)
    .filter(([p]) => p.startsWith('dashboards/'))
    .map(([path, text]) => ({path, sha256: sha256(text), size: Buffer.byteLength(text), uid: path.split('/').pop()!.replace('.json', ''), title: path}))
  const manifest = buildManifest({
    hydraVersion: '0.0.0',
    grafanaUrl: 'http://127.0.0.1:3000',
    startedAt: new Date('2026-12-01T00:00:00Z'),
    finishedAt: new Date('2026-12-01T00:00:01Z'),
    searchCount: dashboards.length,
    dashboards,
    vanished: [],
    failed: [],
    folders: {path: 'folders.json', sha256: sha256(files['folders.json']!), size: Buffer.byteLength(files['folders.json']!), count: 0},
  })
  const manifestText = JSON.stringify(manifest, null, 2) + '\n'
  await writer.write(join(dir, 'manifest.json'), manifestText)
  return {dir, manifest, written: {size: Buffer.byteLength(manifestText), sha256: sha256(manifestText)}}
}

describe('verifyWritten', () => {
  const files = {'folders.json': '[]\n', 'dashboards/General/a.json': '{"dashboard":{"uid":"a"}}', 'dashboards/General/b.json': '{"dashboard":{"uid":"b"}}'}

  const many = Object.fromEntries([...Object.entries(files), ...Array.from({length: 20}, (_, i) => [`dashboards/General/x${i}.json`, `{"dashboard":{"uid":"x${i}"}}`])])
  for (const [how, options] of [
    ['blocking', {blocking: true}],
    ['through the pool', {blocking: false}],
    ['blocking until 8 were slow, then through the pool', {slowMs: -1}],
    ['by default', {}],
  ] as const) {
    it(`${how}: ok as written; a missing file, a file cut short and a file too many are each named`, async () => {
      const {dir, manifest, written} = await backupOf(many)
      expect((await verifyWritten(dir, manifest, written, options)).problems).toEqual([])

      await unlink(join(dir, 'dashboards/General/a.json'))
      await truncate(join(dir, 'dashboards/General/b.json'), 3)
      await writeFile(join(dir, 'dashboards/General/c.json'), '{}')
      await unlink(join(dir, 'dashboards/General/x19.json'))
      const report = await verifyWritten(dir, manifest, written, options)
      expect(report.ok).toBe(false)
      const named = report.problems.map((p) => `${p.kind} ${p.path}`).sort()
      expect(named).toEqual(['missing dashboards/General/a.json', 'missing dashboards/General/x19.json', 'size dashboards/General/b.json', 'unexpected dashboards/General/c.json'])
    })
  }
})

describe('verifyWritten: the manifest itself, nested folders, the counts', () => {
  const files = {'folders.json': '[]\n', 'dashboards/Team/GPU/a.json': '{"dashboard":{"uid":"a"}}', 'dashboards/General/b.json': '{"dashboard":{"uid":"b"}}'}

  it('ok as written, nested folders included; a manifest.json changed after it was written is named', async () => {
    const {dir, manifest, written: file} = await backupOf(files)
    expect((await verifyWritten(dir, manifest, file)).problems).toEqual([])
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
    expect((await verifyWritten(dir, manifest, file)).problems.map((p) => `${p.kind} ${p.path}`)).toEqual(['sha256 manifest.json'])
    await unlink(join(dir, 'manifest.json'))
    expect((await verifyWritten(dir, manifest, file)).problems.map((p) => `${p.kind} ${p.path}`)).toEqual(['missing manifest.json'])
  })

  it('a file in a folder no dashboard went to, and a folder where a file should be, are named', async () => {
    const {dir, manifest, written: file} = await backupOf(files)
    await mkdir(join(dir, 'dashboards/Team/Stray/deeper'), {recursive: true})
    await writeFile(join(dir, 'dashboards/Team/Stray/deeper/x.json'), '{}')
    await unlink(join(dir, 'dashboards/General/b.json'))
    await mkdir(join(dir, 'dashboards/General/b.json'))
    const named = (await verifyWritten(dir, manifest, file)).problems.map((p) => `${p.kind} ${p.path}`).sort()
    expect(named).toEqual(['missing dashboards/General/b.json', 'unexpected dashboards/Team/Stray/deeper/x.json'])
  })

  it('counts that do not add up, and a backup with no dashboards/ at all', async () => {
    const {dir, manifest, written: file} = await backupOf(files)
    const report = await verifyWritten(dir, {...manifest, searchCount: 3}, file)
    expect(report.problems.map((p) => p.kind)).toEqual(['count'])
    const empty = await backupOf({'folders.json': '[]\n'})
    expect((await verifyWritten(empty.dir, empty.manifest, empty.written)).problems).toEqual([])
  })
})

describe('writePiecesSync', () => {
  it('writes the pieces joined, in batches, into a new 0600 file, and gives the size and sha256 of the bytes written', async () => {
    const dir = await tempDir()
    const pieces = Array.from({length: 5000}, (_, i) => `{"n": ${i}, "text": "ünïcode ${'x'.repeat(i % 200)}"},\n`)
    const whole = pieces.join('')
    const written = writePiecesSync(join(dir, 'out.json'), pieces)
    const back = await readFile(join(dir, 'out.json'))
    expect(back.toString('utf8')).toBe(whole)
    expect(written).toEqual({size: Buffer.byteLength(whole), sha256: sha256(whole)})
    expect(back.length).toBeGreaterThan(2 * 256 * 1024) // more than one batch
    expect((await stat(join(dir, 'out.json'))).mode & 0o777).toBe(0o600)
    expect(writePiecesSync(join(dir, 'empty.json'), [])).toEqual({size: 0, sha256: sha256('')})
  })

  it('never writes over an existing file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'taken.json'), 'first')
    expect(() => writePiecesSync(join(dir, 'taken.json'), ['second'])).toThrow(expect.objectContaining({code: 'EEXIST'}))
    expect(await readFile(join(dir, 'taken.json'), 'utf8')).toBe('first')
  })
})

describe('sha256File', () => {
  it('hashes a file read whole (size known) and one read through its reused buffer (size unknown) alike, across chunk borders', async () => {
    const dir = await tempDir()
    const data = Buffer.alloc(600 * 1024 + 7)
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff
    await writeFile(join(dir, 'big.bin'), data)
    await writeFile(join(dir, 'empty.bin'), '')
    const want = {size: data.length, sha256: sha256(data)}
    expect(await sha256File(join(dir, 'big.bin'))).toEqual(want)
    expect(await sha256File(join(dir, 'big.bin'), data.length)).toEqual(want)
    expect(await sha256File(join(dir, 'empty.bin'))).toEqual({size: 0, sha256: sha256('')})
    await expect(sha256File(join(dir, 'absent.bin'))).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('insideResolver', () => {
  it('gives what resolveInside gives, path by path, and refuses what it refuses', () => {
    const root = '/backups/.partial-20261201T000000Z-1'
    const inside = insideResolver(root)
    const paths = [
      'dashboards/General/a.json',
      'dashboards/General/b.json',
      'dashboards/Team A/GPU/c~0123abcd.json',
      'folders.json',
      'manifest.json',
      'grafana/datasources.json',
      'dashboards/./General/d.json',
      'dashboards/../folders.json',
      'a/../x.json',
      '../escape.json',
      'dashboards/../../escape.json',
      '/etc/passwd',
      'dashboards/General/..',
      'dashboards/General/.',
      'dashboards/nul\0/x.json',
      'dashboards/General/',
      '',
    ]
    for (const path of [...paths, ...paths]) {
      let want: string | Error
      try {
        want = resolveInside(root, path)
      } catch (error) {
        want = error as Error
      }
      if (want instanceof Error) expect(() => inside(path), path).toThrow(want.message)
      else expect(inside(path), path).toBe(want)
    }
  })
})
