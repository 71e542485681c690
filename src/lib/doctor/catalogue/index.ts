/**
 * The catalogue: every check of the runbook the config calls for, family by family, in display
 * order (nodes first, then services). Each family lives in its own folder, one file per check and
 * an index that composes them; this file only lists the families.
 *
 * Chains are expressed with `dependsOn` (check ids, see ids.ts), so a broken link fails once and
 * the links after it are skipped because of it: a stopped unit is one problem, not three.
 */
import type {HydraConfig} from '../../config/resolve.js'
import {buildProbes} from '../../health/probes.js'
import type {Check, CheckFamily, CheckKind} from '../model.js'
import {alertmanagerFamily} from './alertmanager/index.js'
import {appsFamily} from './apps/index.js'
import {backupFamily} from './backup/index.js'
import {grafanaFamily} from './grafana/index.js'
import {lokiFamily} from './loki/index.js'
import {nodeFamily} from './node/index.js'
import {prometheusFamily} from './prometheus/index.js'

export const FAMILIES: readonly CheckFamily[] = [nodeFamily, prometheusFamily, grafanaFamily, backupFamily, lokiFamily, alertmanagerFamily, appsFamily]

/** Every kind `--only`/`--skip` accept, whether or not this config has such a check. */
export const CHECK_KINDS: readonly CheckKind[] = [...new Set(FAMILIES.flatMap((f) => f.kinds))]

export function buildCatalogue(cfg: HydraConfig): Check[] {
  const probes = buildProbes(cfg)
  return FAMILIES.flatMap((f) => f.checks(cfg, probes))
}
