/**
 * One exec session for several commands (src/lib/ssh/batch.ts): the script, run here by the
 * machine's own /bin/sh (dash, as on the lab nodes), and the parser, on a capture of the script's
 * real output from a lab node (test/fixtures/ssh/batch-hydra-compute.*).
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BatchParser, buildBatchScript, type SectionResult} from '../../../src/lib/ssh/batch.js'
import {remoteCommands} from '../../../src/lib/ssh/commands.js'
import {shellQuote} from '../../../src/lib/ssh/shell.js'
import {parseSystemctlShow} from '../../../src/lib/systemd/show.js'
import {parseIptablesS} from '../../../src/lib/firewall/iptables.js'

const FIX = join(import.meta.dirname, '../../fixtures/ssh')
const NONCE = '0123456789abcdef0123456789abcdef'
const scratch = mkdtempSync(join(tmpdir(), 'hydra-batch-test-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** Run the script with sh -s, as the node does; parse its whole output, fed in small chunks. */
function runScript(lines: string[], chunk = 5): {sections: Map<number, SectionResult>; order: number[]} {
  const r = spawnSync('sh', ['-s'], {input: buildBatchScript(NONCE, lines.map((line) => ({line}))), timeout: 10_000})
  const parser = new BatchParser(NONCE, 1 << 20)
  const done: SectionResult[] = []
  for (let i = 0; i < r.stdout.length; i += chunk) done.push(...parser.push(r.stdout.subarray(i, i + chunk)))
  expect(parser.ready).toBe(true)
  return {sections: new Map(done.map((s) => [s.index, s])), order: done.map((s) => s.index)}
}

describe('buildBatchScript: values reach the node as data, never as code', () => {
  const canary = join(scratch, 'pwned')
  const hostile = [
    "it's",
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `a\nb; touch ${canary}`,
    `"; touch ${canary}; echo "`,
    `'; touch ${canary}; echo '`,
    '\\$HOME %s %n',
    `${NONCE} . \n${NONCE} 0 0`,
  ]

  it.each(hostile)('printf of %j prints exactly that value, and nothing runs', (value) => {
    const {sections} = runScript([`printf '%s' ${shellQuote(value)}`, 'echo second'])
    expect(sections.get(0)!.stdout.toString()).toBe(value)
    expect(sections.get(0)!.status).toBe(0)
    expect(sections.get(1)!.stdout.toString()).toBe('second\n')
    expect(existsSync(canary)).toBe(false)
  })

  it('a command line with quotes, a newline and $() runs as that one line, in its own section', () => {
    const {sections} = runScript([`echo 'a'"b"; echo "$(echo c)"\necho d`, 'echo e'])
    expect(sections.get(0)!.stdout.toString()).toBe('ab\nc\nd\n')
    expect(sections.get(1)!.stdout.toString()).toBe('e\n')
  })

  it('the real templates with their quoted values (unit, container) survive the second quoting intact', () => {
    const script = buildBatchScript(NONCE, [remoteCommands.systemdUnitState('prometheus-node-exporter.service'), remoteCommands.containerState('loki')])
    expect(script).toContain(`(eval ${shellQuote(remoteCommands.systemdUnitState('prometheus-node-exporter.service').line)}) </dev/null`)
  })

  it('refuses a nonce that is not 32 hex digits (it is the frame mark)', () => {
    expect(() => buildBatchScript("x'; rm -rf /; '", [{line: 'true'}])).toThrow(/32 lowercase hex/)
    expect(() => new BatchParser('short', 10)).toThrow(/32 lowercase hex/)
  })
})

