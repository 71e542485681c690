/** The Grafana family: its health, then whether it accepts hydra's credentials. Composes only. */
import type {CheckFamily} from '../../model.js'
import {serviceHealth} from '../health.js'
import {grafanaAuthCheck} from './auth.js'

export const grafanaFamily: CheckFamily = {
  name: 'grafana',
  kinds: ['health', 'auth'],
  checks(cfg, probes) {
    return [...serviceHealth(cfg, probes, 'grafana'), ...(cfg.grafana ? [grafanaAuthCheck(cfg.grafana)] : [])]
  },
}
