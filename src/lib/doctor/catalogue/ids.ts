/**
 * The id scheme: `<kind>:<subject>`. Checks of one family name checks of another only through
 * these functions, so a dependency is data that cannot drift from the id it points at.
 */
import type {ResolvedExporter} from '../../config/resolve.js'

export const sshCheckId = (node: string) => `ssh:${node}`
export const exporterCheckId = (e: ResolvedExporter) => `exporter:${e.id}`
export const firewallCheckId = (e: ResolvedExporter) => `firewall:${e.id}`
export const fetchCheckId = (e: ResolvedExporter) => `fetch:${e.id}`
export const targetCheckId = (e: ResolvedExporter) => `target:${e.id}`
export const healthCheckId = (probeId: string) => `health:${probeId}`
export const logdriverCheckId = (container: string) => `logdriver:${container}`
