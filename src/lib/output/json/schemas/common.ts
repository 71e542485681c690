/**
 * Pieces every command's JSON schema shares: the envelope, the error object, and small shapes
 * (backends, hints, per-node errors). Objects are closed (`additionalProperties: false` in the
 * emitted JSON Schema): the schema documents every key hydra prints, and the lab test fails on an
 * undocumented one. Consumers should still ignore keys they do not know (README "JSON output").
 */
import {z} from 'zod'

import {JSON_SCHEMA_VERSION} from '../envelope.js'

export {z}

/** 0 ok · 1 unhealthy/failed · 2 usage/config/bad PromQL · 3 partial · 4 auth refused */
export const exitCode = z.literal([0, 1, 2, 3, 4]).describe('0 ok, 1 unhealthy or failed, 2 bad usage or config, 3 partial, 4 authentication refused')

export const envelopeShape = {
  schemaVersion: z.literal(JSON_SCHEMA_VERSION).describe('the version of this document shape: bumped when a key is removed or renamed, kept when keys are added'),
  command: z.string().describe('the command as typed, e.g. "tsdb status"'),
  exitCode: exitCode.describe("the process's exit code: 0 ok, 1 unhealthy or failed, 2 bad usage or config, 3 partial, 4 authentication refused"),
  generatedAt: z.iso.datetime().describe('when the document was produced (RFC 3339, UTC)'),
}

export const errorObject = z
  .object({
    code: z.string().describe('a stable machine-readable error code, e.g. config_invalid, usage, timeout'),
    message: z.string(),
    hint: z.string().optional().describe('what to do about it'),
    exitCode,
    details: z.record(z.string(), z.unknown()).optional().describe('error-specific data'),
  })
  .describe('what went wrong')

/**
 * A command's document: its result (envelope + body; a command whose body has more than one form,
 * e.g. `config scrape` with and without --diff, gives each) or, when it failed as a whole, the
 * error document.
 */
export function documentSchema(command: string, body: z.ZodObject | z.ZodObject[], description: string) {
  const bodies = Array.isArray(body) ? body : [body]
  const results = bodies.map((b) => z.object({...envelopeShape, command: z.literal(command), ...b.shape}).describe(b.description ?? `hydra ${command} --json: the result`))
  const error = z.object({...envelopeShape, command: z.literal(command), error: errorObject}).describe(`hydra ${command} --json: the error document (exit code 1, 2 or 4)`)
  return z.union([...results, error]).meta({title: `hydra ${command} --json`, description})
}

/** Under --textfile, a textfile that cannot be written is reported in the result document (exit 2). */
export const textfileError = {error: errorObject.optional().describe('the --textfile could not be written (exit code 2)')}

export const labels = z.record(z.string(), z.string())
export const backendKind = z.enum(['prometheus', 'victoriametrics', 'thanos', 'mimir', 'unknown'])
export const backendRef = z.object({kind: backendKind, name: z.string()}).describe('the Prometheus-compatible server that answered')
export const problemHint = z.object({message: z.string(), hint: z.string()})
/** A failure on one node (SSH or command), kept per node so the others still report. */
export const nodeError = z.object({code: z.string(), failure: z.string(), message: z.string(), hint: z.string().optional()})
/** JSON prints NaN and ±Inf as null. */
export const sampleValue = z.number().nullable().describe('null when the server returned NaN or ±Inf')
