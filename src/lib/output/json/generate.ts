/**
 * docs/json/<command>.schema.json, generated from the zod schemas in ./schemas/ (JSON Schema
 * draft 2020-12). `npm run json-schemas` writes them; a unit test fails when a checked-in file
 * differs from what this generates.
 */
import {z} from 'zod'

import {DOCUMENT_SCHEMAS, schemaFileName} from './schemas/index.js'
import {compareCodePoints} from '../../order.js'

/** file name → file text, for every command with --json */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (const [command, schema] of Object.entries(DOCUMENT_SCHEMAS).sort(([a], [b]) => compareCodePoints(a, b))) {
    files[schemaFileName(command)] = JSON.stringify(z.toJSONSchema(schema, {target: 'draft-2020-12', io: 'output'}), null, 2) + '\n'
  }
  return files
}
