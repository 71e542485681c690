/**
 * Dashboard backup, verify and restore, end to end: the BUILT cli (`npm run build` first) against
 * the lab's Grafana stand-in, with the service-account token in HYDRA_GRAFANA_TOKEN. Every run's
 * stdout and stderr is kept so the last test can grep all of them, and every backup file, for
 * the token.
 */
import type {ChildProcess} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'

import {afterAll, beforeEach, describe, expect, it} from 'vitest'

import {grafanaLab, type GrafanaRunOptions} from '../helpers/grafana-lab.js'

const lab = grafanaLab('backup', (config, work) => {
  config.backup = {dashboards: {dir: join(work, 'default-root'), keep: 30, concurrency: 8}}
})
const {control, token: TOKEN, work: WORK, config: CONFIG, transcripts} = lab
const hydra = (args: string[], options: GrafanaRunOptions = {}) => lab.hydra(args, {timeoutMs: 150_000, ...options})

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

/** uid → what must survive a round trip: the dashboard without id/version, and its folder */
function contentOf(backupDir: string): Map<string, {dashboard: Record<string, unknown>; folderUid: string}> {
  const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as {dashboards: {path: string; uid: string}[]}
  const out = new Map<string, {dashboard: Record<string, unknown>; folderUid: string}>()
  for (const entry of manifest.dashboards) {
    const doc = JSON.parse(readFileSync(join(backupDir, entry.path), 'utf8')) as {dashboard: Record<string, unknown>; meta: {folderUid: string}}
    const {id: _id, version: _version, ...dashboard} = doc.dashboard
    out.set(entry.uid, {dashboard, folderUid: doc.meta.folderUid})
  }
  return out
}

function completeBackups(root: string): string[] {
  return readdirSync(root)
    .filter((n) => /^dashboards-\d{8}T\d{6}Z(-\d+)?$/.test(n))
    .sort()
}

let rootCounter = 0
function newRoot(): string {
  return join(WORK, `backups-${++rootCounter}`)
}

async function freshGrafana(patch: Record<string, unknown> = {}): Promise<void> {
  await control.clearFault('grafana')
  await control.setState('grafana', {empty: true, deny: null, delayMs: 0, nestedFolders: true, database: 'ok', tokens: [TOKEN], users: {admin: 'admin'}, ...patch})
}

afterAll(async () => {
  await freshGrafana()
  rmSync(WORK, {recursive: true, force: true})
})

beforeEach(async () => {
  await freshGrafana()
})

