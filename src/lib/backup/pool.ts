/**
 * Run an async function over items with at most `concurrency` in flight. Items are pulled from an
 * (async) iterable as workers free up, so a long listing is never held whole in memory.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : toAsync(items as Iterable<T>)
  let failure: {error: unknown} | undefined
  // one pull at a time: async generators must not be advanced concurrently
  let pulling: Promise<unknown> = Promise.resolve()
  const next = (): Promise<IteratorResult<T>> => {
    const p = pulling.then(() => iterator.next())
    pulling = p.catch(() => undefined)
    return p
  }
  const worker = async (): Promise<void> => {
    while (!failure) {
      let r: IteratorResult<T>
      try {
        r = await next()
      } catch (error) {
        failure ??= {error}
        return
      }
      if (r.done) return
      try {
        await fn(r.value)
      } catch (error) {
        failure ??= {error}
        return
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.floor(concurrency))}, () => worker()))
  if (failure) {
    await iterator.return?.(undefined)
    throw failure.error
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}
