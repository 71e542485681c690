/** The Alertmanager family: its health. Composes only. */
import type {CheckFamily} from '../../model.js'
import {serviceHealth} from '../health.js'

export const alertmanagerFamily: CheckFamily = {
  name: 'alertmanager',
  kinds: ['health'],
  checks(cfg, probes) {
    return serviceHealth(cfg, probes, 'alertmanager')
  },
}
