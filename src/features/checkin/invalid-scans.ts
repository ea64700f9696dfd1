import type { FastifyBaseLogger } from 'fastify'
import { sql } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import type { Door } from './door-access.js'

interface Tally {
  eventId: string
  scannerId: string | null
  accountId: string | null
  gate: string | null
  count: number
  firstAt: Date
  lastAt: Date
}

/**
 * The tallies as one array parameter per column (`unnest`): a statement whose text is the same for any number of
 * doors, where drizzle's insert built 7 parameters per row through its query builder (1-2 % of the event loop's
 * time under the bench's flood of forged codes, for one write every third of a second).
 */
async function insertTallies(db: Database, tallies: Tally[]): Promise<void> {
  const column = <T>(pick: (tally: Tally) => T) => sql.param(tallies.map(pick))
  // timestamptz travels as text: postgres.js has no array serializer for it.
  await db.execute(sql`
    insert into invalid_scans (event_id, scanner_id, account_id, gate, count, first_at, last_at)
    select t.event_id, t.scanner_id, t.account_id, t.gate, t.count, t.first_at::timestamptz, t.last_at::timestamptz
    from unnest(${column((t) => t.eventId)}::uuid[], ${column((t) => t.scannerId)}::uuid[], ${column((t) => t.accountId)}::uuid[],
                ${column((t) => t.gate)}::text[], ${column((t) => t.count)}::int[], ${column((t) => t.firstAt.toISOString())}::text[],
                ${column((t) => t.lastAt.toISOString())}::text[])
      as t(event_id, scanner_id, account_id, gate, count, first_at, last_at)`)
}

export interface InvalidScanOptions {
  flushEveryMs?: number
  /** scans counted since the last write that make the next write start at once */
  flushAt?: number
}

/**
 * Scans whose code fails the format or signature check are counted here, in memory, and written to `invalid_scans`
 * as one row per door (event, device, gate) and write, every second, as soon as 5,000 are waiting, and when the app
 * closes. A flood of garbage thus costs the database one small insert a second (two at 8,000 forged codes a second,
 * the bench's flood; at 500 it was sixteen, and building them showed in the profile), never a statement per request.
 * A failed write keeps the counts for the next one; counts of a process that dies are lost (at most a second's).
 */
export function invalidScanRecorder(db: Database, log: FastifyBaseLogger, { flushEveryMs = 1000, flushAt = 5000 }: InvalidScanOptions = {}) {
  let pending = new Map<string, Tally>()
  let waiting = 0

  async function write(): Promise<void> {
    if (pending.size === 0) return
    const batch = pending
    pending = new Map()
    waiting = 0
    try {
      await insertTallies(db, [...batch.values()])
    } catch (err) {
      log.warn({ err, tallies: batch.size }, 'invalid scans not written; kept for the next try')
      for (const [key, tally] of batch) {
        const newer = pending.get(key)
        if (!newer) pending.set(key, tally)
        else pending.set(key, { ...newer, count: newer.count + tally.count, firstAt: tally.firstAt })
      }
    }
  }

  // One write at a time: a flush asked for while one runs follows it. write() never rejects.
  let chain: Promise<void> = Promise.resolve()
  function flush(): Promise<void> {
    chain = chain.then(write)
    return chain
  }

  const timer = setInterval(() => void flush(), flushEveryMs)
  timer.unref()

  return {
    record(door: Door, at = new Date()): void {
      const key = `${door.eventId}|${door.scannerId ?? ''}|${door.accountId ?? ''}|${door.gate ?? ''}`
      const tally = pending.get(key)
      if (tally) {
        tally.count++
        tally.lastAt = at
      } else {
        pending.set(key, { eventId: door.eventId, scannerId: door.scannerId, accountId: door.accountId, gate: door.gate, count: 1, firstAt: at, lastAt: at })
      }
      if (++waiting >= flushAt) void flush()
    },
    flush,
    /** Stops the timer and writes what is left; called by the app's onClose, before the database closes. */
    async close(): Promise<void> {
      clearInterval(timer)
      await flush()
    },
  }
}

export type InvalidScanRecorder = ReturnType<typeof invalidScanRecorder>
