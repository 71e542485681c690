/** The Grafana family: its health, whether it accepts hydra's credentials, then its data sources, expected dashboards and panels. Composes only. */
import type {CheckFamily} from '../../model.js'
import {serviceHealth} from '../health.js'
import {grafanaAuthCheck} from './auth.js'
import {expectedDashboardsCheck} from './dashboards.js'
import {datasourcesCheck} from './datasources.js'
import {brokenPanelsCheck} from './panels.js'

export const grafanaFamily: CheckFamily = {
  name: 'grafana',
  kinds: ['health', 'auth', 'datasources', 'dashboards', 'panels'],
  checks(cfg, probes) {
    if (!cfg.grafana) return serviceHealth(cfg, probes, 'grafana')
    return [
      ...serviceHealth(cfg, probes, 'grafana'),
      grafanaAuthCheck(cfg.grafana),
      datasourcesCheck(cfg),
      ...(cfg.grafana.expectedDashboards.length > 0 ? [expectedDashboardsCheck(cfg)] : []),
      brokenPanelsCheck(cfg),
    ]
  },
}
