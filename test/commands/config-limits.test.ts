/**
 * Issue 10 item 8: config files are read with limits. Every hostile or wrong file is exit 2 with the
 * file and the reason, quickly and in little memory, never "a bug in hydra", never a hang.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {DEFAULT_CONFIG_YAML} from '../../src/lib/config/default-config.js'
import {discoverConfig, loadConfig} from '../../src/lib/config/loader.js'
import {ConfigError} from '../../src/lib/errors.js'
import {BIN, REPO, runHydra} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

const dir = tempDir('hydra-limits-')
chmodSync(dir, 0o755)
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

function aliasBomb(): string {
  let t = 'cluster: x\na: &a [x, x, x, x, x, x, x, x, x]\n'
  let prev = 'a'
  for (let i = 0; i < 9; i++) {
    t += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(', ')}]\n`
    prev = `b${i}`
  }
  return t
}

const fifo = join(dir, 'fifo.yaml')
execFileSync('mkfifo', [fifo])
const subdir = join(dir, 'a-directory')
mkdirSync(subdir)

const CASES: Record<string, {path: () => string; reason: RegExp}> = {
  '/dev/zero': {path: () => '/dev/zero', reason: /is a character device, not a regular file/},
  'a FIFO with no writer': {path: () => fifo, reason: /is a named pipe \(FIFO\), not a regular file/},
  'a directory': {path: () => subdir, reason: /is a directory/},
  'a 2 MiB file': {path: () => file('huge.yaml', DEFAULT_CONFIG_YAML + `# ${'x'.repeat(2 * 1024 * 1024)}\n`), reason: /over the 1 MiB limit/},
  'UTF-16 with a BOM': {path: () => file('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DEFAULT_CONFIG_YAML, 'utf16le')])), reason: /UTF-16/},
  'UTF-16 without a BOM': {path: () => file('utf16-nobom.yaml', Buffer.from(DEFAULT_CONFIG_YAML, 'utf16le')), reason: /UTF-16/},
  'a YAML alias bomb': {path: () => file('bomb.yaml', aliasBomb()), reason: /aliases expand more than 100 times/},
  'flow nesting 100000 deep': {path: () => file('deep-flow.yaml', `cluster: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`), reason: /nested too deeply/},
  'block nesting 400 deep': {path: () => file('deep-block.yaml', Array.from({length: 400}, (_, i) => `${' '.repeat(i)}k:`).join('\n') + '\n'), reason: /nested too deeply/},
  'sequence nesting 100 deep': {path: () => file('deep-seq.yaml', `cluster: x\nnodes: ${'- '.repeat(100)}x\n`), reason: /nested too deeply|YAML syntax error/},
  'an empty file': {path: () => file('empty.yaml', ''), reason: /the config is empty/},
}

describe('config files are read with limits: exit 2, the file and the reason', () => {
  // in-process (the machine's cores are shared): the CLI path is covered by the cases below
  for (const [name, {path, reason}] of Object.entries(CASES)) {
    it(name, () => {
      const p = path()
      let caught: unknown
      try {
        loadConfig({flag: p})
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(ConfigError)
      const e = caught as ConfigError
      expect(e.exitCode).toBe(2)
      expect(e.message).toContain(p)
      expect(e.message).toMatch(reason)
      expect(`${e.message} ${e.hint}`).not.toMatch(/bug in hydra|Maximum call stack|create one with/)
    })
  }

  it('through --config of any command, as JSON', {timeout: 60_000}, async () => {
    const j = await runHydra(['targets', '--config', '/dev/zero', '--json'], {timeoutMs: 50_000})
    expect(j.code).toBe(2)
    expect(j.json().error).toMatchObject({code: 'config_invalid', message: expect.stringMatching(/\/dev\/zero: cannot read config: is a character device/)})
  })

  it('an unreadable file: permission denied, with a hint that fits (not "create one")', {timeout: 60_000}, () => {
    const p = file('secret.yaml', DEFAULT_CONFIG_YAML)
    chmodSync(p, 0o000)
    // tests run as root, who reads anything: run hydra as root WITHOUT the capabilities that bypass file
    // permissions (util-linux setpriv), so the open fails with EACCES as it would for an operator's own
    // user. (Switching to uid nobody instead breaks wherever the checkout itself is not world-readable.)
    const drop = '-dac_override,-dac_read_search'
    const r = spawnSync('setpriv', [`--bounding-set=${drop}`, `--inh-caps=${drop}`, process.execPath, BIN, 'config', 'validate', p], {cwd: REPO, encoding: 'utf8', timeout: 50_000, env: {...process.env, NO_COLOR: '1', HOME: dir}})
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${p}: cannot read config: permission denied`)
    expect(r.stderr).toMatch(/make it readable by the user running hydra/)
    expect(r.stderr).not.toMatch(/create one/)
  })

  it('a missing file still suggests hydra config init', {timeout: 60_000}, async () => {
    const r = await runHydra(['config', 'validate', join(dir, 'nope.yaml')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no such file[\s\S]*hydra config init/)
  })

  it('an empty HYDRA_CONFIG= warns on stderr which config is used instead', {timeout: 120_000}, async () => {
    const cwd = tempDir('hydra-emptyenv-')
    // config validate makes no network call: safe with the embedded default
    const r = await runHydra(['config', 'validate'], {cwd, env: {HYDRA_CONFIG: '', HOME: cwd, XDG_CONFIG_HOME: undefined}})
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/HYDRA_CONFIG is set but empty; using the embedded default config \(the runbook's 192\.168\.1\.x cluster\)/)
    writeFileSync(join(cwd, 'hydra.yaml'), DEFAULT_CONFIG_YAML)
    expect(discoverConfig({cwd, home: cwd, env: {HYDRA_CONFIG: ''}}).warning).toContain(`HYDRA_CONFIG is set but empty; using ${join(cwd, 'hydra.yaml')}`)
    expect(discoverConfig({cwd, home: cwd, env: {}}).warning).toBeUndefined()
  })
})
