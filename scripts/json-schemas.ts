/**
 * Writes docs/json/<command>.schema.json from src/lib/output/json/schemas/ (npm run json-schemas),
 * and removes schema files of commands that no longer exist.
 */
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {jsonSchemaFiles} from '../src/lib/output/json/generate.js'

const dir = fileURLToPath(new URL('../docs/json/', import.meta.url))
mkdirSync(dir, {recursive: true})
const files = jsonSchemaFiles()
for (const name of readdirSync(dir)) if (name.endsWith('.schema.json') && !(name in files)) rmSync(join(dir, name))
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
process.stdout.write(`wrote ${Object.keys(files).length} schemas to docs/json/\n`)
