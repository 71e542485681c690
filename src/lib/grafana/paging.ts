/**
 * Paging over Grafana's legacy list endpoints (api-facts.md §2): `limit` is the page size,
 * `page` is 1-based, and the last page is the first one shorter than `limit`. Pure logic, so the
 * rules (and the guards against a server that ignores `page`) are unit-tested without a server.
 */

/** Grafana's cap for /api/search `limit`; above it the server answers 422. */
export const GRAFANA_SEARCH_MAX_LIMIT = 5000
/** Grafana's default page size when no `limit` is given. */
export const GRAFANA_DEFAULT_LIMIT = 1000
/** No honest listing needs more pages than this; a server that never returns a short page is broken. */
const MAX_PAGES = 100_000

export type FetchPage<T> = (page: number, limit: number) => Promise<T[]>

export interface PagingOptions<T> {
  /** page size; clamped to 1..GRAFANA_SEARCH_MAX_LIMIT */
  limit: number
  /** identity of an item, to drop repeats across pages (items move while we page) */
  keyOf: (item: T) => string
}

/** Clamp a requested page size to what Grafana accepts. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit) || limit < 1) return GRAFANA_DEFAULT_LIMIT
  return Math.min(Math.floor(limit), GRAFANA_SEARCH_MAX_LIMIT)
}

/**
 * Yield every item of a paged listing, page after page, until a short page. Items already seen
 * are skipped. A full page that brings nothing new means the server ignores `page` (it would
 * otherwise loop for ever), so paging stops there.
 */
export async function* pageAll<T>(fetchPage: FetchPage<T>, options: PagingOptions<T>): AsyncGenerator<T> {
  const limit = clampLimit(options.limit)
  const seen = new Set<string>()
  for (let page = 1; page <= MAX_PAGES; page++) {
    const items = await fetchPage(page, limit)
    let fresh = 0
    for (const item of items) {
      const key = options.keyOf(item)
      if (seen.has(key)) continue
      seen.add(key)
      fresh++
      yield item
    }
    if (items.length < limit || fresh === 0) return
  }
}

/** Collect a paged listing into an array (for small listings such as folders). */
export async function collectAll<T>(fetchPage: FetchPage<T>, options: PagingOptions<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of pageAll(fetchPage, options)) out.push(item)
  return out
}
