import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import { rawRows, type Database, type Queryable } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { prepared } from '../../db/prepared.js'
import { checkins, events, occupancyShards, tickets, type ScanDirection, type ScanReason } from '../../db/schema.js'
import { passAssociationName } from '../stands/pass-association.js'
import type { CodeVerifier, SignedCode } from './code-keys.js'
import type { Door } from './door-access.js'
import type { InvalidScanRecorder } from './invalid-scans.js'
import { OCCUPANCY_SHARDS, scanTogether } from './scan-batches.js'
import { judgeScan, placeOnTimeline, type AcceptedScan, type Verdict } from './judge.js'


export interface ScanInput {
  code?: string
  ticketId?: string
  direction: ScanDirection
  scannedAt: Date
  nonce?: string
}

export interface CheckinAnswer {
  status: 'ok' | 'rejected'
  reason?: ScanReason
  ticket?: { id: string; kind: 'visitor' | 'exhibitor'; holderName: string | null; admits: number; associationName: string | null }
  previous?: { at: string; gate: string | null }
  occupancy?: { inside: number; capacity: number }
}

interface Occupancy {
  inside: number
  capacity: number
}

const doorTicketColumns = {
  id: tickets.id,
  eventId: tickets.eventId,
  kind: tickets.kind,
  holderName: tickets.holderName,
  admits: tickets.admits,
  revokedAt: tickets.revokedAt,
  inside: tickets.inside,
  insidePeople: tickets.insidePeople,
  acceptedScans: tickets.acceptedScans,
  associationName: passAssociationName(tickets.bookingId),
}
type DoorTicket = Pick<typeof tickets.$inferSelect, Exclude<keyof typeof doorTicketColumns, 'associationName'>> & { associationName: string | null }

/** `{inside, capacity, entries, exits}` of an event: the sum of its counter rows, prepared for screens that poll. */
export function readOccupancy(db: Database, eventId: string) {
  return prepared(db, 'event_occupancy', (d) =>
    d
      .select({
        inside: sql<number>`coalesce(sum(${occupancyShards.inside}), 0)::int`,
        capacity: sql<number>`(select ${events.visitorCapacity} from ${events} where ${events.id} = ${sql.placeholder('eventId')})`,
        entries: sql<number>`coalesce(sum(${occupancyShards.entries}), 0)::int`,
        exits: sql<number>`coalesce(sum(${occupancyShards.exits}), 0)::int`,
      })
      .from(occupancyShards)
      .where(eq(occupancyShards.eventId, sql.placeholder('eventId')))
      .prepare('event_occupancy'),
  )
    .execute({ eventId })
    .then((rows) => rows[0])
}

/** The answer to a judged scan; the room doors' too (session-checkins.service.ts). */
export function toAnswer(
  verdict: Verdict,
  ticket: Pick<DoorTicket, 'id' | 'kind' | 'holderName' | 'admits' | 'associationName'> | null | undefined,
  previous: { at: Date; gate: string | null } | null,
  occupancy: Occupancy,
): CheckinAnswer {
  // Another event's ticket: its holder is none of this door's business.
  const known = ticket && !(verdict.status === 'rejected' && (verdict.reason === 'wrong_event' || verdict.reason === 'unknown_ticket'))
  return {
    status: verdict.status,
    ...(verdict.status === 'rejected' ? { reason: verdict.reason } : {}),
    ...(known
      ? { ticket: { id: ticket.id, kind: ticket.kind, holderName: ticket.holderName, admits: ticket.admits, associationName: ticket.associationName } }
      : {}),
    ...(known && previous ? { previous: { at: previous.at.toISOString(), gate: previous.gate } } : {}),
    occupancy: { inside: occupancy.inside, capacity: occupancy.capacity },
  }
}

const p = (name: string) => sql.placeholder(name)

// In the statements below that also write: the counters as they were when the statement started.
const occupancyBefore = {
  inside: sql<number>`(select coalesce(sum(inside), 0)::int from occupancy_shards where event_id = ${p('eventId')}::uuid)`,
  capacity: sql<number>`(select visitor_capacity from events where id = ${p('eventId')}::uuid)`,
}

