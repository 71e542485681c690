import {describe, expect, it} from 'vitest'

import {withNodeArg} from '../../../src/flags.js'
import {nodeOfSeries, selectNodes} from '../../../src/lib/config/nodes.js'
import {UserError} from '../../../src/lib/errors.js'
import {labConfig} from '../../helpers/lab-config.js'

const cfg = labConfig()
const names = cfg.nodes.map((n) => n.name)

describe('selectNodes: the one node selection (--node NAME, repeatable)', () => {
  it('is every node when none is named', () => {
    expect(names.length).toBeGreaterThan(1)
    expect(selectNodes(cfg, undefined).map((n) => n.name)).toEqual(names)
    expect(selectNodes(cfg, []).map((n) => n.name)).toEqual(names)
  })

  it('is the nodes named, in the order given, each once', () => {
    const [a, b] = [names.at(-1)!, names[0]!]
    expect(selectNodes(cfg, [a, b, a]).map((n) => n.name)).toEqual([a, b])
  })

  it('refuses an unknown name with exit 2, naming every unknown one and listing the known ones', () => {
    let caught: unknown
    try {
      selectNodes(cfg, [names[0]!, 'nope', 'nada'])
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UserError)
    const e = caught as UserError
    expect(e.exitCode).toBe(2)
    expect(e.code).toBe('unknown_node')
    expect(e.message).toBe('no node named "nope", "nada" in the config')
    expect(e.hint).toBe(`known nodes: ${names.join(', ')}`)
  })
})

describe('withNodeArg: the positional NODE is a shorthand for --node NODE', () => {
  it('puts the positional first, then every --node; nothing given is undefined (every node)', () => {
    expect(withNodeArg('a', ['b', 'c'])).toEqual(['a', 'b', 'c'])
    expect(withNodeArg(undefined, ['b'])).toEqual(['b'])
    expect(withNodeArg('a', undefined)).toEqual(['a'])
    expect(withNodeArg(undefined, undefined)).toBeUndefined()
    expect(withNodeArg(undefined, [])).toBeUndefined()
  })
})

describe('nodeOfSeries', () => {
  it('takes a node label the config knows, else matches the instance to a node address', () => {
    const node = cfg.nodes[0]!
    expect(nodeOfSeries(cfg, {node: node.name})).toBe(node.name)
    expect(nodeOfSeries(cfg, {instance: `${node.address}:9100`})).toBe(node.name)
    expect(nodeOfSeries(cfg, {node: 'elsewhere', instance: '203.0.113.9:9100'})).toBe('elsewhere')
    expect(nodeOfSeries(cfg, {})).toBeUndefined()
  })
})
