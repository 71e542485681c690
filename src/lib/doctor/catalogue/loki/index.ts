/**
 * The Loki family: its health, the canary round trip when logs.canary is on, then per container
 * expected on Loki (logs.lokiDriverExpected) its log driver and, when the config has Loki, its
 * recent lines. Composes only.
 */
import type {Check, CheckFamily} from '../../model.js'
import {serviceHealth} from '../health.js'
import {canaryCheck} from './canary.js'
import {logdriverCheck} from './logdriver.js'
import {recentLogsCheck} from './logs.js'

export const lokiFamily: CheckFamily = {
  name: 'loki',
  kinds: ['health', 'canary', 'logs', 'logdriver'],
  checks(cfg, probes) {
    const checks: Check[] = serviceHealth(cfg, probes, 'loki')
    if (cfg.loki && cfg.logs.canary) checks.push(canaryCheck(cfg.loki))
    for (const container of cfg.logs.lokiDriverExpected) {
      checks.push(logdriverCheck(cfg, container))
      if (cfg.loki) checks.push(recentLogsCheck(cfg, cfg.loki, container))
    }
    return checks
  },
}
