import {describe, expect, it} from 'vitest'

import {EMBEDDED, loadConfig} from '../../../src/lib/config/loader.js'
import {configShowReport, validateConfig} from '../../../src/lib/config/report.js'
import {renderConfigShow, renderConfigValidate} from '../../../src/lib/output/config-render.js'
import {makeStyler} from '../../../src/lib/output/terminal.js'

const style = makeStyler(false)
// the embedded default, read from memory only: nothing here talks to its addresses
const embedded = () => loadConfig({flag: undefined, env: {}, cwd: '/nonexistent', home: '/nonexistent'})

describe('renderConfigShow', () => {
  it('the source as a comment, the config as YAML, then the assumptions the embedded default makes', () => {
    const report = configShowReport(embedded())
    expect(report.source).toEqual({kind: 'default', path: EMBEDDED})
    expect(report.endpoints.map((e) => e.id)).toContain('prometheus')
    const lines = renderConfigShow(report, {style}).split('\n')
    expect(lines[0]).toBe(`# source: ${EMBEDDED}`)
    expect(lines).toContain('# assumptions the embedded default makes (the runbook does not say):')
    expect(lines.at(-1)).toBe(`#  - ${report.assumptions.at(-1)}`)
  })

  it("a user's file: its path and how it was found, no assumptions; the comment dimmed on a colour terminal", () => {
    const report = {...configShowReport(embedded()), source: {kind: 'flag' as const, path: '/etc/hydra.yaml'}, assumptions: []}
    const text = renderConfigShow(report, {style: makeStyler(true)})
    expect(text.split('\n')[0]).toBe('\u001B[2m# source: /etc/hydra.yaml (flag)\u001B[22m')
    expect(text).not.toContain('# assumptions')
  })
})

describe('renderConfigValidate', () => {
  it('valid, the file and what it holds', () => {
    const report = validateConfig(undefined, embedded)
    expect(renderConfigValidate(report, {style})).toBe(`valid: ${EMBEDDED} (${report.nodes} nodes, ${report.exporters} exporters, ${report.services} services, ${report.apps} apps)`)
  })
})