/** A rejected scan of a genuine code, recorded with its reason, and the occupancy, in one round trip. */
const rejectStatement = (db: Database) =>
  prepared(db, 'scan_reject', (d) => {
    const logged = d.$with('logged', { id: sql<string>`id` }).as(sql`
      insert into checkins (event_id, ticket_id, scanner_id, account_id, gate, direction, result, reason, people, scanned_at, nonce, previous_at, previous_gate)
      values (${p('eventId')}::uuid, ${p('ticketId')}::uuid, ${p('scannerId')}::uuid, ${p('accountId')}::uuid, ${p('gate')}::text,
              ${p('direction')}::text, 'rejected', ${p('reason')}::text, 0, ${p('at')}::timestamptz, ${p('nonce')}::text,
              ${p('previousAt')}::timestamptz, ${p('previousGate')}::text)
      returning id`)
    return d
      .with(logged)
      .select({ logged: sql<number>`(select count(*) from logged)::int`, ...occupancyBefore })
      .from(sql`(select 1) as one`)
      .prepare('scan_reject')
  })

const INVALID: CheckinAnswer = { status: 'rejected', reason: 'invalid_code' }

const isNonceTaken = (err: unknown) =>
  isUniqueViolation(err, 'checkins_scanner_nonce_key') || isUniqueViolation(err, 'checkins_account_nonce_key')

/** The device a nonce belongs to: a scanner, or an organizer's account at this event. */
const deviceOf = (door: Door) => (door.scannerId ? `s:${door.scannerId}` : `a:${door.accountId}`)

type CheckinRow = typeof checkins.$inferSelect

/** A genuine code to judge, from the device at `door`. */
interface Scan {
  door: Door
  signed: SignedCode
  input: ScanInput
}

interface Placed {
  scan: Scan
  index: number
}

/**
 * Places scans on their tickets' timelines in one transaction: the tickets are locked (`FOR UPDATE`, in id order,
 * so that two transactions never deadlock), their accepted scans read, each scan judged where it belongs
 * (placeOnTimeline, the judge at each moment), then the scans recorded with their results, the tickets' new state
 * written, and the counters moved, all before one commit. Answers by index.
 *
 * A scan waiting for a ticket another transaction holds sees that transaction's scans once it gets the lock
 * (READ COMMITTED takes a fresh snapshot for each statement), so of any number of doors scanning one ticket at
 * once, exactly one entry is accepted. The tickets' update is conditional on the version read under the lock, and
 * must update every ticket it names: a guard, not a decision.
 */
