/** `hydra config scrape --diff` for a person. Pure. */
import type {ScrapeDrift, ScrapeTarget} from './scrape-drift.js'

export function renderScrapeDrift(drift: ScrapeDrift): string {
  const t = (x: ScrapeTarget) => `${x.job} ${x.target}${x.metricsPath === '/metrics' ? '' : x.metricsPath}`
  const out: string[] = []
  if (drift.inSync) out.push(`in sync: Prometheus ${drift.prometheus} scrapes every target of the config, and no other`)
  for (const x of drift.missingFromPrometheus) out.push(`missing from Prometheus (in the config): ${t(x)}`)
  for (const x of drift.missingFromConfig) out.push(`missing from the config (scraped by Prometheus): ${t(x)}`)
  for (const c of drift.changed) out.push(`differs: ${c.job} ${c.target}: config ${c.expected}, Prometheus ${c.live}`)
  if (drift.dynamicJobs.length > 0) out.push(`not compared (service discovery): ${drift.dynamicJobs.join(', ')}`)
  if (!drift.inSync) out.push('next: hydra config scrape --full > prometheus.yml, review, copy to the Prometheus host and reload it')
  return out.join('\n')
}
