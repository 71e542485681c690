/**
 * Temporary folders for one test file, removed once its tests have run: call `tempDirs()` once at the
 * top level of the file, then `tempDir(prefix)` anywhere in it (at the top level or inside a test).
 * A test suite that leaves a dozen folders in /tmp on every run fills a CI machine's /tmp over weeks.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

export function tempDirs(): (prefix: string) => string {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
