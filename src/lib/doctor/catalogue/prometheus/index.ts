/** The Prometheus family: its health, then its targets, retention, rules, alerts and config reload. Composes only. */
import type {CheckFamily} from '../../model.js'
import {serviceHealth} from '../health.js'
import {alertsCheck} from './alerts.js'
import {configReloadCheck} from './config.js'
import {retentionCheck} from './retention.js'
import {rulesCheck} from './rules.js'
import {targetsCheck} from './targets.js'

export const prometheusFamily: CheckFamily = {
  name: 'prometheus',
  kinds: ['health', 'targets', 'retention', 'rules', 'alerts', 'config'],
  checks(cfg, probes) {
    const health = serviceHealth(cfg, probes, 'prometheus')
    if (health.length === 0) return []
    return [...health, targetsCheck(cfg), retentionCheck(cfg), rulesCheck(cfg), alertsCheck(cfg), configReloadCheck(cfg)]
  },
}
