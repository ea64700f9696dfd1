import { and, asc, eq, getTableColumns, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { events, programSessions, type EventRow, type ProgramSessionRow } from '../../db/schema.js'

/**
 * Capacity: a holder with a limit and a count of the people holding a place, both in the holder's row. The
 * count changes only here (test/boundaries/table-owners.test.ts keeps it so), and only by one conditional
 * update, with the CHECK beside the count behind it: never a read, then a write.
 *
 * The rules, for every holder:
 * - Changes to a holder and to what waits for it lock the holder's row first (FOR NO KEY UPDATE), then the
 *   rows waiting for it: one order everywhere, so a cancel, a patch and a promotion queue up instead of
 *   deadlocking. FOR NO KEY UPDATE, not FOR UPDATE: inserting a row that references the holder takes FOR KEY
 *   SHARE on it, which FOR UPDATE would conflict with (a registration batch writes its rows before it locks).
 * - READ COMMITTED: the lock's read sees the latest committed count.
 * - Places go first come first served to the earliest that fits (`firstFit`): a party of 3 that does not fit
 *   does not block a party of 1 behind it, and keeps its place in line.
 *
 * Today's holder is an event's visitor places (visitor_capacity, confirmed_people). Another (seats of a forum
 * session) is another `CapacityHolder` over its own row; everything below works on any holder.
 */
export interface CapacityHolder<Row> {
  /** Locks the holder's row and reads it (undefined: no such holder). */
  lock(tx: Queryable, id: string): Promise<Row | undefined>
  limit(row: Row): number
  taken(row: Row): number
  /** A holder that gives no places any more (a cancelled event) promotes nobody. */
  closed(row: Row): boolean
  /** The conditional update of the count: adds `people` (negative: frees them) if the count stays within the limit. */
  add(tx: Queryable, id: string, people: number): Promise<boolean>
}

/** The event row, locked: the lock every change to an event's registrations takes first (see above). */
export async function lockEvent(tx: Queryable, eventId: string): Promise<EventRow | undefined>
/** The same lock, reading more in the same statement (e.g. how many wait: nobody can join while it is held). */
export async function lockEvent<Also extends Record<string, SQL.Aliased | SQL>>(
  tx: Queryable,
  eventId: string,
  also: Also,
): Promise<(EventRow & { [K in keyof Also]: Also[K] extends SQL<infer T> | SQL.Aliased<infer T> ? T : never }) | undefined>
export async function lockEvent(tx: Queryable, eventId: string, also?: Record<string, SQL.Aliased | SQL>) {
  const [row] = await (also ? tx.select({ ...getTableColumns(events), ...also }) : tx.select())
    .from(events)
    .where(eq(events.id, eventId))
    .for('no key update')
  return row
}

/** Several events locked in id order (so two erasures of overlapping events cannot deadlock): the ids come from a subquery. */
export async function lockEventsInOrder(tx: Queryable, eventIds: SQLWrapper): Promise<void> {
  await tx.select({ id: events.id }).from(events).where(inArray(events.id, eventIds)).orderBy(asc(events.id)).for('no key update')
}

/** An event's places for visitors: visitor_capacity, and confirmed_people on confirmed registrations. */
export const eventVisitorPlaces: CapacityHolder<EventRow> = {
  lock: (tx, id) => lockEvent(tx, id),
  limit: (event) => event.visitorCapacity,
  taken: (event) => event.confirmedPeople,
  closed: (event) => event.status === 'cancelled',
  async add(tx, id, people) {
    const [row] = await tx
      .update(events)
      .set({ confirmedPeople: sql`${events.confirmedPeople} + ${people}` })
      .where(and(eq(events.id, id), sql`${events.confirmedPeople} + ${people} <= ${events.visitorCapacity}`))
      .returning({ id: events.id })
    return row !== undefined
  },
}

/** A program session's seats: seats, and reserved_people on reserved reservations. Only a published session gives seats. */
export const sessionSeats: CapacityHolder<ProgramSessionRow> = {
  async lock(tx, id) {
    const [row] = await tx.select().from(programSessions).where(eq(programSessions.id, id)).for('no key update')
    return row
  },
  limit: (session) => session.seats,
  taken: (session) => session.reservedPeople,
  closed: (session) => session.status !== 'published',
  // One statement decides a reservation (the hot path): no lock before it, its own row lock and condition decide.
  // Seats are only taken on a published session; freeing them works in any state.
  async add(tx, id, people) {
    const [row] = await tx
      .update(programSessions)
      .set({ reservedPeople: sql`${programSessions.reservedPeople} + ${people}` })
      .where(
        and(
          eq(programSessions.id, id),
          sql`${programSessions.reservedPeople} + ${people} <= ${programSessions.seats}`,
          sql`(${people} <= 0 or ${programSessions.status} = 'published')`,
        ),
      )
      .returning({ id: programSessions.id })
    return row !== undefined
  },
}

export const placesLeft = <Row>(holder: CapacityHolder<Row>, row: Row) => holder.limit(row) - holder.taken(row)

/** Takes places for `people`; false (and nothing taken) when they do not fit. */
export function takePlaces<Row>(tx: Queryable, holder: CapacityHolder<Row>, id: string, people: number): Promise<boolean> {
  return holder.add(tx, id, people)
}

/** Frees the places of `people` who no longer hold one (a cancellation, a smaller party). */
export async function freePlaces<Row>(tx: Queryable, holder: CapacityHolder<Row>, id: string, people: number): Promise<void> {
  await holder.add(tx, id, -people)
}

/**
 * First come first served, earliest that fits: walks `queue` in order and places everyone whose party fits in
 * what is left. The order within `placed` and `unplaced` is the queue's.
 */
export function firstFit<T>(free: number, queue: T[], size: (item: T) => number): { placed: T[]; unplaced: T[]; left: number } {
  const placed: T[] = []
  const unplaced: T[] = []
  let left = free
  for (const item of queue) {
    if (size(item) <= left) {
      left -= size(item)
      placed.push(item)
    } else unplaced.push(item)
  }
  return { placed, unplaced, left }
}

/** What waits for a holder's places, and what it means to be given one. */
export interface Waitlist<Row, Waiting> {
  /** Those waiting, earliest first, locked (FOR UPDATE); any larger than `free` may be left out. */
  waiting(free: number, holder: Row): Promise<Waiting[]>
  size(waiting: Waiting): number
  /** Gives the places: runs after they are taken, in the same transaction, in the waitlist's order. */
  promote(placed: Waiting[], holder: Row): Promise<void>
}

/**
 * Fills free places from the waitlist, first come first served, earliest that fits. Locks the holder first, so
 * promotions of one holder never interleave; runs in the caller's transaction, the one that freed the places,
 * so a newcomer can never slip in between. Returns how many were promoted.
 */
export async function promoteFirstFit<Row, Waiting>(tx: Queryable, holder: CapacityHolder<Row>, id: string, waitlist: Waitlist<Row, Waiting>): Promise<number> {
  const row = await holder.lock(tx, id)
  if (row === undefined) return 0
  const free = placesLeft(holder, row)
  if (free <= 0 || holder.closed(row)) return 0
  const { placed, left } = firstFit(free, await waitlist.waiting(free, row), waitlist.size)
  if (placed.length === 0) return 0
  // Impossible while the holder's row is locked: if it ever happens, the transaction fails as a whole.
  if (!(await takePlaces(tx, holder, id, free - left))) throw new Error('the place counter refused a promotion decided under its lock')
  await waitlist.promote(placed, row)
  return placed.length
}