describe('hydra backup dashboards / verify / restore against the Grafana stand-in', () => {
  it('round trip: backup, empty Grafana, restore, backup again gives the same dashboards in the same folders', async () => {
    await control.setState('grafana', {
      seed: {dashboards: 40, folders: 6},
      dashboards: [
        {uid: 'same-title-a', title: 'Same Title', folderUid: 'seed-folder-0', model: {panels: [{id: 1, title: 'in folder 0'}]}},
        {uid: 'same-title-b', title: 'Same Title', folderUid: 'seed-folder-2', model: {panels: [{id: 1, title: 'in nested folder 2'}]}},
      ],
    })
    const root = newRoot()
    const first = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.json).toMatchObject({status: 'complete', saved: 42, searchCount: 42, folders: 6, failed: []})
    const before = contentOf(first.json.dir)
    const foldersBefore = readFileSync(join(first.json.dir, 'folders.json'), 'utf8')
    expect(JSON.parse(foldersBefore)).toContainEqual({uid: 'seed-folder-2', title: 'seed folder 2', parentUid: 'seed-folder-1'})

    await control.setState('grafana', {empty: true})
    const dry = await hydra(['restore', 'dashboards', first.json.dir, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.json.summary).toMatchObject({'would-create': 42, created: 0})
    expect((await control.component('grafana')).state).toMatchObject({dashboards: 0, folders: 0})

    const restored = await hydra(['restore', 'dashboards', first.json.dir, '--json'])
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.json.summary).toMatchObject({created: 42, failed: 0, foldersCreated: 6})

    const second = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.json.dir).not.toBe(first.json.dir)
    const after = contentOf(second.json.dir)
    expect(after).toEqual(before)
    expect(readFileSync(join(second.json.dir, 'folders.json'), 'utf8')).toBe(foldersBefore)

    // the two dashboards with one title both came back, each in its own folder
    expect(after.get('same-title-a')).toMatchObject({folderUid: 'seed-folder-0', dashboard: {title: 'Same Title'}})
    expect(after.get('same-title-b')).toMatchObject({folderUid: 'seed-folder-2', dashboard: {title: 'Same Title'}})

    // restoring again changes nothing; a dashboard changed in Grafana since is a 412 without --overwrite
    const again = await hydra(['restore', 'dashboards', first.json.dir, '--json'])
    expect(again.json.summary).toMatchObject({unchanged: 42, created: 0, updated: 0})
    // someone edits a dashboard in Grafana after the backup (its version goes up)
    await control.setState('grafana', {dashboards: [{uid: 'same-title-a', title: 'Same Title', folderUid: 'seed-folder-0', model: {panels: []}}]})
    const conflict = await hydra(['restore', 'dashboards', first.json.dir, '--json'])
    expect(conflict.code).toBe(3)
    expect(conflict.json.dashboards.find((d: {uid: string}) => d.uid === 'same-title-a')).toMatchObject({action: 'failed', httpStatus: 412, grafanaStatus: 'version-mismatch'})
    const overwrite = await hydra(['restore', 'dashboards', first.json.dir, '--overwrite', '--json'])
    expect(overwrite.code, overwrite.stderr).toBe(0)
    expect(overwrite.json.summary).toMatchObject({updated: 1, unchanged: 41})
  })

  it('backs up all of 6,000 dashboards, paging past the 5,000 cap', {timeout: 180_000}, async () => {
    await control.setState('grafana', {seed: {dashboards: 6000, folders: 5, panels: 1}})
    const root = newRoot()
    const run = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.json).toMatchObject({status: 'complete', saved: 6000, searchCount: 6000})
    const state = (await control.component('grafana')).state as {requests: {search: number; maxSearchLimit: number}}
    expect(state.requests.maxSearchLimit).toBe(5000)
    expect(state.requests.search).toBe(2) // page 1 (5000, also the credential check), page 2 (1000)
    const manifest = JSON.parse(readFileSync(join(run.json.dir, 'manifest.json'), 'utf8'))
    expect(manifest.dashboardCount).toBe(6000)
    expect(new Set(manifest.dashboards.map((d: {uid: string}) => d.uid)).size).toBe(6000)
    expect(filesUnder(join(run.json.dir, 'dashboards'))).toHaveLength(6000)
    const verify = await hydra(['backup', 'verify', run.json.dir, '--json'])
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.json).toMatchObject({ok: true, dashboards: 6000})
  })

  it('a backup killed with SIGKILL part-way leaves earlier backups intact and nothing taken for complete; a rerun succeeds', async () => {
    await control.setState('grafana', {seed: {dashboards: 150, folders: 3}})
    const root = newRoot()
    const good = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(good.code, good.stderr).toBe(0)

    // slow Grafana down so that the run is surely mid-way when killed
    await control.setState('grafana', {delayMs: 40})
    let child: ChildProcess | undefined
    const killed = hydra(['backup', 'dashboards', '--dir', root, '--concurrency', '2', '--json'], {onSpawn: (c) => (child = c)})
    const deadline = Date.now() + 30_000
    let tempFiles = 0
    while (Date.now() < deadline) {
      const temp = readdirSync(root).find((n) => n.startsWith('.partial-'))
      tempFiles = temp ? filesUnder(join(root, temp)).length : 0
      if (tempFiles >= 10) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(tempFiles).toBeGreaterThanOrEqual(10)
    child!.kill('SIGKILL')
    const result = await killed
    expect(result.signal).toBe('SIGKILL')

    // the earlier backup is intact and still the only complete one; the lock is left behind, stale
    expect(completeBackups(root)).toEqual([good.json.dir.split('/').pop()])
    expect(readdirSync(root)).toContain('.hydra-backup.lock')
    const verify = await hydra(['backup', 'verify', root, '--json'])
    expect(verify.code, verify.stdout).toBe(0)
    expect(verify.json.dir).toBe(good.json.dir)

    // the rerun takes over the stale lock, keeps the killed run's work as "interrupted", and --keep 1 prunes only complete backups
    await control.setState('grafana', {delayMs: 0})
    const rerun = await hydra(['backup', 'dashboards', '--dir', root, '--keep', '1', '--json'])
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(rerun.json.status).toBe('complete')
    expect(rerun.json.recoveredInterrupted).toHaveLength(1)
    expect(rerun.json.pruned).toEqual([good.json.dir.split('/').pop()])
    const names = readdirSync(root)
    expect(completeBackups(root)).toEqual([rerun.json.dir.split('/').pop()])
    expect(names).toContain(rerun.json.recoveredInterrupted[0])
    expect(names).not.toContain('.hydra-backup.lock')
    const interrupted = await hydra(['backup', 'verify', join(root, rerun.json.recoveredInterrupted[0]), '--json'])
    expect(interrupted.code).toBe(1)
  })

  it('verify catches one changed byte in one file and names it', async () => {
    await control.setState('grafana', {seed: {dashboards: 12, folders: 2}})
    const root = newRoot()
    const run = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(run.code, run.stderr).toBe(0)
    const ok = await hydra(['backup', 'verify', root])
    expect(ok.code, ok.stdout).toBe(0)
    expect(ok.stdout).toContain('ok')

    const manifest = JSON.parse(readFileSync(join(run.json.dir, 'manifest.json'), 'utf8'))
    const victim = manifest.dashboards[5].path as string
    const bytes = readFileSync(join(run.json.dir, victim))
    const at = bytes.indexOf('"title"') + 9
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41
    writeFileSync(join(run.json.dir, victim), bytes)

    const bad = await hydra(['backup', 'verify', run.json.dir])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain(victim)
    const badJson = await hydra(['backup', 'verify', run.json.dir, '--json'])
    expect(badJson.code).toBe(1)
    expect(badJson.json.problems).toEqual([expect.objectContaining({kind: 'sha256', path: victim})])

    // and a restore refuses a backup that does not verify
    const restore = await hydra(['restore', 'dashboards', run.json.dir, '--json'])
    expect(restore.code).toBe(1)
    expect(restore.json.error.code).toBe('backup_invalid')
  })

  it('a uid, title or folder title such as ../../etc/passwd cannot write outside the backup folder', async () => {
    await control.setState('grafana', {
      folders: [{uid: 'evil-folder', title: '../../../../tmp/evil'}],
      dashboards: [
        {uid: '../../etc/passwd', title: '../../etc/passwd'},
        {uid: 'title-escape', title: '../../../../../etc/shadow', folderUid: 'evil-folder'},
        {uid: '..', title: '/'},
        {uid: 'slash/inside', title: 'a\u0000b'},
      ],
    })
    const root = newRoot()
    const run = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    // the `..` uid cannot even be asked for over HTTP (URLs collapse dot segments): it is reported as failed, exit 3
    expect(run.code, run.stderr).toBe(3)
    expect(run.json.status).toBe('partial')
    expect(run.json.failed).toEqual([expect.objectContaining({uid: '..'})])
    expect(run.json.saved).toBe(3)
    const backup = run.json.dir as string
    for (const file of filesUnder(root)) {
      const rel = relative(root, file)
      expect(rel.startsWith('..'), file).toBe(false)
      expect(rel.split('/')).not.toContain('..')
    }
    expect(filesUnder(WORK).filter((f) => !f.startsWith(`${root}/`) && /passwd|shadow|evil/.test(f))).toEqual([])
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'))
    for (const d of manifest.dashboards) expect(resolve(backup, d.path).startsWith(`${backup}/dashboards/`)).toBe(true)
    expect(manifest.dashboards.map((d: {uid: string}) => d.uid)).toEqual(expect.arrayContaining(['../../etc/passwd', 'title-escape', 'slash/inside']))
  })

  it('401 and 403 end the run at once with exit 4, naming the credential and what Grafana said', async () => {
    await control.setState('grafana', {seed: {dashboards: 5}, tokens: ['glsa_some_other_token']})
    const root = newRoot()
    const refused = await hydra(['backup', 'dashboards', '--dir', root])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain('$HYDRA_GRAFANA_TOKEN')
    expect(refused.stderr).toContain('HTTP 401: Unauthorized')
    expect(() => statSync(root)).toThrow() // nothing was written
    const refusedJson = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(refusedJson.code).toBe(4)
    expect(refusedJson.json.error).toMatchObject({code: 'grafana_unauthorized', exitCode: 4})

    await control.setState('grafana', {tokens: [TOKEN], deny: 'rbac'})
    const forbidden = await hydra(['backup', 'dashboards', '--dir', root])
    expect(forbidden.code).toBe(4)
    expect(forbidden.stderr).toContain('$HYDRA_GRAFANA_TOKEN')
    expect(forbidden.stderr).toContain('Permissions needed: dashboards:read')

    const missing = await hydra(['backup', 'dashboards', '--dir', root], {env: {HYDRA_GRAFANA_TOKEN: ''}})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('HYDRA_GRAFANA_TOKEN')
  })

  it('a Grafana 503 shows its status and words: on some dashboards → partial, exit 3; a proxy page on /api/health → exit 1, not "expected JSON"', async () => {
    await control.setState('grafana', {seed: {dashboards: 6, folders: 2, panels: 1}})
    const nginx = '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
    const words = '{"message":"Service unavailable: database is locked"}'
    await control.fault('grafana', {status: 503, body: words, contentType: 'application/json', paths: ['/api/dashboards/uid/seed-000000', '/api/dashboards/uid/seed-000001']})
    const root = newRoot()
    const partial = await hydra(['backup', 'dashboards', '--dir', root, '--only', 'dashboards'])
    expect(partial.code, partial.stdout + partial.stderr).toBe(3)
    expect(partial.stdout).toContain('partial: 4 of 6 dashboards saved, 2 failed')
    expect(partial.stdout).toMatch(/seed-000000 \(seed dashboard 0\): GET http:\/\/\S+\/api\/dashboards\/uid\/seed-000000: Grafana answered 503: Service unavailable: database is locked/)
    expect(completeBackups(root)).toEqual([])

    await control.fault('grafana', {status: 503, body: nginx, contentType: 'text/html'})
    const down = await hydra(['backup', 'dashboards', '--dir', root])
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('/api/health: HTTP 503 Service Unavailable: HTML page "503 Service Temporarily Unavailable"')
    expect(down.stderr).toContain('Grafana, or the proxy in front of it, is not serving')
    await control.fault('grafana', {status: 503, body: 'no healthy upstream\n'})
    const downJson = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    expect(downJson.code).toBe(1)
    expect(downJson.json.error).toMatchObject({exitCode: 1, message: expect.stringContaining('HTTP 503 Service Unavailable: no healthy upstream'), details: {status: 503}})
    expect(completeBackups(root)).toEqual([])
  })

  it('--deadline bounds the whole-Grafana kinds: data sources, library panels and alerting hanging → ends by the deadline plus the start-up measured here, names each kind, exit 3', async () => {
    await control.setState('grafana', {seed: {dashboards: 6, folders: 2, panels: 1}})
    const root = newRoot()
    // The deadline bounds the backup's work; starting node, oclif and the config comes before it and
    // printing after. That overhead is measured here, at this machine's load, by a run of the same
    // backup with nothing hanging (wall time minus the run's own duration).
    let t = performance.now()
    const quick = await hydra(['backup', 'dashboards', '--dir', root, '--json'])
    const quickWallMs = performance.now() - t
    expect(quick.code, quick.stdout).toBe(0)
    const overheadMs = quickWallMs - quick.json.durationSeconds * 1000

    const kinds = ['datasources', 'library-panels', 'alert-rules', 'contact-points', 'policies']
    const paths = ['/api/datasources', '/api/library-elements', '/api/v1/provisioning/alert-rules', '/api/v1/provisioning/contact-points', '/api/v1/provisioning/policies']
    await control.fault('grafana', {hang: true, paths})
    t = performance.now()
    const cut = await hydra(['backup', 'dashboards', '--dir', root, '--json', '--deadline', '3s', '--timeout', '30s']) // the deadline, not each call's timeout, cuts them short
    const wallMs = performance.now() - t
    expect(cut.code, cut.stdout).toBe(3)
    expect(cut.json).toMatchObject({status: 'partial', saved: 6})
    expect(cut.json.failed.map((f: {uid: string}) => f.uid).sort()).toEqual([...kinds].sort())
    for (const f of cut.json.failed) expect(f.error).toBe(`${f.uid} not backed up: not fetched within the --deadline of 3s`)
    console.log(`--deadline 3s with the kinds hanging: ${Math.round(wallMs)} ms wall; start-up and printing measured at ${Math.round(overheadMs)} ms`)
    expect(wallMs).toBeGreaterThan(3000)
    expect(wallMs).toBeLessThan(3000 + overheadMs + 1500)
    expect(completeBackups(root)).toHaveLength(1) // the quick run's; the cut-short one is kept as …-partial
    expect(readdirSync(root).filter((n) => n.endsWith('-partial'))).toHaveLength(1)
  })

  it('the token never appears in stdout, stderr, --json, error messages or backup files', async () => {
    // runs of every kind have been recorded above; add a human-output run and one more 401 run
    await control.setState('grafana', {seed: {dashboards: 3}})
    const root = newRoot()
    expect((await hydra(['backup', 'dashboards', '--dir', root, '--json'])).code).toBe(0)
    expect((await hydra(['backup', 'dashboards', '--dir', root])).code).toBe(0)
    await control.setState('grafana', {tokens: ['glsa_rotated']})
    expect((await hydra(['backup', 'dashboards', '--dir', root, '--json'])).code).toBe(4)

    expect(transcripts.length).toBeGreaterThan(20)
    for (const text of transcripts) expect(text.includes(TOKEN)).toBe(false)
    const files = filesUnder(WORK)
    expect(files.length).toBeGreaterThan(6000)
    for (const file of files) {
      if (file === CONFIG) continue
      expect(readFileSync(file).includes(TOKEN), file).toBe(false)
    }
  })
})
