import {describe, expect, it} from 'vitest'

import {parseConfigText} from '../../../src/lib/config/loader.js'
import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {ConfigError} from '../../../src/lib/errors.js'

const base = (prom: string) => `cluster: t
nodes:
  a: {address: 127.0.0.2}
services:
  prometheus:
${prom}
`

describe('services.*.pathPrefix', () => {
  it('with node and port: the prefix is part of the base URL', () => {
    const config = resolveConfig(parseConfigText(base('    node: a\n    port: 8428\n    pathPrefix: /vm'), '/etc/hydra.yaml'))
    expect(config.prometheus.baseUrl).toBe('http://127.0.0.2:8428/vm')
  })

  it('with url: refused at validation (exit 2, line:col), never silently dropped', () => {
    const text = base('    url: http://127.0.0.2:8428\n    pathPrefix: /vm')
    try {
      parseConfigText(text, '/etc/hydra.yaml')
      throw new Error('expected a ConfigError')
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const e = error as ConfigError
      expect(e.exitCode).toBe(2)
      expect(e.problems[0]).toMatchObject({keyPath: 'services.prometheus.pathPrefix', line: 7, col: 17})
      expect(e.problems[0]!.message).toMatch(/write the path in the url itself/)
    }
  })
})
