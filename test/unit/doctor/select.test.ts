/** --only / --skip over the lab config's catalogue. */
import {describe, expect, it} from 'vitest'

import {buildCatalogue} from '../../../src/lib/doctor/catalogue/index.js'
import {selectChecks} from '../../../src/lib/doctor/select.js'
import {labConfig} from '../../helpers/lab-config.js'

const catalogue = buildCatalogue(labConfig())

describe('selectChecks (--only / --skip)', () => {
  it('--only a node keeps that node, and drops dependencies on checks left out', () => {
    const only = selectChecks(catalogue, {only: ['hydra-compute']})
    expect(only.every((c) => c.node === 'hydra-compute')).toBe(true)
    expect(only.find((c) => c.id === 'target:hydra-compute/node')!.dependsOn).toEqual(['fetch:hydra-compute/node'])
  })
  it('--only a kind, --skip a service', () => {
    expect(selectChecks(catalogue, {only: ['firewall']}).map((c) => c.kind)).toEqual(Array(6).fill('firewall'))
    const skipped = selectChecks(catalogue, {skip: ['grafana', 'ssh']})
    expect(skipped.some((c) => c.service === 'grafana' || c.kind === 'ssh')).toBe(false)
    expect(skipped.find((c) => c.id === 'exporter:hydra-ai/node')!.dependsOn).toEqual([])
    expect(skipped.find((c) => c.id === 'health:tabbyapi')!.reachability).toBeUndefined()
  })
  it('an unknown selector is a usage error listing what exists', () => {
    expect(() => selectChecks(catalogue, {only: ['hydra-nope']})).toThrow(/names no check, node, service or check kind/)
    // toThrow with an object asserts the thrown error's fields: it fails when nothing throws
    expect(() => selectChecks(catalogue, {skip: ['nope']})).toThrow(expect.objectContaining({exitCode: 2, code: 'unknown_check_selector', hint: expect.stringContaining('hydra-compute')}))
  })
  it('a kind no check of this config has is still a valid selector', () => {
    expect(selectChecks(catalogue, {only: ['logdriver'], skip: ['auth']}).map((c) => c.id)).toEqual(['logdriver:tabbyapi'])
  })
})

