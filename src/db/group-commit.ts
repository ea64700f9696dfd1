/**
 * Group commit: requests that touch the same hot row (an event's place counter) share one transaction.
 *
 * Each key (an event id) has a queue. When fewer than `inFlight` batches run for a key, the next request
 * starts a batch at once, so a quiet system adds no latency; requests that arrive while batches run wait and
 * go together in the next one. Under load a batch holds the hot row's lock once for many requests, instead
 * of once each, which is what limits throughput (the lock is held until commit). Two batches in flight let
 * one prepare (its reads before the lock) while the other holds the lock.
 *
 * The batch function settles every item it takes, except those it hands back: items it cannot decide in this
 * batch (for example a second request for the same email) are put back at the head of the queue, in order.
 */
export type RunBatch<T> = (key: string, items: T[]) => Promise<T[]>

/** What every queued request must offer: a way to fail it when its batch fails as a whole. */
export interface Waiting {
  reject(err: unknown): void
}

interface Lane<T> {
  queue: T[]
  running: number
}

export class GroupCommit<T extends Waiting> {
  private readonly lanes = new Map<string, Lane<T>>()

  constructor(
    private readonly runBatch: RunBatch<T>,
    private readonly options: { maxBatch: number; inFlight: number },
  ) {}

  push(key: string, item: T): void {
    let lane = this.lanes.get(key)
    if (!lane) this.lanes.set(key, (lane = { queue: [], running: 0 }))
    lane.queue.push(item)
    if (lane.running < this.options.inFlight) void this.drain(key, lane)
  }

  private async drain(key: string, lane: Lane<T>): Promise<void> {
    lane.running++
    try {
      while (lane.queue.length > 0) {
        const items = lane.queue.splice(0, this.options.maxBatch)
        try {
          lane.queue.unshift(...(await this.runBatch(key, items)))
        } catch (err) {
          // The database failed the whole batch (it is down, or a statement broke): every request in it hears so.
          for (const item of items) item.reject(err)
        }
      }
    } finally {
      lane.running--
      if (lane.running === 0 && lane.queue.length === 0) this.lanes.delete(key)
    }
  }
}
