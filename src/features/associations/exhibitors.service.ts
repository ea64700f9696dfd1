import { and, asc, eq, gt, inArray, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { associations, coExhibitors, standBookings, stands, standBookingHistory } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import type { AudienceSource } from '../../mail/reminders.js'
import { contactLanguage, publicAssociation } from './associations.service.js'

type AssociationRow = typeof associations.$inferSelect

/**
 * The columns of the public profile (the fields of `publicAssociation`), and nothing else: queries select
 * these, so private fields (contact email, phone, register number) never even leave the database here.
 */
export const exhibitorProfileColumns = {
  id: associations.id,
  name: associations.name,
  legalForm: associations.legalForm,
  district: associations.district,
  address: associations.address,
  website: associations.website,
  description: associations.description,
  fieldsOfActivity: associations.fieldsOfActivity,
  targetGroups: associations.targetGroups,
  languages: associations.languages,
  migrantOrganization: associations.migrantOrganization,
} satisfies Record<keyof ReturnType<typeof publicAssociation>, unknown>

export type ExhibitorProfile = Pick<AssociationRow, keyof typeof exhibitorProfileColumns>

const standColumns = { id: stands.id, code: stands.code, area: stands.area }
/** Stand codes are unique per event ignoring case (`stands_event_code_key`): the list's order and cursor. */
const standKey = sql<string>`lower(${stands.code})`

/** Approved bookings of an event with their stand and association, the one join the list and matchmaking share. */
export function approvedExhibitorsQuery(db: Queryable, eventId: string | Placeholder, extra?: SQL) {
  return db
    .select({ bookingId: standBookings.id, standKey, stand: standColumns, association: exhibitorProfileColumns })
    .from(standBookings)
    .innerJoin(stands, eq(stands.id, standBookings.standId))
    .innerJoin(associations, eq(associations.id, standBookings.associationId))
    // a literal, not a parameter: it lets prepared (generic) plans use the partial index of approved bookings
    .where(and(eq(standBookings.eventId, eventId), sql`${standBookings.status} = 'approved'`, extra))
}

/**
 * One page of the public exhibitor list, ordered by stand code (how visitors walk a floor plan; codes are unique
 * per event ignoring case, hence `lower(code)` alone is the key). The order is the one of the index
 * `stands_event_code_key`, so PostgreSQL walks the event's stands in order and stops after the page: the cost
 * follows the page size, not the number of exhibitors. Two queries per page whatever its size: the approved
 * bookings, then the confirmed co-exhibitors of all of them.
 */
export async function listExhibitors(db: Database, eventId: string, query: { limit: number; cursor?: string }) {
  const after = query.cursor ? decodeCursor(query.cursor, ['string'])[0] : undefined
  // A public, cacheless read of every visitor's app: prepared once, as drizzle's query building costs more than the query.
  const page = (name: string, condition?: SQL) =>
    prepared(db, name, (d) =>
      approvedExhibitorsQuery(d, sql.placeholder('eventId'), and(eq(stands.eventId, sql.placeholder('eventId')), condition))
        .orderBy(standKey)
        .limit(sql.placeholder('limit'))
        .prepare(name),
    )
  const rows =
    after === undefined
      ? await page('exhibitors_first_page').execute({ eventId, limit: query.limit + 1 })
      : await page('exhibitors_next_page', gt(standKey, sql.placeholder('after'))).execute({ eventId, limit: query.limit + 1, after })
  const pageRows = rows.slice(0, query.limit)
  const coByBooking = new Map<string, ExhibitorProfile[]>()
  if (pageRows.length) {
    const co = await prepared(db, 'exhibitors_co_exhibitors', (d) =>
      d
        .select({ bookingId: coExhibitors.bookingId, association: exhibitorProfileColumns })
        .from(coExhibitors)
        .innerJoin(associations, eq(associations.id, coExhibitors.associationId))
        // one array parameter (a PostgreSQL array literal; uuids need no quoting) whatever the page size
        .where(and(sql`${coExhibitors.bookingId} = any(${sql.placeholder('bookingIds')}::uuid[])`, eq(coExhibitors.status, 'confirmed')))
        .orderBy(asc(associations.name), asc(associations.id))
        .prepare('exhibitors_co_exhibitors'),
    ).execute({ bookingIds: `{${pageRows.map((r) => r.bookingId).join(',')}}` })
    for (const c of co) {
      const list = coByBooking.get(c.bookingId) ?? []
      list.push(c.association)
      coByBooking.set(c.bookingId, list)
    }
  }
  return toPage(
    rows,
    query.limit,
    (r) => ({ association: r.association, stand: r.stand, coExhibitors: coByBooking.get(r.bookingId) ?? [] }),
    (r) => [r.standKey],
  )
}

/**
 * Reminders and announcements to exhibitors: the contact of each approved booking, with its stand code, and the
 * contact of each association that confirmed it shares that stand (they set up there too), each in the
 * language of its contact account (German when the contact address is no account's). `since` is the approval (from the booking's history; its
 * last change if the history has none), for a co-exhibitor the later of that and its confirmation, so a booking
 * approved (or a stand shared) after a reminder's time does not get that reminder late.
 */
export const exhibitorAudience: AudienceSource = async (db, event) => {
  const since = sql<Date>`coalesce((
    select max(${standBookingHistory.at}) from ${standBookingHistory}
    where ${standBookingHistory.bookingId} = ${standBookings.id} and ${standBookingHistory.toStatus} = 'approved'
  ), ${standBookings.updatedAt})`.mapWith(standBookings.updatedAt)
  const rows = await db
    .select({
      bookingId: standBookings.id,
      since,
      email: associations.contactEmail,
      name: associations.name,
      locale: contactLanguage,
      standCode: stands.code,
    })
    .from(standBookings)
    .innerJoin(stands, eq(stands.id, standBookings.standId))
    .innerJoin(associations, eq(associations.id, standBookings.associationId))
    .where(and(eq(standBookings.eventId, event.id), eq(standBookings.status, 'approved')))
  const shared = rows.length
    ? await db
        .select({ bookingId: coExhibitors.bookingId, associationId: associations.id, email: associations.contactEmail, name: associations.name, locale: contactLanguage, confirmedAt: coExhibitors.respondedAt })
        .from(coExhibitors)
        .innerJoin(associations, eq(associations.id, coExhibitors.associationId))
        .where(and(inArray(coExhibitors.bookingId, rows.map((r) => r.bookingId)), eq(coExhibitors.status, 'confirmed')))
    : []
  const byBooking = new Map(rows.map((r) => [r.bookingId, r]))
  return [
    ...rows.map((r) => ({ key: r.bookingId, email: r.email, name: r.name, locale: r.locale, since: r.since, standCode: r.standCode })),
    ...shared.map((c) => {
      const host = byBooking.get(c.bookingId)!
      const since = c.confirmedAt && c.confirmedAt > host.since ? c.confirmedAt : host.since
      // one key per association on the stand: a co-exhibitor's reminder is its own, beside the host's
      return { key: `${c.bookingId}:${c.associationId}`, email: c.email, name: c.name, locale: c.locale, since, standCode: host.standCode }
    }),
  ]
}
