/** The apps family: the health endpoint of each app of the config (LLM servers, Qdrant, …). Composes only. */
import type {CheckFamily} from '../../model.js'
import {healthCheck} from '../health.js'

export const appsFamily: CheckFamily = {
  name: 'apps',
  kinds: ['health'],
  checks(cfg, probes) {
    const apps = new Set(cfg.apps.map((a) => a.id))
    return probes.filter((p) => apps.has(p.id)).map((p) => healthCheck(cfg, p))
  },
}
