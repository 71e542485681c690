/**
 * The log driver of one named container (doctor's logdriver check) is read with one docker CLI run
 * on the node, `docker inspect --type container -- NAME`, as the runbook does: no `docker ps` first.
 */
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {scriptedSsh, type ScriptedAnswer} from '../../helpers/scripted-ssh.js'

import {resolveConfig} from '../../../src/lib/config/resolve.js'
import {checkLogDrivers} from '../../../src/lib/docker/logdriver.js'

const cfg = resolveConfig(
  parse(`
nodes:
  hydra-ai: {address: 127.0.0.4}
services:
  prometheus: {node: hydra-ai, port: 9090}
logs: {lokiDriverExpected: [tabbyapi]}
`),
)
// the shape of docker 28.2's `docker inspect --type container` (the lab's docker.io); a missing one prints [] and the daemon's error, exit 1
const inspect = (name: string, driver: string) => JSON.stringify([{Id: 'abc123', Name: `/${name}`, Config: {Image: 'x'}, State: {Status: 'running', Running: true}, HostConfig: {LogConfig: {Type: driver, Config: {}}}}])

const scripted = (answers: Record<string, ScriptedAnswer>) => scriptedSsh(cfg, cfg.nodes[0]!, answers)

describe('checkLogDrivers for one named container', () => {
  it('inspects it by name, once, and judges its driver', async () => {
    const {sent, pool} = scripted({"docker inspect --type container -- 'tabbyapi'": [inspect('tabbyapi', 'json-file'), 0]})
    const report = await checkLogDrivers(cfg, {pool, container: 'tabbyapi'})
    expect(sent).toEqual(["docker inspect --type container -- 'tabbyapi'"])
    expect(report.rows).toMatchObject([{node: 'hydra-ai', container: 'tabbyapi', driver: 'json-file', lokiExpected: true, ok: false}])
    expect(report.exitCode).toBe(1)
  })

  it('a missing container is container_not_found, and a name docker matched to another container is not taken for it', async () => {
    const missing = scripted({"docker inspect --type container -- 'tabbyapi'": ['[]\n', 1, 'Error response from daemon: No such container: tabbyapi']})
    await expect(checkLogDrivers(cfg, {pool: missing.pool, container: 'tabbyapi'})).rejects.toMatchObject({code: 'container_not_found'})
    const other = scripted({"docker inspect --type container -- 'tabbyapi'": [inspect('something-else', 'loki'), 0]})
    await expect(checkLogDrivers(cfg, {pool: other.pool, container: 'tabbyapi'})).rejects.toMatchObject({code: 'container_not_found'})
  })

  it('another docker failure is the node\'s error, not a missing container', async () => {
    const {pool} = scripted({"docker inspect --type container -- 'tabbyapi'": ['', 1, 'permission denied while trying to connect to the Docker daemon socket']})
    const report = await checkLogDrivers(cfg, {pool, container: 'tabbyapi'})
    expect(report.rows).toEqual([])
    expect(report.errors[0]).toMatchObject({node: 'hydra-ai'})
    expect(report.errors[0]!.message).toMatch(/permission denied/)
  })
})
