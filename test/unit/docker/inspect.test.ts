import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {isNoSuchContainer, parseContainerNames, parseContainerStateText, parseDockerInspect} from '../../../src/lib/docker/inspect.js'

const fx = (f: string) => readFileSync(join(import.meta.dirname, '../../fixtures/docker', f), 'utf8')

describe('docker output captured from the lab dockerd', () => {
  it('inspect → name, state and LogConfig of each container', () => {
    const cs = parseDockerInspect(fx('inspect-lab.json'))
    expect(cs.map((c) => `${c.name} ${c.logDriver}`)).toEqual(['tabbyapi json-file', 'loki json-file', 'cadvisor local', 'qdrant syslog', 'litellm none'])
    expect(cs[3]!.logOptions).toEqual({'syslog-address': 'udp://127.0.0.1:514', tag: 'qdrant'})
    expect(cs[0]!.state.running).toBe(true)
    expect(cs[0]!.image).toBe('hydra-lab/busybox')
  })
  it('State JSON, running and exited', () => {
    expect(parseContainerStateText(fx('state-running.json'))).toMatchObject({status: 'running', running: true})
    expect(parseContainerStateText(fx('state-exited.json'))).toMatchObject({status: 'exited', running: false, exitCode: 137})
    expect(() => parseContainerStateText('nope')).toThrow(/not JSON/)
  })
  it('names and the missing-container error', () => {
    expect(parseContainerNames(fx('ps-names.txt')).sort()).toEqual(['cadvisor', 'litellm', 'loki', 'qdrant', 'tabbyapi'])
    expect(isNoSuchContainer(fx('no-such-container.stderr.txt'))).toBe(true)
    expect(isNoSuchContainer('Error response from daemon: No such container: x')).toBe(true)
  })
})
