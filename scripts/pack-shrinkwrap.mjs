// Before `npm pack`: writes npm-shrinkwrap.json (package-lock.json without the dev-only packages)
// so that `npm install -g hydra-ops` installs exactly the dependency versions hydra was tested
// with (npm's advice for command-line tools installed globally), from the local cache when the
// registry is out of reach. `postpack` removes it again; it is not committed.
import {readFileSync, writeFileSync} from 'node:fs'

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'))
lock.packages = Object.fromEntries(Object.entries(lock.packages).filter(([path, entry]) => path === '' || !entry.dev))
const root = lock.packages['']
delete root.devDependencies
writeFileSync(new URL('../npm-shrinkwrap.json', import.meta.url), JSON.stringify(lock, null, 2) + '\n')
