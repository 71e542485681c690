/**
 * Keeping a long backup's memory near its live size: a full garbage collection every
 * FULL_GC_EVERY dashboards.
 *
 * Why: a backup allocates some 40 KB per dashboard (the response, its text, the parsed document,
 * the request's own objects), nearly all of it dead within a millisecond. Yet V8's scavenger
 * promotes about 16% of what each young-generation cycle allocated (2.0-2.6 MB a cycle, measured
 * with --trace-gc-nvp, the same at 8 or 64 requests in flight and with or without the added
 * latency), and old-generation garbage is only collected when that generation reaches a limit that
 * itself grows with the heap. Measured on this 2-core machine, no added latency: the live heap when
 * the manifest is written is 16.9 MB at 1,000 dashboards and 19.7 MB at 5,000 (heap snapshots),
 * but peak RSS went 111 → 148 → 219 MiB at 1,000 / 5,000 / 20,000. With a full collection every
 * 1,000 dashboards: 105 → 125 → 166 MiB (each collection an 18-23 ms pause of the main thread at
 * 30-35 MB of heap, --trace-gc); with the end of the run no longer holding the manifest whole
 * (manifestJson, verifyWritten): 102 → 119 → 133 MiB. What is left of the growth is the young
 * generation filling its fixed 2 × 16 MB (bounded: 20.7 MB at 1,000 dashboards, 30.5 at 5,000,
 * 31.5 at 20,000; V8 sizes it from a start-up flag only, and neither a full nor a last-resort
 * collection shrinks it, tried) and the manifest's entries, under 1 KB a dashboard.
 *
 * The collection at the 1,000th dashboard of a 1,001-dashboard run is kept on purpose: skipping
 * the ones due near the end saved no time that showed (interleaved medians 1.381 and 1.390 s) and
 * cost 4-6 MiB of peak RSS, the end of the run then allocating on top of the uncollected heap.
 *
 * V8 exposes a collection only under --expose-gc. It is set here at run time, the first time one
 * is wanted, as the HTTP transport sets --liftoff-only (v8.setFlagsFromString, documented; V8 reads
 * the flag when a context is created, hence the new context). By then every module of the run is
 * loaded, so no code cache is turned away for the changed flags (src/lib/clients/http/undici.ts).
 * Where it cannot be had, the backup runs as before.
 */
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

export const FULL_GC_EVERY = 1000

let collect: (() => void) | null | undefined

/** Run a full garbage collection now; false where V8 would not expose one. */
export function collectGarbage(): boolean {
  if (collect === undefined) {
    collect = null
    try {
      const exposed = (globalThis as {gc?: () => void}).gc
      if (typeof exposed === 'function') collect = exposed
      else {
        setFlagsFromString('--expose-gc')
        const gc = runInNewContext('gc') as unknown
        if (typeof gc === 'function') collect = gc as () => void
      }
    } catch {
      collect = null
    }
  }
  if (!collect) return false
  collect()
  return true
}
