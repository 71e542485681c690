// Start-up (issue 9 item 6): resolving and compiling @oclif/core's ~120 CommonJS files is most of what
// `hydra <command> --help` costs; one pre-bundled file of the same code loads in a fraction of that.
// Writes dist/vendor/oclif-core.cjs (@oclif/core and its dependencies, as published: no code of ours,
// no TypeScript — oclif needs that only to run a plugin from its sources) and points dist's imports
// of '@oclif/core' at it (package.json "imports" maps #oclif-core there), so hydra's commands and
// oclif's runtime are one copy: `instanceof` checks across them (ExitError, CLIError) keep working.
// The sources keep importing '@oclif/core' (type-checking, tests run from src against the package).
import {build} from 'esbuild'
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')

// An ESM entry naming every export, so esbuild's CommonJS output carries the `0 && (module.exports =
// {…})` annotation Node's cjs-module-lexer reads: `import {Command, Flags} from '#oclif-core'` works.
const names = Object.keys(createRequire(join(root, 'package.json'))('@oclif/core')).filter((n) => n !== 'default')
const entry = `import * as core from '@oclif/core'\n${names.map((n) => `export const ${n} = core.${n}`).join('\n')}\n`

await build({
  stdin: {contents: entry, resolveDir: root, sourcefile: 'oclif-core-entry.mjs', loader: 'js'},
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(dist, 'vendor/oclif-core.cjs'),
  external: ['typescript', 'ts-node'],
  minifySyntax: true,
  legalComments: 'inline',
  logLevel: 'warning',
})

let rewritten = 0
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'vendor') walk(p)
    } else if (name.endsWith('.js')) {
      const src = readFileSync(p, 'utf8')
      const out = src.replace(/(from\s+|import\()(['"])@oclif\/core\2/g, '$1$2#oclif-core$2')
      if (out !== src) {
        writeFileSync(p, out)
        rewritten++
      }
    }
  }
}
walk(dist)
console.log(`dist/vendor/oclif-core.cjs written; ${rewritten} files of dist import it`)
