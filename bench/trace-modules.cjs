// Preloaded with `node --require` by bench/startup.ts: when the process exits, it writes every
// module file that was loaded (CommonJS cache, which ESM imports of CJS packages also fill, plus
// ESM URLs reported by the loader hook below) to $HYDRA_TRACE_MODULES.
const {appendFileSync, writeFileSync} = require('node:fs')
const out = process.env.HYDRA_TRACE_MODULES
if (out) {
  writeFileSync(out, '')
  try {
    const {register} = require('node:module')
    register('data:text/javascript,' + encodeURIComponent(`
      import {appendFileSync} from 'node:fs';
      export async function resolve(spec, ctx, next) {
        const r = await next(spec, ctx);
        appendFileSync(${JSON.stringify(out)}, r.url + '\\n');
        return r;
      }`))
  } catch {}
  process.on('exit', () => appendFileSync(out, Object.keys(require.cache).join('\n') + '\n'))
}
