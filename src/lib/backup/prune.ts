/**
 * Which backups `--keep N` removes: the oldest COMPLETE ones beyond the newest N. Partial,
 * interrupted and in-progress folders are never pruned (they are evidence of a failure, and a
 * run must never delete what it cannot tell is a good backup). Pure.
 */
import {sortCompleteOldestFirst} from './naming.js'

export interface PruneSelection {
  keep: string[]
  remove: string[]
}

/** `names`: every entry of the backup folder. `protect`: names never removed (the backup just written). */
export function selectBackupsToPrune(names: string[], keep: number, protect: string[] = []): PruneSelection {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError('keep must be a whole number of at least 1')
  const complete = sortCompleteOldestFirst(names).map((e) => e.name)
  const excess = Math.max(0, complete.length - keep)
  const remove = complete.slice(0, excess).filter((n) => !protect.includes(n))
  return {keep: complete.filter((n) => !remove.includes(n)), remove}
}
