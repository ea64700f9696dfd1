const inFlight = new WeakMap<object, Map<string, Promise<unknown>>>()

/**
 * A read that concurrent requests share: while one read of `key` is in flight on this database, later callers get
 * its answer instead of sending their own. Nothing is kept once it settles, so an answer is never older than the
 * read that was already running when the caller asked (one round trip). Only for callers that decide nothing
 * final on it: a registration checks its event again under the event row's lock. The answer is one object for
 * every caller: frozen, so that no caller can change what the others see.
 */
export function sharedRead<T extends object | undefined>(db: object, key: string, read: () => Promise<T>): Promise<T> {
  let reads = inFlight.get(db)
  if (!reads) inFlight.set(db, (reads = new Map()))
  const running = reads.get(key) as Promise<T> | undefined
  if (running) return running
  const started = read().then((value) => (value === undefined ? value : Object.freeze(value)))
  reads.set(key, started)
  const forget = () => {
    if (reads.get(key) === started) reads.delete(key)
  }
  started.then(forget, forget)
  return started
}
