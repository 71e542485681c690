// The build's last step for a bundle under dist/vendor/: point dist's imports of a package at it.
// Rewrites `from 'pkg'` and `import('pkg')` in every .js file of dist (dist/vendor itself excepted);
// returns how many files changed. Used by scripts/bundle-oclif.mjs and scripts/bundle-vendor.mjs.
import {readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** `packages`: a regular-expression source matching the package names; `to(name)`: the specifier to use instead. */
export function rewriteDistImports(dist, packages, to) {
  const pattern = new RegExp(`(from\\s+|import\\()(['"])(${packages})\\2`, 'g')
  let rewritten = 0
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) {
        if (name !== 'vendor') walk(p)
      } else if (name.endsWith('.js')) {
        const src = readFileSync(p, 'utf8')
        const out = src.replace(pattern, (_, lead, quote, pkg) => `${lead}${quote}${to(pkg)}${quote}`)
        if (out !== src) {
          writeFileSync(p, out)
          rewritten++
        }
      }
    }
  }
  walk(dist)
  return rewritten
}
