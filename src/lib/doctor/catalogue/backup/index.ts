/** The backup family: the dashboard backup's age and integrity. Composes only. */
import type {CheckFamily} from '../../model.js'
import {dashboardBackupCheck} from './dashboards.js'

export const backupFamily: CheckFamily = {
  name: 'backup',
  kinds: ['backup'],
  checks(cfg) {
    return cfg.backup.dashboards ? [dashboardBackupCheck(cfg.backup.dashboards)] : []
  },
}
