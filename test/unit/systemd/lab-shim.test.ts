/**
 * The lab nodes' `systemctl` (test/lab/systemctl.ts): a bash script that asks the lab's control
 * server over /dev/tcp. Run here against a server that answers the way the control server does,
 * so the lab's unit states reach hydra (and the runbook's commands) byte for byte.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseSystemctlShowUnits} from '../../../src/lib/systemd/show.js'
import {readUnits, shimResponse, systemctl, systemctlShimScript, type SystemctlLab} from '../../lab/systemctl.js'

const lab: SystemctlLab = {
  componentStatus: (name) => (name === 'node-exporter@n1' ? {running: true, pid: 4242} : {running: false, lastExit: {code: 1}}) as ReturnType<SystemctlLab['componentStatus']>,
  stopComponent: async () => ({running: false}) as never,
  startComponent: async () => ({running: true}) as never,
}

function run(script: string, args: string[]): Promise<{stdout: string; stderr: string; code: number | null}> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({stdout, stderr, code}))
  })
}

describe('the lab nodes\' systemctl shim (bash, no curl)', () => {
  let dir: string
  let server: Server
  let shim: string
  const seen: string[][] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hydra-shim-'))
    const state = join(dir, 'systemctl-n1.json')
    writeFileSync(state, JSON.stringify({units: {'prometheus-node-exporter.service': 'node-exporter@n1', 'gpu.service': 'gpu-exporter@n1'}}))
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', async () => {
        const form = new URLSearchParams(body)
        seen.push(form.getAll('a'))
        const text = shimResponse(await systemctl(lab, readUnits(form.get('state')!), form.getAll('a')))
        res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text)})
        res.end(text)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    shim = join(dir, 'systemctl')
    writeFileSync(shim, systemctlShimScript('n1', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state), {mode: 0o755})
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(dir, {recursive: true, force: true})
  })

  it('prints systemctl show for several units as blocks hydra parses, exit 0', async () => {
    const r = await run(shim, ['show', '--no-pager', '-p', 'ActiveState,MainPID', '--', 'prometheus-node-exporter.service', 'gpu.service', 'nope'])
    expect(r).toEqual({stdout: 'ActiveState=active\nMainPID=4242\n\nActiveState=failed\nMainPID=0\n\nActiveState=inactive\nMainPID=0\n', stderr: '', code: 0})
    expect(parseSystemctlShowUnits(r.stdout, 3)?.map((u) => u.activeState)).toEqual(['active', 'failed', 'inactive'])
  })

  it('keeps is-active\'s exit code and stderr, and sends arguments with any characters intact', async () => {
    expect(await run(shim, ['is-active', 'gpu.service'])).toEqual({stdout: 'failed\n', stderr: '', code: 3})
    const odd = ['frob', 'a b&c=d%e+f', 'ü\'"\\']
    const r = await run(shim, odd)
    expect(seen.at(-1)).toEqual(odd)
    expect(r).toEqual({stdout: '', stderr: 'systemctl (hydra lab shim): unsupported command frob\n', code: 1})
  })

  it('says the bus is unreachable when the control server is not there', async () => {
    const gone = join(dir, 'systemctl-gone')
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    writeFileSync(gone, systemctlShimScript('n1', `http://127.0.0.1:${port}`, join(dir, 'systemctl-n1.json')), {mode: 0o755})
    const r = await run(gone, ['is-active', 'gpu.service'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Failed to connect to bus: the lab's control server did not answer/)
  })
})
