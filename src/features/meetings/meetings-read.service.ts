/*
 * What meetings show: an exhibitor's free slots, an association's meetings and agenda, the organizers' stats.
 */
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { associations, meetingClaims, meetings, type EventRow, type MeetingRow } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { decodeCursor, encodeCursor } from '../../http/pagination.js'
import { Problem } from '../../http/problem.js'
import { rankMatches } from '../associations/matchmaking.js'
import { isMemberOf } from '../associations/associations.service.js'
import { loadVocabulary } from '../associations/vocabularies.service.js'
import type { Locale } from '../../mail/templates.js'
import { assertExhibitor, exhibitorStands } from './meetings.service.js'
import { meetingSlots } from './slots.js'
import { meetingsCalendar } from './agenda.js'

/** `GET /v1/events/{eventId}/meeting-slots?associationId=`: free when the association has no meeting then and it has not begun. */
export async function slotsFor(db: Database, principal: Principal | null, event: EventRow, associationId: string, now = new Date()) {
  await assertExhibitor(db, principal, event.id)
  if (!(await exhibitorStands(db, event.id, [associationId])).has(associationId)) {
    throw Problem.conflict('not_exhibiting', 'This association does not exhibit at this fair.')
  }
  const claims = await db
    .select({ startsAt: meetingClaims.startsAt, endsAt: meetingClaims.endsAt })
    .from(meetingClaims)
    .where(and(eq(meetingClaims.eventId, event.id), eq(meetingClaims.holder, `association:${associationId}`)))
  return {
    items: meetingSlots(event.meetings).map((s) => ({
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      free: s.startsAt > now && !claims.some((c) => c.startsAt < s.endsAt && c.endsAt > s.startsAt),
    })),
  }
}

export async function assertMember(db: Database, principal: Principal | null, associationId: string) {
  if (!principal) throw Problem.unauthenticated()
  if (principal.kind !== 'account' || !(await isMemberOf(db, principal.account.id, associationId))) {
    throw Problem.forbidden("Only the association's members may see its meetings.")
  }
}

async function meetingsOfAssociation(db: Queryable, associationId: string, eventId: string) {
  return db
    .select()
    .from(meetings)
    .where(and(eq(meetings.eventId, eventId), or(eq(meetings.fromAssociationId, associationId), eq(meetings.toAssociationId, associationId))))
    .orderBy(sql`${meetings.startsAt} asc nulls last`, asc(meetings.createdAt), asc(meetings.id))
}

const PAGE = 100

/** An association's meetings at one fair, by time (unscheduled last), each with the other side and the match's reasons. */
export async function listAssociationMeetings(db: Database, associationId: string, eventId: string, locale: Locale, cursor?: string, limit = PAGE) {
  const all = await meetingsOfAssociation(db, associationId, eventId)
  const start = cursor ? offsetOf(decodeCursor(cursor, ['string'])[0]) : 0
  const page = all.slice(start, start + limit)
  const ids = [...new Set([associationId, ...page.flatMap((m) => [m.fromAssociationId, m.toAssociationId])])]
  const profiles = ids.length ? await db.select().from(associations).where(inArray(associations.id, ids)) : []
  const self = profiles.find((p) => p.id === associationId)
  const vocabulary = await loadVocabulary(db)
  const ranked = self ? rankMatches(self, profiles, { locale, vocabulary }) : []
  const reasonsOf = new Map(ranked.map((r) => [r.association.id, r.reasons]))
  const byId = new Map(profiles.map((p) => [p.id, p]))
  return {
    items: page.map((m) => {
      const otherId = m.fromAssociationId === associationId ? m.toAssociationId : m.fromAssociationId
      const other = byId.get(otherId)!
      return {
        id: m.id,
        status: m.status,
        with: { id: other.id, name: other.name, district: other.district, migrantOrganization: other.migrantOrganization },
        ...(m.startsAt && m.endsAt ? { startsAt: m.startsAt.toISOString(), endsAt: m.endsAt.toISOString() } : {}),
        ...(m.placeKind && m.placeCode ? { place: { kind: m.placeKind, code: m.placeCode } } : {}),
        message: m.message,
        reasons: reasonsOf.get(otherId) ?? [],
        direction: m.fromAssociationId === associationId ? ('sent' as const) : ('received' as const),
      }
    }),
    nextCursor: start + limit < all.length ? encodeCursor([String(start + limit)]) : null,
  }
}

/** The association's scheduled meetings at the fair as one calendar. */
export async function agenda(db: Database, associationId: string, event: EventRow) {
  const rows = (await meetingsOfAssociation(db, associationId, event.id)).filter((m) => m.status === 'scheduled')
  const ids = [...new Set(rows.flatMap((m) => [m.fromAssociationId, m.toAssociationId]))]
  const names = ids.length ? await db.select({ id: associations.id, name: associations.name }).from(associations).where(inArray(associations.id, ids)) : []
  const nameOf = new Map(names.map((n) => [n.id, n.name]))
  return meetingsCalendar(
    rows.map((m: MeetingRow) => ({
      meetingId: m.id,
      summary: `${event.title}: ${nameOf.get(m.fromAssociationId === associationId ? m.toAssociationId : m.fromAssociationId) ?? ''}`,
      startsAt: m.startsAt!,
      endsAt: m.endsAt!,
      location: `${m.placeCode ?? ''}, ${event.venueName}`,
    })),
  )
}

/** Meetings by status now, associations meeting, and bridges (a migrant and a non-migrant association). */
export async function meetingStats(db: Database, eventId: string) {
  const rows = await db
    .select({ status: meetings.status, from: meetings.fromAssociationId, to: meetings.toAssociationId })
    .from(meetings)
    .where(eq(meetings.eventId, eventId))
  const ids = [...new Set(rows.flatMap((r) => [r.from, r.to]))]
  const migrant = new Map(
    (ids.length ? await db.select({ id: associations.id, m: associations.migrantOrganization }).from(associations).where(inArray(associations.id, ids)) : []).map((r) => [r.id, r.m]),
  )
  const stats = { requested: 0, accepted: 0, scheduled: 0, held: 0, declined: 0, cancelled: 0, associationsMeeting: 0, bridges: { scheduled: 0, held: 0 } }
  const meeting = new Set<string>()
  for (const r of rows) {
    stats[r.status]++
    if (r.status === 'scheduled' || r.status === 'held') {
      meeting.add(r.from).add(r.to)
      if (migrant.get(r.from) !== migrant.get(r.to)) stats.bridges[r.status]++
    }
  }
  stats.associationsMeeting = meeting.size
  return stats
}

function offsetOf(part: string): number {
  if (!/^\d{1,6}$/.test(part)) throw Problem.invalidField('/querystring/cursor', 'is not a cursor this service gave out')
  return Number(part)
}