async function place(db: Database, eventId: string, scans: Placed[]): Promise<Map<number, CheckinAnswer>> {
  const ids = [...new Set(scans.map((s) => s.scan.signed.ticketId))].sort()
  return db.transaction(async (tx) => {
    const rows = await tx.select(doorTicketColumns).from(tickets).where(inArray(tickets.id, ids)).orderBy(asc(tickets.id)).for('update')
    const ticketById = new Map(rows.map((r) => [r.id, r]))
    const history = rows.length
      ? await tx
          .select({ ticketId: checkins.ticketId, direction: checkins.direction, people: checkins.people, at: checkins.scannedAt, gate: checkins.gate })
          .from(checkins)
          .where(and(inArray(checkins.ticketId, rows.map((r) => r.id)), eq(checkins.result, 'ok')))
          .orderBy(asc(checkins.ticketId), asc(checkins.scannedAt), asc(checkins.seq))
      : []
    const acceptedOf = new Map<string, AcceptedScan[]>()
    for (const { ticketId, ...accepted } of history) acceptedOf.set(ticketId, [...(acceptedOf.get(ticketId) ?? []), accepted])
    const scansOf = new Map<string, Placed[]>()
    for (const s of scans) scansOf.set(s.scan.signed.ticketId, [...(scansOf.get(s.scan.signed.ticketId) ?? []), s])

    const logged: (typeof checkins.$inferInsert)[] = []
    const ticketUpdates: { id: string; seen: number; inside: boolean; people: number; added: number; at: Date; gate: string | null }[] = []
    const moved = { inside: 0, entries: 0, exits: 0 }
    const judged: { index: number; verdict: Verdict; ticket: DoorTicket | undefined; previous: { at: Date; gate: string | null } | null }[] = []

    for (const ticketId of ids) {
      const ticket = ticketById.get(ticketId)
      // By the device's time; equal times in the order they came.
      const mine = scansOf.get(ticketId)!.sort((a, b) => a.scan.input.scannedAt.getTime() - b.scan.input.scannedAt.getTime() || a.index - b.index)
      const { placed, final } = placeOnTimeline(
        ticket ?? null,
        acceptedOf.get(ticketId) ?? [],
        mine.map(({ scan }) => ({ eventId, direction: scan.input.direction, signedFor: scan.signed.eventId, at: scan.input.scannedAt, gate: scan.door.gate })),
      )
      placed.forEach(({ verdict, people, previous }, i) => {
        const { scan, index } = mine[i]
        judged.push({ index, verdict, ticket, previous })
        logged.push({
          eventId,
          ticketId,
          scannerId: scan.door.scannerId,
          accountId: scan.door.accountId,
          gate: scan.door.gate,
          direction: scan.input.direction,
          result: verdict.status,
          reason: verdict.status === 'rejected' ? verdict.reason : null,
          people,
          scannedAt: scan.input.scannedAt,
          nonce: scan.input.nonce ?? null,
          previousAt: previous?.at ?? null,
          previousGate: previous?.gate ?? null,
        })
        if (verdict.status === 'ok') moved[scan.input.direction === 'entry' ? 'entries' : 'exits'] += people
      })
      const added = placed.filter((p) => p.verdict.status === 'ok').length
      if (!ticket || added === 0) continue
      ticketUpdates.push({ id: ticketId, seen: ticket.acceptedScans, inside: final.inside, people: final.insidePeople, added, at: final.last!.at, gate: final.last!.gate })
      moved.inside += final.insidePeople - ticket.insidePeople
    }

    // In the order judged: `seq` orders a ticket's scans of the same millisecond.
    await tx.insert(checkins).values(logged)
    if (ticketUpdates.length) {
      const values = ticketUpdates.map(
        (u) =>
          sql`(${u.id}::uuid, ${u.seen}::int, ${u.inside}::boolean, ${u.people}::int, ${u.added}::int, ${u.at.toISOString()}::timestamptz, ${u.gate}::text)`,
      )
      const updated = await rawRows<{ id: string }>(tx, sql`
        update tickets as t
        set inside = v.inside, inside_people = v.people, accepted_scans = t.accepted_scans + v.added, last_accepted_at = v.at, last_accepted_gate = v.gate
        from (values ${sql.join(values, sql`, `)}) as v(id, seen, inside, people, added, at, gate)
        where t.id = v.id and t.accepted_scans = v.seen
        returning t.id`)
      if (updated.length !== ticketUpdates.length) throw new Error('a locked ticket changed under its lock')
    }
    if (moved.entries || moved.exits) {
      // The whole batch on one counter row, picked at random: concurrent transactions seldom meet on one.
      await tx
        .insert(occupancyShards)
        .values({ eventId, shard: Math.floor(Math.random() * OCCUPANCY_SHARDS), ...moved })
        .onConflictDoUpdate({
          target: [occupancyShards.eventId, occupancyShards.shard],
          set: {
            inside: sql`${occupancyShards.inside} + excluded.inside`,
            entries: sql`${occupancyShards.entries} + excluded.entries`,
            exits: sql`${occupancyShards.exits} + excluded.exits`,
          },
        })
    }
    const [occupancy] = await tx
      .select({
        inside: sql<number>`coalesce(sum(${occupancyShards.inside}), 0)::int`,
        capacity: sql<number>`(select ${events.visitorCapacity} from ${events} where ${events.id} = ${eventId})`,
      })
      .from(occupancyShards)
      .where(eq(occupancyShards.eventId, eventId))
    return new Map(judged.map(({ index, verdict, ticket, previous }) => [index, toAnswer(verdict, ticket, previous, occupancy)]))
  })
}