describe('each section keeps its own stdout, stderr and exit status', () => {
  it('a missing command (127), a failing one, an exit in the line and a silent one do not spoil the others', () => {
    const {sections} = runScript(['no-such-command-hydra', 'echo out; echo err >&2; exit 3', 'exit 7', 'true', 'printf "no newline"', 'cat'])
    expect(sections.size).toBe(6)
    expect(sections.get(0)).toMatchObject({status: 127})
    expect(sections.get(0)!.stderr.toString()).toMatch(/no-such-command-hydra: not found/)
    expect(sections.get(1)!.stdout.toString()).toBe('out\n')
    expect(sections.get(1)!.stderr.toString()).toBe('err\n')
    expect(sections.get(1)!.status).toBe(3)
    expect(sections.get(2)!.status).toBe(7)
    expect(sections.get(3)).toMatchObject({status: 0})
    expect(sections.get(3)!.stdout.length + sections.get(3)!.stderr.length).toBe(0)
    expect(sections.get(4)!.stdout.toString()).toBe('no newline')
    // stdin is /dev/null: a command reading it cannot eat the script
    expect(sections.get(5)!.stdout.toString()).toBe('')
  })

  it('sections are printed as they finish: a slow one does not hold back a fast one', () => {
    const {order} = runScript(['sleep 0.4; echo slow', 'echo fast'])
    expect(order).toEqual([1, 0])
  })

  it('a hung section: the others arrive at once, and a TERM to the session ends the hung command on the node', async () => {
    // bounded, so a failing run leaves nothing behind for long
    const marker = `20.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}25`
    const child = spawn('sh', ['-s'], {detached: true, stdio: ['pipe', 'pipe', 'ignore']})
    const parser = new BatchParser(NONCE, 1 << 20)
    const got: number[] = []
    const fast = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        got.push(...parser.push(d).map((s) => s.index))
        if (got.length === 2) resolve()
      }),
    )
    child.stdin.end(buildBatchScript(NONCE, [{line: `sleep ${marker}`}, {line: 'echo a'}, {line: 'echo b'}]))
    await fast
    expect(got.sort()).toEqual([1, 2])
    const running = () => spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status === 0
    expect(running()).toBe(true)
    const closed = new Promise((resolve) => child.on('close', resolve))
    // as sshd delivers a session signal: killpg, to the session's whole process group
    process.kill(-child.pid!, 'SIGTERM')
    await closed
    await new Promise((r) => setTimeout(r, 200))
    expect(running()).toBe(false)
  })
})

describe('BatchParser on the real output of a lab node', () => {
  const meta = JSON.parse(readFileSync(join(FIX, 'batch-hydra-compute.json'), 'utf8')) as {nonce: string; lines: string[]}
  const raw = readFileSync(join(FIX, 'batch-hydra-compute.out'))
  const parse = (chunk: number, prefix = '') => {
    const p = new BatchParser(meta.nonce, 1 << 20)
    const out: SectionResult[] = [...p.push(Buffer.from(prefix))]
    for (let i = 0; i < raw.length; i += chunk) out.push(...p.push(raw.subarray(i, i + chunk)))
    return new Map(out.map((s) => [s.index, s]))
  }

  it('gives every section back, with what each command printed and its status', () => {
    const s = parse(4096)
    expect([...s.keys()].sort((a, b) => a - b)).toEqual(meta.lines.map((_, i) => i))
    expect(parseSystemctlShow(s.get(0)!.stdout.toString())).toMatchObject({activeState: 'active', subState: 'running'})
    expect(s.get(3)!.stdout.toString()).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.3 22\n$/)
    expect(s.get(4)!.stdout.toString()).toBe('iptables v1.8.9 (nf_tables)\n')
    expect(parseIptablesS(s.get(5)!.stdout.toString()).chains.size).toBeGreaterThan(0)
    expect(JSON.parse(s.get(6)!.stdout.toString())).toHaveProperty('nftables')
    // a failing and a missing command: their own status and stderr, nothing else disturbed
    expect(s.get(7)!.status).not.toBe(0)
    expect(s.get(7)!.stderr.toString()).toMatch(/No such (object|container)/i)
    expect(s.get(8)).toMatchObject({status: 127})
    expect(s.get(8)!.stderr.toString()).toMatch(/no-such-tool: not found/)
  })

  it('the same sections whatever the chunking, and a chatty rc file before the script is skipped', () => {
    const whole = parse(1 << 20)
    for (const chunk of [1, 7, 100]) {
      const s = parse(chunk, 'Welcome to the node\nconda activated\n')
      expect([...s.entries()].map(([i, x]) => [i, x.status, x.stdout.toString(), x.stderr.toString()])).toEqual(
        [...whole.entries()].map(([i, x]) => [i, x.status, x.stdout.toString(), x.stderr.toString()]),
      )
    }
  })

  it('a section over the cap is reported tooLong and not buffered; a forged header is refused', () => {
    const p = new BatchParser(meta.nonce, 200)
    const out = p.push(raw)
    const nft = out.find((s) => s.index === 6)!
    expect(nft.tooLong).toBe(true)
    expect(nft.stdout.length).toBe(0)
    expect(out.find((s) => s.index === 4)!.stdout.toString()).toBe('iptables v1.8.9 (nf_tables)\n')
    const q = new BatchParser(NONCE, 100)
    expect(() => q.push(Buffer.from(`${NONCE} ready\nffffffffffffffffffffffffffffffff 0 0\n`))).toThrow(/malformed batch frame header/)
  })

  it('a node where the script cannot start says so (no temporary directory)', () => {
    const p = new BatchParser(NONCE, 100)
    expect(p.push(Buffer.from(`${NONCE} nostart\n`))).toEqual([])
    expect(p.failed).toBe(true)
    expect(p.ready).toBe(false)
  })
})
