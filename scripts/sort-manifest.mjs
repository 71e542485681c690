// oclif writes oclif.manifest.json with commands in whatever order its file glob returned them,
// which varies between runs; sorting them makes the committed manifest reproducible. By code point,
// not localeCompare, which follows the build's locale (LANG) and would make it differ between machines.
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(file, 'utf8'))
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n')
