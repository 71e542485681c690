/**
 * vitest globalSetup for the integration tests: starts the test lab once, hands its addresses to
 * the tests through `inject('lab')`, and stops it afterwards. If the lab cannot start, this THROWS:
 * integration tests fail, they never skip.
 */
import type {TestProject} from 'vitest/node'

import {assertIsolatedNetns, startLab} from './lab.js'
import type {LabVictoria} from './victoria.js'

export interface ProvidedLab {
  configPath: string
  controlUrl: string
  stateDir: string
  /** VictoriaMetrics (+ vmalert) configs and URLs, for suites that run hydra against it */
  victoria: LabVictoria
}

declare module 'vitest' {
  export interface ProvidedContext {
    lab: ProvidedLab
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertIsolatedNetns()
  const verbose = process.env.HYDRA_LAB_VERBOSE === '1'
  const started = Date.now()
  const lab = await startLab({log: verbose ? (line) => process.stderr.write(`${line}\n`) : undefined})
  process.stderr.write(`hydra test lab up in ${Date.now() - started}ms (state ${lab.stateDir}, control ${lab.controlUrl})\n`)
  project.provide('lab', {configPath: lab.configPath, controlUrl: lab.controlUrl, stateDir: lab.stateDir, victoria: {configPath: lab.victoria.configPath, bareConfigPath: lab.victoria.bareConfigPath, url: lab.victoria.url, vmalertUrl: lab.victoria.vmalertUrl, bareUrl: lab.victoria.bareUrl, vmalertRulesDir: lab.victoria.vmalertRulesDir}})
  return async () => {
    await lab.stop()
  }
}
