/**
 * Alertmanager's matching of a silence against an alert's labels, as Alertmanager does it
 * (pkg/labels/matcher.go, silence/silence.go): every matcher of the silence must match (they are
 * ANDed); a label the alert does not have is the empty string; `=~`/`!~` regexes are anchored at
 * both ends (`^(?:re)$`); `isEqual: false` negates (`!=`, `!~`, Alertmanager ≥ 0.22). Only an
 * `active` silence mutes anything (`pending` starts later, `expired` is over). Pure.
 */
import type {AmSilence} from './api.js'

export type SilenceMatcher = AmSilence['matchers'][number]

const compiled = new Map<string, RegExp | null>()

/** Anchored like Alertmanager's; a regex JavaScript cannot compile matches nothing (never mutes by accident). */
function anchored(re: string): RegExp | null {
  let r = compiled.get(re)
  if (r === undefined) {
    try {
      r = new RegExp(`^(?:${re})$`)
    } catch {
      r = null
    }
    compiled.set(re, r)
  }
  return r
}

export function matcherMatches(m: SilenceMatcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[m.name] ?? ''
  const hit = m.isRegex ? (anchored(m.value)?.test(value) ?? false) : value === m.value
  return m.isEqual === false ? !hit : hit
}

/** Whether the silence's matchers all match these labels (its state is not looked at). */
export function silenceMatches(s: Pick<AmSilence, 'matchers'>, labels: Readonly<Record<string, string>>): boolean {
  return s.matchers.length > 0 && s.matchers.every((m) => matcherMatches(m, labels))
}

/** The silences that mute something now: state `active` and not yet ended at `now`. */
export function activeSilences(silences: readonly AmSilence[], now: Date = new Date()): AmSilence[] {
  return silences.filter((s) => s.status?.state === 'active' && Date.parse(s.endsAt) > now.getTime())
}