/** The scans the devices sent before with these nonces: one read for the whole batch. */
async function earlierScans(db: Queryable, eventId: string, scans: Scan[]): Promise<Map<string, CheckinRow>> {
  const withNonce = scans.filter((s) => s.input.nonce)
  if (withNonce.length === 0) return new Map()
  const scannerIds = [...new Set(withNonce.flatMap((s) => (s.door.scannerId ? [s.door.scannerId] : [])))]
  const accountIds = [...new Set(withNonce.flatMap((s) => (s.door.scannerId ? [] : [s.door.accountId!])))]
  const rows = await db
    .select()
    .from(checkins)
    .where(
      and(
        inArray(checkins.nonce, [...new Set(withNonce.map((s) => s.input.nonce!))]),
        or(
          scannerIds.length ? inArray(checkins.scannerId, scannerIds) : undefined,
          accountIds.length ? and(isNull(checkins.scannerId), eq(checkins.eventId, eventId), inArray(checkins.accountId, accountIds)) : undefined,
        ),
      ),
    )
  const key = (row: CheckinRow) => `${row.scannerId ? `s:${row.scannerId}` : `a:${row.accountId}`}|${row.nonce}`
  return new Map(rows.map((r) => [key(r), r]))
}

/**
 * Judges and records scans of genuine codes of one event, answers in their order. A nonce this device sent before
 * answers as the first time (the verdict and `previous` as recorded, ticket and occupancy as now); the same nonce
 * twice here is one scan. When a concurrent request takes a nonce first (the unique index refuses the insert,
 * rolling back the whole transaction), the nonces are read again and the rest placed again.
 */
async function decide(db: Database, eventId: string, scans: Scan[]): Promise<CheckinAnswer[]> {
  for (let attempt = 0; ; attempt++) {
    const earlier = await earlierScans(db, eventId, scans)
    const first = new Map<string, number>()
    const toPlace: Placed[] = []
    scans.forEach((scan, index) => {
      const nonceKey = scan.input.nonce && `${deviceOf(scan.door)}|${scan.input.nonce}`
      if (nonceKey) {
        if (earlier.has(nonceKey) || first.has(nonceKey)) return
        first.set(nonceKey, index)
      }
      toPlace.push({ scan, index })
    })
    let placed: Map<number, CheckinAnswer>
    try {
      placed = toPlace.length ? await place(db, eventId, toPlace) : new Map()
    } catch (err) {
      if (isNonceTaken(err) && attempt < 3) continue
      throw err
    }
    const replayed = earlier.size ? await replays(db, eventId, [...earlier.values()]) : new Map<string, CheckinAnswer>()
    // Replays carry the occupancy after this batch, like every other answer in it.
    const after = placed.values().next().value?.occupancy
    return scans.map((scan, index) => {
      const nonceKey = scan.input.nonce && `${deviceOf(scan.door)}|${scan.input.nonce}`
      const replay = nonceKey ? replayed.get(nonceKey) : undefined
      if (replay) return after ? { ...replay, occupancy: after } : replay
      return placed.get(index) ?? placed.get(first.get(nonceKey!)!)!
    })
  }
}

/** The first answers to these recorded scans, again. */
async function replays(db: Database, eventId: string, rows: CheckinRow[]): Promise<Map<string, CheckinAnswer>> {
  const ticketRows = await db.select(doorTicketColumns).from(tickets).where(inArray(tickets.id, [...new Set(rows.map((r) => r.ticketId))]))
  const ticketById = new Map(ticketRows.map((t) => [t.id, t]))
  const occupancy = await readOccupancy(db, eventId)
  return new Map(
    rows.map((row) => {
      const verdict: Verdict = row.result === 'ok' ? { status: 'ok' } : { status: 'rejected', reason: row.reason! }
      const previous = row.previousAt ? { at: row.previousAt, gate: row.previousGate } : null
      const device = row.scannerId ? `s:${row.scannerId}` : `a:${row.accountId}`
      return [`${device}|${row.nonce}`, toAnswer(verdict, ticketById.get(row.ticketId), previous, occupancy)]
    }),
  )
}

/**
 * Check-in at the door. A code is checked first, in memory (code-keys.ts): a forged one is answered and counted
 * (invalid-scans.ts) without the database. A genuine code scanned online shares a statement and a commit with the
 * event's other scans of the moment (scan-batches.ts) when accepted, and costs one more statement when rejected;
 * the judge (judge.ts) decides the answer. Scans uploaded by an offline
 * device, and an online scan dated before its ticket's last accepted scan, are placed on the tickets' timelines in
 * one transaction (`place`).
 */
