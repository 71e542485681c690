// Bakes the commit into the build: rewrites dist/build-info.js (compiled from src/build-info.ts)
// with the git commit of the tree being built, whether it had uncommitted changes, and when.
// Without git (a tarball rebuilt elsewhere) the commit stays "unknown".
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'

const git = (...args) => {
  try {
    return execFileSync('git', args, {cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8'}).trim()
  } catch {
    return undefined
  }
}
const commit = git('rev-parse', '--short=12', 'HEAD') ?? 'unknown'
const dirty = commit !== 'unknown' && (git('status', '--porcelain', '--untracked-files=no') ?? '') !== ''
const build = {commit, dirty, builtAt: new Date().toISOString()}
writeFileSync(
  new URL('../dist/build-info.js', import.meta.url),
  `// written by scripts/build-info.mjs at build time\nexport const BUILD = ${JSON.stringify(build)};\n`,
)
