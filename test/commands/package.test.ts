/**
 * The package as a user gets it: `npm pack` (of the build, with the npm-shrinkwrap.json prepack
 * writes), `npm install -g --prefix <tmp>` of the tarball (dependencies from the npm cache that
 * `npm ci` filled, the registry only for what it lacks), then `hydra --version`, `hydra config
 * init`, `hydra config validate` and `hydra backup dashboards` (a bundled command) from the
 * installed copy. Also what the tarball must and must not hold. No hydra command here leaves the
 * machine: config init/validate read only files, and the backup is refused on a loopback port.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {REPO} from '../helpers/run-hydra.js'

const work = mkdtempSync(join(tmpdir(), 'hydra-pack-'))
afterAll(() => rmSync(work, {recursive: true, force: true}), 120_000)

describe('the npm package', () => {
  it('packs, installs globally into a prefix, and runs from there', () => {
    execFileSync(process.execPath, ['scripts/pack-shrinkwrap.mjs'], {cwd: REPO})
    let packed: {filename: string; size: number; files: {path: string}[]}
    try {
      const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: REPO, encoding: 'utf8'})
      packed = (JSON.parse(out) as (typeof packed)[])[0]!
    } finally {
      rmSync(join(REPO, 'npm-shrinkwrap.json'), {force: true})
    }
    const files = packed.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'bin/run.js', 'docs/hydra-cron-alerts.yml', 'docs/json/tsdb-status.schema.json', 'dist/vendor/oclif-core.cjs', 'npm-shrinkwrap.json', 'oclif.manifest.json', 'dist/build-info.js']))
    expect(files.filter((f) => f.endsWith('.map') || f === 'bin/dev.js' || f.startsWith('src/') || f.startsWith('test/'))).toEqual([])
    // the V8 code caches of the vendored bundles, for the Node the build ran on (src/code-cache.ts)
    // and of the commands bundled with their modules (scripts/bundle-commands.mjs)
    const bundles = ['oclif-core', 'zod', 'yaml', 'undici', 'string-width', 'wrap-ansi', 'command-backup-dashboards']
    const caches = bundles.map((b) => `dist/vendor/${b}.cjs.${process.version}-${process.arch}.v8cache`)
    expect(files).toEqual(expect.arrayContaining(['dist/code-cache.js', ...caches]))

    const prefix = join(work, 'prefix')
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, join(work, packed.filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      encoding: 'utf8',
      timeout: 400_000,
    })
    expect(install.status, install.stderr).toBe(0)
    const hydra = join(prefix, 'bin', 'hydra')
    const env = {...process.env, HYDRA_CONFIG: undefined, NO_COLOR: '1'}
    const run = (...args: string[]) => spawnSync(hydra, args, {cwd: work, env, encoding: 'utf8', timeout: 60_000})

    const version = run('--version')
    expect(version.status, version.stderr).toBe(0)
    expect(version.stdout).toMatch(/^hydra\/\d+\.\d+\.\d+ \(commit [0-9a-f]{12}(\+dirty)?\) /)
    const init = run('config', 'init', join(work, 'hydra.yaml'))
    expect(init.status, init.stderr).toBe(0)
    const validate = run('config', 'validate', join(work, 'hydra.yaml'))
    expect(validate.status, validate.stdout + validate.stderr).toBe(0)
    // the installed bundles compile from the installed caches (V8 accepts them: same Node, same code,
    // same flags: every flag at its default, as bin/run.js leaves them until the first request)
    const installed = join(prefix, 'lib', 'node_modules', 'hydra-ops')
    const probe = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const {installCodeCache} = await import(${JSON.stringify(join(installed, 'dist/code-cache.js'))}); const hook = installCodeCache(); const {createRequire} = await import('node:module'); const req = createRequire(${JSON.stringify(join(installed, 'package.json'))}); for (const b of ${JSON.stringify(bundles)}) req('./dist/vendor/' + b + '.cjs'); const command = req('./dist/vendor/command-backup-dashboards.cjs').default; console.log(JSON.stringify({fromCache: hook.fromCache.length, compiled: hook.compiled, oclifCommand: command.prototype instanceof req('./dist/vendor/oclif-core.cjs').Command}))`],
      {cwd: work, env, encoding: 'utf8', timeout: 60_000},
    )
    expect(probe.status, probe.stderr).toBe(0)
    expect(JSON.parse(probe.stdout)).toEqual({fromCache: bundles.length, compiled: [], oclifCommand: true})
    // a bundled command runs from the installed copy (its paths into dist resolve there): a Grafana
    // on a loopback port nothing listens on is named, with the exit code of an unreachable service
    writeFileSync(
      join(work, 'refused.yaml'),
      'cluster: t\nnodes:\n  a: {address: 127.0.0.1}\nservices:\n  prometheus: {url: "http://127.0.0.1:9"}\n  grafana: {url: "http://127.0.0.1:9", auth: {tokenEnv: HYDRA_PACKAGE_TOKEN}}\n',
    )
    const backup = spawnSync(hydra, ['backup', 'dashboards', '--config', join(work, 'refused.yaml'), '--dir', join(work, 'backups'), '--json'], {
      cwd: work,
      env: {...env, HYDRA_PACKAGE_TOKEN: 'glsa_package_test'},
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(backup.status, backup.stderr).toBe(1)
    const failure = JSON.parse(backup.stdout) as {command: string; error: {message: string}}
    expect(failure.command).toBe('backup dashboards')
    expect(failure.error.message).toBe('GET http://127.0.0.1:9/api/health: connection refused')
    // the dependencies came from the shrinkwrap: exactly the versions hydra was tested with
    expect(readdirSync(join(prefix, 'lib', 'node_modules', 'hydra-ops', 'node_modules'))).toContain('@oclif')
  }, 480_000)
})
