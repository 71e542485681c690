/**
 * Every command, under --json, answers a bad config with exactly one JSON document on stdout: the
 * error, with exit 2 and no stack trace. (The lab's integration tests check every command's
 * successful runs the same way.) No network: the config is refused before any call.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {createRequire} from 'node:module'

import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, it} from 'vitest'

import {REPO, runHydra, STACK_LINE} from '../helpers/run-hydra.js'
import {tempDirs} from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

const addFormats = createRequire(import.meta.url)('ajv-formats') as typeof import('ajv-formats').default
const ajv = new Ajv2020({strict: true, allErrors: true})
addFormats(ajv)

const dir = tempDir('hydra-json-')
const bad = join(dir, 'bad.yaml')
writeFileSync(bad, 'cluster: hydra\nnodes:\n  a: {address: 127.0.0.1, colour: blue}\nservices:\n  prometheus: {node: a, port: 9090}\n')

const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
// arguments that get each command past its own argument parsing to the config (backup verify
// without DIR, so that it needs the config to find the latest backup)
const ARGS: Record<string, string[]> = {
  query: ['up'],
  logs: ['{container_name="x"}'],
  'docker:logs': ['tabbyapi'],
  'restore:dashboards': [dir],
  'tsdb:delete-series': ['--match', 'up'],
  'config:validate': [bad],
  'dashboards:import': ['dashboard.json'],
  'silence:add': ['--node', 'a', '--for', '1h', '--comment', 'planned work'],
  'silence:expire': ['5f0c1d2e-3a4b-4c5d-8e9f-0123456789ab'],
}
// config init writes the embedded default and version shows the build: they read no config, nothing to refuse
const ids = Object.keys(manifest.commands).filter((id) => !['help', 'autocomplete', 'config:init', 'version'].includes(id))

describe('--json with a bad config: one JSON error document in the envelope, valid against docs/json/, exit 2', () => {
  it.each(ids)('%s', async (id) => {
    const r = await runHydra([...id.split(':'), ...(ARGS[id] ?? []), '--json', '--config', bad])
    expect(r.code, r.stderr).toBe(2)
    const doc = r.json()
    const command = id.split(':').join(' ')
    expect(doc).toMatchObject({schemaVersion: 1, command, exitCode: 2})
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'docs', 'json', `${command.split(' ').join('-')}.schema.json`), 'utf8')))
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
    expect(doc.error).toMatchObject({code: 'config_invalid', exitCode: 2})
    expect(doc.error.message).toContain(`${bad}:3:27 at nodes.a.colour: unknown key "colour"`)
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)
  })
})
