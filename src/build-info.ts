/**
 * What this build of hydra is. `npm run build` replaces the compiled file (dist/build-info.js)
 * with the commit it was built from (scripts/build-info.mjs), so `hydra version` never asks git at
 * run time and a tarball keeps the commit it was packed from. Running from sources (bin/dev.js)
 * shows these placeholders.
 */
export const BUILD: {commit: string; dirty: boolean; builtAt: string} = {commit: 'unknown', dirty: false, builtAt: ''}