export function checkinService(db: Database, verifier: CodeVerifier, invalidScans: InvalidScanRecorder) {
  async function signedCode(door: Door, input: ScanInput): Promise<SignedCode | null> {
    // A ticket picked from the door search by staff: identified by the person at the door, not by a signature.
    if (input.ticketId) return { ticketId: input.ticketId, eventId: door.eventId }
    return verifier.verify(input.code ?? '', door.eventId)
  }

  const who = (door: Door) => ({ eventId: door.eventId, scannerId: door.scannerId, accountId: door.accountId, gate: door.gate })

  /**
   * An online scan joins its event's shared commit (scan-batches.ts), which accepts it when the judge admits the
   * ticket as locked. What the batch did not accept is answered from the state it saw: a replayed nonce with the
   * first answer, a scan dated before the ticket's last accepted scan placed on the timeline (`decide`), any other
   * rejection recorded with the judge's reason.
   */
  async function scanOnline(door: Door, signed: SignedCode, input: ScanInput): Promise<CheckinAnswer> {
    const scan = { eventId: door.eventId, direction: input.direction, signedFor: signed.eventId }
    const done = await scanTogether(db, door, signed, input.direction, input.scannedAt, input.nonce ?? null)
    if (done.replay) return replayOf(door, signed, input)
    const ticket = done.ticket
    const previous = ticket?.lastAcceptedAt ? { at: ticket.lastAcceptedAt, gate: ticket.lastAcceptedGate } : null
    const verdict = judgeScan(ticket ? { eventId: ticket.eventId, revoked: ticket.revokedAt !== null, inside: ticket.inside } : null, scan)
    if (done.acceptedPeople !== null) return toAnswer(verdict, ticket, previous, done.occupancy)
    // Dated before the ticket's last accepted scan (a retry long after, a device with a late clock).
    if (verdict.status === 'ok' || (ticket?.lastAcceptedAt && input.scannedAt < ticket.lastAcceptedAt)) {
      return (await decide(db, door.eventId, [{ door, signed, input }]))[0]
    }
    const [recorded] = await rejectStatement(db).execute({
      ...who(door),
      ticketId: signed.ticketId,
      direction: input.direction,
      reason: verdict.reason,
      at: input.scannedAt.toISOString(),
      nonce: input.nonce ?? null,
      previousAt: ticket?.lastAcceptedAt?.toISOString() ?? null,
      previousGate: ticket?.lastAcceptedGate ?? null,
    })
    return toAnswer(verdict, ticket, previous, recorded)
  }

  /** The first answer to a scan this device sent before with the same nonce. */
  async function replayOf(door: Door, signed: SignedCode, input: ScanInput): Promise<CheckinAnswer> {
    const [row] = (await earlierScans(db, door.eventId, [{ door, signed, input }])).values()
    return (await replays(db, door.eventId, [row])).values().next().value!
  }

  return {
    async scan(door: Door, input: ScanInput): Promise<CheckinAnswer> {
      const signed = await signedCode(door, input)
      if (!signed) {
        invalidScans.record(door)
        return INVALID
      }
      try {
        return await scanOnline(door, signed, input)
      } catch (err) {
        // The same device sent this nonce at once with a rejected scan: the first answer, nothing changed.
        if (!input.nonce || !isNonceTaken(err)) throw err
        return replayOf(door, signed, input)
      }
    },

    /**
     * Up to 1,000 scans of one device, made offline: judged in the order they were scanned, placed among what other
     * doors recorded meanwhile, answered in the order of the request, in one transaction.
     */
    async scanBatch(door: Door, inputs: ScanInput[]): Promise<CheckinAnswer[]> {
      const signed = await Promise.all(inputs.map((input) => signedCode(door, input)))
      const genuine = inputs.flatMap((input, i) => (signed[i] ? [{ door, signed: signed[i], input }] : []))
      const answers = genuine.length ? await decide(db, door.eventId, genuine) : []
      let next = 0
      return signed.map((code) => {
        if (code) return answers[next++]
        invalidScans.record(door)
        return INVALID
      })
    },

    occupancy: (eventId: string) => readOccupancy(db, eventId),
  }
}

export type CheckinService = ReturnType<typeof checkinService>
