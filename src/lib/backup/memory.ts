/**
 * Keeping a long backup's memory near its live size: a full garbage collection every FULL_GC_EVERY
 * dashboards, except within the last FULL_GC_SKIP_LAST of the run.
 *
 * Why: a backup allocates some 40 KB per dashboard (the response, its text, the parsed document,
 * the request's own objects), nearly all of it dead within a millisecond. Yet V8's scavenger
 * promotes about 16% of what each young-generation cycle allocated (2.0-2.6 MB a cycle, measured
 * with --trace-gc-nvp, the same at 8 or 64 requests in flight and with or without the added
 * latency), and old-generation garbage is only collected when that generation reaches a limit that
 * itself grows with the heap. Measured on this 2-core machine, no added latency: the live heap when
 * the manifest is written is 16.9 MB at 1,000 dashboards and 19.7 MB at 5,000 (heap snapshots),
 * but peak RSS went 111 → 148 → 219 MiB at 1,000 / 5,000 / 20,000 without these collections, and
 * 105 → 125 → 166 MiB with one every 1,000 dashboards.
 *
 * Each collection pauses the main thread for 15-23 ms (30-35 MB of heap, --trace-gc). Counted
 * alone, the 1,000th dashboard of a 1,001-dashboard run paid that pause with one dashboard left to
 * save: the search says how many there are (once its last page is in), so a collection that would
 * come within the last FULL_GC_SKIP_LAST is skipped. (Reading the old generation's growth instead,
 * 8-16 MB steps, collected too seldom: 134-143 MiB at 5,000, measured.)
 *
 * V8 exposes a collection only under --expose-gc. It is set here at run time, the first time one
 * is wanted, as bin/run.js sets --liftoff-only (v8.setFlagsFromString, documented; V8 reads the flag
 * when a context is created, hence the new context). By then every vendored bundle is loaded, so
 * no V8 code cache is turned away for the changed flags (bin/run.js). Where it cannot be had, the
 * backup runs as before.
 */
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

/** a full collection once this many dashboards were saved since the last one… */
export const FULL_GC_EVERY = 1000
/** …unless fewer than this many are left to save: the run is about to end, and its memory with it */
export const FULL_GC_SKIP_LAST = 500

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

export interface GarbageWatchOptions {
  every?: number
  skipLast?: number
  /** what collects (tests) */
  collect?: () => boolean
}

/** Told of every dashboard saved and of how many are left; runs a full collection every FULL_GC_EVERY but near the end. */
export class GarbageWatch {
  private sinceLast = 0
  private readonly every: number
  private readonly skipLast: number
  private readonly collect: () => boolean
  /** full collections run so far */
  collections = 0

  constructor(options: GarbageWatchOptions = {}) {
    this.every = options.every ?? FULL_GC_EVERY
    this.skipLast = options.skipLast ?? FULL_GC_SKIP_LAST
    this.collect = options.collect ?? collectGarbage
  }

  /** One more dashboard saved, `left` still to save (as far as the search has told). True when a collection ran. */
  tick(left: number): boolean {
    if (++this.sinceLast < this.every) return false
    this.sinceLast = 0
    if (left < this.skipLast || !this.collect()) return false
    this.collections++
    return true
  }
}
