import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import { rawRows, type Database } from '../../db/client.js'
import { checkins, invalidScans, registrations, EVENT_DOOR_REASONS, tickets, type EventDoorReason } from '../../db/schema.js'
import type { EventRow } from '../../db/schema.js'
import { readOccupancy } from './checkins.service.js'
import { standStats } from '../stands/stand-stats.js'
import { programStats } from '../program/program-stats.js'

const int = (expression: ReturnType<typeof sql>) => sql<number>`coalesce(${expression}, 0)::int`
// The fair's door: scans at the program's room doors (checkins.session_id) are the sessions' numbers, not these.
const atEventDoor = isNull(checkins.sessionId)
const iso = (column: ReturnType<typeof sql>) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * The organizers' numbers, each read from where it is kept (no cache, so they are right at once): registrations
 * by status and day, tickets, the door's counters, and the scan log by reason, gate and quarter hour. Independent
 * reads, run side by side; on a busy fair they may be a few scans apart from one another.
 */
export async function eventStats(db: Database, event: EventRow) {
  const byStatus = db
    .select({ status: registrations.status, registrations: count(), people: int(sql`sum(${registrations.partySize})`) })
    .from(registrations)
    .where(eq(registrations.eventId, event.id))
    .groupBy(registrations.status)
  const day = sql<string>`to_char(${registrations.createdAt} at time zone ${event.timezone}, 'YYYY-MM-DD')`
  const perDay = db
    .select({ date: day, registrations: count(), people: int(sql`sum(${registrations.partySize})`) })
    .from(registrations)
    .where(eq(registrations.eventId, event.id))
    // By position: the time zone is a parameter, and PostgreSQL does not see two parameters as one expression.
    .groupBy(sql`1`)
    .orderBy(sql`1`)
  const ticketCounts = db
    .select({ issued: count(), revoked: int(sql`count(${tickets.revokedAt})`) })
    .from(tickets)
    .where(eq(tickets.eventId, event.id))
  // Each ticket once, with the party it first entered with.
  const checkedIn = rawRows<{ people: number }>(db, sql`
    select coalesce(sum(people), 0)::int as people from (
      select distinct on (ticket_id) people from checkins
      where event_id = ${event.id}::uuid and session_id is null and result = 'ok' and direction = 'entry'
      order by ticket_id, scanned_at, seq
    ) first_entries`)
  const byReason = db
    .select({ result: checkins.result, reason: checkins.reason, scans: count() })
    .from(checkins)
    .where(and(eq(checkins.eventId, event.id), atEventDoor))
    .groupBy(checkins.result, checkins.reason)
  const invalid = db
    .select({ gate: invalidScans.gate, scans: int(sql`sum(${invalidScans.count})`) })
    .from(invalidScans)
    .where(eq(invalidScans.eventId, event.id))
    .groupBy(invalidScans.gate)
  const perGate = db
    .select({
      gate: checkins.gate,
      entries: int(sql`sum(${checkins.people}) filter (where ${checkins.direction} = 'entry')`),
      exits: int(sql`sum(${checkins.people}) filter (where ${checkins.direction} = 'exit')`),
      rejected: int(sql`count(*) filter (where ${checkins.result} = 'rejected')`),
    })
    .from(checkins)
    .where(and(eq(checkins.eventId, event.id), atEventDoor))
    .groupBy(checkins.gate)
  const quarter = sql`date_bin('15 minutes', ${checkins.scannedAt}, timestamptz '2000-01-01 00:00:00+00')`
  const perQuarter = db
    .select({
      at: iso(quarter),
      entries: int(sql`sum(${checkins.people}) filter (where ${checkins.direction} = 'entry')`),
      exits: int(sql`sum(${checkins.people}) filter (where ${checkins.direction} = 'exit')`),
    })
    .from(checkins)
    .where(and(eq(checkins.eventId, event.id), atEventDoor, eq(checkins.result, 'ok')))
    .groupBy(quarter)
    .orderBy(asc(quarter))

  const [statuses, days, [ticketRow], [checkedInRow], reasons, invalidRows, gateRows, quarters, occupancy] = await Promise.all([
    byStatus,
    perDay,
    ticketCounts,
    checkedIn,
    byReason,
    invalid,
    perGate,
    perQuarter,
    readOccupancy(db, event.id),
  ])
  const standNumbers = await standStats(db, event.id)
  const programNumbers = await programStats(db, event.id)

  const group = (status: string) => {
    const row = statuses.find((s) => s.status === status)
    return { registrations: row?.registrations ?? 0, people: row?.people ?? 0 }
  }
  const reasonCounts = Object.fromEntries(EVENT_DOOR_REASONS.map((r) => [r, 0])) as Record<EventDoorReason, number>
  // The event door never records a room door's reasons (the queries above read session_id is null only).
  for (const r of reasons) if (r.reason && r.reason in reasonCounts) reasonCounts[r.reason as EventDoorReason] += r.scans
  const invalidTotal = invalidRows.reduce((n, r) => n + r.scans, 0)
  reasonCounts.invalid_code += invalidTotal
  const gates = new Map<string | null, { gate: string | null; entries: number; exits: number; rejected: number }>()
  for (const g of gateRows) gates.set(g.gate, { ...g })
  for (const g of invalidRows) {
    const row = gates.get(g.gate) ?? { gate: g.gate, entries: 0, exits: 0, rejected: 0 }
    gates.set(g.gate, { ...row, rejected: row.rejected + g.scans })
  }

  return {
    capacity: event.visitorCapacity,
    confirmed: group('confirmed'),
    waitlisted: group('waitlisted'),
    cancelled: group('cancelled'),
    checkedIn: { people: checkedInRow.people },
    inside: occupancy.inside,
    entries: occupancy.entries,
    exits: occupancy.exits,
    ...standNumbers,
    ...programNumbers,
    tickets: { issued: ticketRow.issued, revoked: ticketRow.revoked },
    scans: {
      ok: reasons.filter((r) => r.result === 'ok').reduce((n, r) => n + r.scans, 0),
      rejected: reasons.filter((r) => r.result === 'rejected').reduce((n, r) => n + r.scans, 0) + invalidTotal,
      byReason: reasonCounts,
    },
    gates: [...gates.values()].sort((a, b) => (a.gate ?? '').localeCompare(b.gate ?? '')),
    registrationsPerDay: days,
    checkinsPer15Minutes: quarters,
    generatedAt: new Date().toISOString(),
  }
}
