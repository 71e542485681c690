/**
 * The one JSON envelope (README "JSON output"): every `--json` document, result or error, starts
 * with the same four keys, then carries the command's own body:
 *
 *   {schemaVersion, command, exitCode, generatedAt, ...body}      a result
 *   {schemaVersion, command, exitCode, generatedAt, error: {...}} an error
 *
 * `exitCode` is the process's exit code (0 ok · 1 failed · 2 usage/config · 3 partial · 4 auth).
 * `schemaVersion` is bumped only when a key is removed or renamed, or a value changes meaning;
 * added keys keep it. The schemas (docs/json/) are generated from ./schemas/ (npm run json-schemas).
 * No zod here: this module is on every command's start-up path.
 */
export const JSON_SCHEMA_VERSION = 1

/** The envelope's keys; a body's own key of the same name is replaced by the envelope's. */
export const ENVELOPE_KEYS = ['schemaVersion', 'command', 'exitCode', 'generatedAt'] as const

export interface Envelope {
  schemaVersion: number
  /** the command as typed, topics separated by a space: "targets", "tsdb status" */
  command: string
  exitCode: number
  /** when the document was produced, RFC 3339 UTC with milliseconds */
  generatedAt: string
}

/** oclif's command id ("tsdb:status") → the command as typed ("tsdb status"). */
export function commandName(id: string | undefined): string {
  return (id ?? 'hydra').split(':').join(' ')
}

/**
 * The document for `body` (a command's report): the envelope first, then the body's own keys.
 * A body that is not a plain object (never the case today) goes under `result`.
 */
export function envelope(command: string, exitCode: number, body: unknown, now: Date = new Date()): Envelope & Record<string, unknown> {
  const head: Envelope = {schemaVersion: JSON_SCHEMA_VERSION, command, exitCode, generatedAt: now.toISOString()}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {...head, result: body}
  const rest: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) if (!(ENVELOPE_KEYS as readonly string[]).includes(k)) rest[k] = v
  return {...head, ...rest}
}
