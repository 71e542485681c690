/** Bodies of config *, and version. */
import {z} from './common.js'

export const configShow = z.object({
  source: z.object({kind: z.enum(['flag', 'env', 'cwd', 'user', 'default']), path: z.string()}),
  config: z.record(z.string(), z.unknown()).describe('the config as written (README "Configuration" documents its keys)'),
  endpoints: z.array(z.object({id: z.string(), url: z.string(), required: z.boolean(), timeoutMs: z.number()})),
  assumptions: z.array(z.string()).describe("what the embedded default assumes (empty for a user's file)"),
})

export const configValidate = z.object({
  valid: z.literal(true).describe('an invalid config is the error document (exit code 2)'),
  file: z.string(),
  nodes: z.number().int(),
  exporters: z.number().int(),
  services: z.number().int(),
  apps: z.number().int(),
})

export const configInit = z.object({written: z.string().describe('the absolute path written')})

export const version = z.object({
  version: z.string(),
  commit: z.string(),
  dirty: z.boolean().describe('the working tree had uncommitted changes when it was built'),
  builtAt: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
})
