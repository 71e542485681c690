/** `--only` / `--skip`: which checks of the catalogue a run makes. Pure. */
import {UserError} from '../errors.js'
import {CHECK_KINDS} from './catalogue/index.js'
import type {Check} from './model.js'

export interface SelectOptions {
  /** keep only checks matching one of these (kind, node, service, group or check id) */
  only?: string[]
  /** drop checks matching one of these */
  skip?: string[]
}

function matches(check: Check, selector: string): boolean {
  return check.kind === selector || check.group === selector || check.node === selector || check.service === selector || check.id === selector
}

/**
 * An unknown selector is a usage error that lists the valid ones. Dependencies on checks left out
 * are dropped: the remaining check then runs on its own (a target check left alone gathers its own
 * evidence for the diagnosis).
 */
export function selectChecks(checks: Check[], options: SelectOptions): Check[] {
  const valid = new Set<string>([...CHECK_KINDS, ...checks.flatMap((c) => [c.group, c.node, c.service, c.id].filter((x): x is string => Boolean(x)))])
  for (const s of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!valid.has(s)) {
      const names = [...new Set(checks.flatMap((c) => [c.group, c.node, c.service].filter((x): x is string => Boolean(x))))].sort()
      throw new UserError(`--only/--skip ${JSON.stringify(s)} names no check, node, service or check kind`, {
        code: 'unknown_check_selector',
        hint: `use a kind (${CHECK_KINDS.join(', ')}), a node or service (${names.join(', ')}), or a check id from --json`,
      })
    }
  }
  const kept = checks.filter((c) => (!options.only?.length || options.only.some((s) => matches(c, s))) && !options.skip?.some((s) => matches(c, s)))
  const ids = new Set(kept.map((c) => c.id))
  return kept.map((c) => ({
    ...c,
    dependsOn: c.dependsOn.filter((d) => ids.has(d)),
    ...(c.reachability && !ids.has(c.reachability) ? {reachability: undefined} : {}),
  }))
}
