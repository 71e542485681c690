// oclif writes oclif.manifest.json with commands in whatever order its file glob returned them,
// which varies between runs; sorting them makes the committed manifest reproducible.
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(file, 'utf8'))
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n')
