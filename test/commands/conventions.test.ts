/**
 * CLI conventions: -h is help on every command, `hydra version` names the commit baked in at build
 * time (and --json), --version shows the commit too, and --limit means lines only (tsdb status's
 * "top N metrics" is --top; the old --limit still works there, with a warning). No network.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {REPO, runHydra} from '../helpers/run-hydra.js'

const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {name: string; summary?: string}>}>}
const {BUILD} = (await import(join(REPO, 'dist/build-info.js'))) as {BUILD: {commit: string}}

describe('CLI conventions', () => {
  it('-h prints help (oclif additionalHelpFlags: global, so one command of each kind is tried)', async () => {
    expect((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {oclif: {additionalHelpFlags: string[]}}).oclif.additionalHelpFlags).toContain('-h')
    for (const args of [['-h'], ['targets', '-h'], ['tsdb', 'status', '-h'], ['backup', 'dashboards', '-h'], ['version', '-h']]) {
      const r = await runHydra(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stdout, args.join(' ')).toMatch(/^USAGE$/m)
    }
  }, 120_000)

  it('hydra version: version, the built commit, Node and platform; --json', async () => {
    expect(BUILD.commit).toMatch(/^[0-9a-f]{12}$/)
    const human = await runHydra(['version'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`commit    ${BUILD.commit}`)
    expect(human.stdout).toContain(`node      ${process.version}`)
    const json = (await runHydra(['version', '--json'])).json()
    expect(json).toMatchObject({commit: BUILD.commit, node: process.version, platform: process.platform, arch: process.arch})
    expect(json.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('--version and -v show the commit', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runHydra([flag])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^hydra/\\d+\\.\\d+\\.\\d+ \\(commit ${BUILD.commit}(\\+dirty)?\\) ${process.platform}-${process.arch} node-${process.version}\\n$`))
    }
  })

  it('--limit means lines: only logs has it; tsdb status says --top', () => {
    const withLimit = Object.entries(manifest.commands).filter(([, c]) => 'limit' in c.flags).map(([id]) => id)
    expect(withLimit).toEqual(['logs'])
    expect(manifest.commands['tsdb:status']!.flags.top!.summary).toMatch(/how many metrics/)
  })

  it("commands are listed in the order oclif's own sort gave: the bundle sorts by code point (no ICU collator at start-up), the same order for every id", () => {
    // scripts/bundle-oclif.mjs replaces oclif's localeCompare sort of each plugin's commands
    const bundle = readFileSync(join(REPO, 'dist/vendor/oclif-core.cjs'), 'utf8')
    expect(bundle).toContain('.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))')
    expect(bundle).not.toContain('a.id.localeCompare(b.id)')
    const plugins = ['plugin-help', 'plugin-autocomplete', 'plugin-not-found'].map(
      (p) => JSON.parse(readFileSync(join(REPO, 'node_modules/@oclif', p, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>},
    )
    for (const ids of [Object.keys(manifest.commands), ...plugins.map((m) => Object.keys(m.commands))]) {
      const byLocale = [...ids].sort((a, b) => a.localeCompare(b, 'en'))
      const byCodePoint = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      expect(byCodePoint).toEqual(byLocale)
    }
  })
})
