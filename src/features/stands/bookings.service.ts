import { randomBytes } from 'node:crypto'
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { accounts, associationMembers, associations, coExhibitors, standBookingHistory, standBookings, stands, type BookingRequirements, type EventRow } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmails, type EmailToQueue } from '../../mail/outbox.js'
import { oneLine } from '../../mail/templates.js'
import { inAccountLanguages } from '../accounts/accounts.service.js'
import { hashToken } from '../auth/tokens.js'
import { isAssociationMember } from '../associations/associations.service.js'
import { findEvent, isEventStaff, organizersOf } from '../events/event-access.js'
import { eventEmailFields } from '../../mail/event-fields.js'
import { eventKey } from '../tickets/ticket-codes.js'
import { issueExhibitorPasses, revokeBookingPasses } from '../tickets/tickets.store.js'
import { deleteAction, holdsStand, mayPerform, transition, type BookingAction, type BookingActor, type BookingState } from './booking-states.js'

export type BookingRow = typeof standBookings.$inferSelect
type AssociationRow = typeof associations.$inferSelect
type Mail = Pick<Config, 'publicUrl'>

/** Open from publication (or standBookingOpensAt) until the event ends (or standBookingClosesAt), as registration is. */
export function standBookingOpen(event: EventRow, now = new Date()): boolean {
  if (event.status !== 'published') return false
  const opens = event.standBookingOpensAt ?? event.publishedAt
  const closes = event.standBookingClosesAt ?? event.endsAt
  return opens !== null && opens <= now && now < closes
}

// ── who may see and act ────────────────────────────────────────────────────────────────────────────────────

export async function memberAssociationIds(db: Queryable, accountId: string): Promise<string[]> {
  const rows = await db.select({ id: associationMembers.associationId }).from(associationMembers).where(eq(associationMembers.accountId, accountId))
  return rows.map((r) => r.id)
}

export async function findBooking(db: Queryable, id: string): Promise<BookingRow | undefined> {
  const [row] = await db.select().from(standBookings).where(eq(standBookings.id, id))
  return row
}

/**
 * Who the caller is to this booking: an organizer (staff of its event, admins) or a member of its association.
 * Someone who is both acts as an organizer (booking-states.ts `deleteAction`). Anyone else learns nothing: 404.
 */
export async function loadBookingFor(db: Queryable, principal: Principal | null, id: string): Promise<{ booking: BookingRow; actor: BookingActor }> {
  if (!principal) throw Problem.unauthenticated()
  const booking = await findBooking(db, id)
  if (booking && principal.kind === 'account') {
    if (await isEventStaff(db, principal, booking.eventId)) return { booking, actor: 'organizer' }
    if (await isAssociationMember(db, principal.account.id, booking.associationId)) return { booking, actor: 'association' }
  }
  throw Problem.notFound('stand booking')
}

// ── views ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface FreedStand {
  id: string
  code: string
  waitlistedPreferring: string[]
}

export async function bookingViews(db: Queryable, rows: BookingRow[], withHistory = false) {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const associationIds = [...new Set(rows.map((r) => r.associationId))]
  const standIds = rows.map((r) => r.standId).filter((s): s is string => s !== null)
  const [names, standRows, coRows, historyRows] = await Promise.all([
    db.select({ id: associations.id, name: associations.name }).from(associations).where(inArray(associations.id, associationIds)),
    standIds.length ? db.select({ id: stands.id, code: stands.code, area: stands.area }).from(stands).where(inArray(stands.id, standIds)) : [],
    db
      .select({ bookingId: coExhibitors.bookingId, associationId: coExhibitors.associationId, status: coExhibitors.status, name: associations.name })
      .from(coExhibitors)
      .innerJoin(associations, eq(associations.id, coExhibitors.associationId))
      .where(inArray(coExhibitors.bookingId, ids))
      .orderBy(asc(coExhibitors.createdAt), asc(associations.name)),
    withHistory
      ? db.select().from(standBookingHistory).where(inArray(standBookingHistory.bookingId, ids)).orderBy(asc(standBookingHistory.at), asc(standBookingHistory.id))
      : [],
  ])
  const nameOf = new Map(names.map((n) => [n.id, n.name]))
  const standOf = new Map(standRows.map((s) => [s.id, s]))
  return rows.map((b) => ({
    id: b.id,
    eventId: b.eventId,
    association: { id: b.associationId, name: nameOf.get(b.associationId) ?? '' },
    status: b.status,
    stand: b.standId ? (standOf.get(b.standId) ?? null) : null,
    preferredStandIds: b.preferredStandIds,
    requirements: b.requirements,
    staffPasses: b.staffPasses,
    coExhibitors: coRows.filter((c) => c.bookingId === b.id).map((c) => ({ associationId: c.associationId, name: c.name, status: c.status })),
    ...(withHistory
      ? {
          history: historyRows
            .filter((h) => h.bookingId === b.id)
            .map((h) => ({ fromStatus: h.fromStatus, toStatus: h.toStatus, standId: h.standId, actorAccountId: h.actorAccountId, reason: h.reason, at: h.at.toISOString() })),
        }
      : {}),
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  }))
}

export async function bookingView(db: Queryable, row: BookingRow, withHistory = false) {
  return (await bookingViews(db, [row], withHistory))[0]
}

/** Staff see every booking of the event; an exhibitor those of its own associations; anyone else none (403). */
export async function listBookings(db: Queryable, principal: Principal | null, event: EventRow, status?: BookingState) {
  if (!principal) throw Problem.unauthenticated()
  if (principal.kind !== 'account') throw Problem.forbidden('This route needs an account session.')
  const conditions = [eq(standBookings.eventId, event.id)]
  if (status) conditions.push(eq(standBookings.status, status))
  if (!(await isEventStaff(db, principal, event.id))) {
    const own = await memberAssociationIds(db, principal.account.id)
    if (own.length === 0) throw Problem.forbidden('Only the organizers of this event and exhibitors may list stand bookings.')
    conditions.push(inArray(standBookings.associationId, own))
  }
  const rows = await db.select().from(standBookings).where(and(...conditions)).orderBy(asc(standBookings.createdAt), asc(standBookings.id))
  return { items: await bookingViews(db, rows) }
}

// ── emails ─────────────────────────────────────────────────────────────────────────────────────────────────

export const bookingUrl = (config: Mail, bookingId: string) => `${config.publicUrl}/stand-bookings/${bookingId}`
export const coExhibitorConfirmUrl = (config: Mail, token: string) => `${config.publicUrl}/co-exhibitors/confirm?token=${token}`

interface StatusEmail {
  status: BookingState
  standCode?: string
  reason?: string | null
  reassigned?: boolean
  passes?: { ticketId: string; code: string }[]
}

/**
 * The association hears of every change, at its contact address: German here, and the language of the account
 * with that address when there is one (inAccountLanguages, where the emails are queued).
 */
function statusEmail(config: Mail, event: EventRow, association: AssociationRow, booking: BookingRow, e: StatusEmail): EmailToQueue {
  return {
    to: association.contactEmail,
    template: 'booking-status',
    locale: 'de',
    eventId: event.id,
    data: {
      ...eventEmailFields(event),
      associationName: oneLine(association.name),
      status: e.status,
      bookingId: booking.id,
      manageUrl: bookingUrl(config, booking.id),
      ...(e.standCode ? { standCode: oneLine(e.standCode) } : {}),
      ...(e.reason && e.reason.trim() ? { reason: e.reason.trim() } : {}),
      ...(e.reassigned ? { reassigned: true } : {}),
      ...(e.passes?.length ? { passes: e.passes } : {}),
    },
  }
}

async function associationOf(db: Queryable, id: string): Promise<AssociationRow> {
  const [row] = await db.select().from(associations).where(eq(associations.id, id))
  return row
}

// ── booking ────────────────────────────────────────────────────────────────────────────────────────────────

export interface BookingInput {
  associationId: string
  preferredStandIds?: string[]
  requirements?: BookingRequirements
  coExhibitorAssociationIds?: string[]
  staffPasses?: number
}

/** A co-exhibitor's confirmation token: 32 random bytes in the link, only its SHA-256 stored (co-exhibitors.service.ts looks it up). */
export function newCoExhibitorToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export async function createBooking(db: Database, config: Mail, principal: Principal | null, event: EventRow, input: BookingInput) {
  if (!principal) throw Problem.unauthenticated()
  if (principal.kind !== 'account') throw Problem.forbidden('This route needs an account session.')
  const account = principal.account
  const association = await associationOf(db, input.associationId)
  const member = association !== undefined && (await isAssociationMember(db, account.id, association.id))
  if (!member && account.role !== 'admin') throw Problem.forbidden('Only members of the association may book a stand for it.')
  if (!association) throw Problem.invalidField('/body/associationId', 'is not an association')
  if (!standBookingOpen(event)) throw Problem.conflict('booking_closed', 'Stand booking for this event is not open.')

  const preferred = [...new Set(input.preferredStandIds ?? [])]
  if (preferred.length) {
    const found = await db.select({ id: stands.id }).from(stands).where(and(eq(stands.eventId, event.id), inArray(stands.id, preferred)))
    const known = new Set(found.map((s) => s.id))
    const index = preferred.findIndex((id) => !known.has(id))
    if (index >= 0) throw Problem.invalidField(`/body/preferredStandIds/${index}`, 'is not a stand of this event')
  }
  const coIds = [...new Set(input.coExhibitorAssociationIds ?? [])]
  const coIndex = coIds.indexOf(association.id)
  if (coIndex >= 0) throw Problem.invalidField(`/body/coExhibitorAssociationIds/${coIndex}`, 'is the booking association itself')
  const coAssociations = coIds.length ? await db.select().from(associations).where(inArray(associations.id, coIds)) : []
  const missing = coIds.findIndex((id) => !coAssociations.some((a) => a.id === id))
  if (missing >= 0) throw Problem.invalidField(`/body/coExhibitorAssociationIds/${missing}`, 'is not an association')

  const row = await db
    .transaction(async (tx) => {
      const [booking] = await tx
        .insert(standBookings)
        .values({
          eventId: event.id,
          associationId: association.id,
          preferredStandIds: preferred,
          requirements: input.requirements ?? {},
          ...(input.staffPasses !== undefined ? { staffPasses: input.staffPasses } : {}),
          createdBy: account.id,
        })
        .returning()
      await tx.insert(standBookingHistory).values({ bookingId: booking.id, fromStatus: null, toStatus: 'requested', actorAccountId: account.id })
      const emails = [statusEmail(config, event, association, booking, { status: 'requested' })]
      for (const co of coAssociations) {
        const { token, hash } = newCoExhibitorToken()
        await tx.insert(coExhibitors).values({ bookingId: booking.id, associationId: co.id, tokenHash: hash })
        emails.push({
          to: co.contactEmail,
          template: 'co-exhibitor-invitation',
          locale: 'de',
          eventId: event.id,
          data: { ...eventEmailFields(event), associationName: oneLine(co.name), hostAssociationName: oneLine(association.name), confirmUrl: coExhibitorConfirmUrl(config, token) },
        })
      }
      await enqueueEmails(tx, await inAccountLanguages(tx, emails))
      return booking
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'stand_bookings_association_live_key')) {
        throw Problem.conflict('already_booked', 'This association already has a live stand booking for this event.')
      }
      throw err
    })
  return bookingView(db, row)
}

// ── transitions ────────────────────────────────────────────────────────────────────────────────────────────

export interface ActionInput {
  standId?: string
  reason?: string | null
}

/** Waitlisted bookings of the event that named `standId` among their preferences, first come first, with their association. */
async function waitlistedPreferring(tx: Queryable, eventId: string, standId: string) {
  return tx
    .select({ id: standBookings.id, associationName: associations.name })
    .from(standBookings)
    .innerJoin(associations, eq(associations.id, standBookings.associationId))
    .where(and(eq(standBookings.eventId, eventId), eq(standBookings.status, 'waitlisted'), sql`${standId}::uuid = any(${standBookings.preferredStandIds})`))
    .orderBy(asc(standBookings.createdAt), asc(standBookings.id))
}

/**
 * When an association withdraws from its stand, the organizers are not the ones looking at the answer: each
 * organizer of the event (the admins when it has none) gets an email naming the stand and the waitlisted
 * associations that wanted it. In German, the fair's language: accounts have no language of their own.
 */
async function standFreedEmails(
  tx: Queryable,
  config: Mail,
  event: EventRow,
  association: AssociationRow,
  stand: { code: string },
  waiting: { associationName: string }[],
): Promise<EmailToQueue[]> {
  const organizers = await organizersOf(tx, event.id)
  const recipients = organizers.length ? organizers : await tx.select({ email: accounts.email, name: accounts.name }).from(accounts).where(eq(accounts.role, 'admin'))
  const waitlisted = waiting.map((w) => oneLine(w.associationName)).join('\n')
  return recipients.map((r) => ({
    to: r.email,
    template: 'stand-freed' as const,
    locale: 'de' as const,
    eventId: event.id,
    data: {
      ...eventEmailFields(event),
      name: oneLine(r.name),
      standCode: oneLine(stand.code),
      associationName: oneLine(association.name),
      ...(waitlisted ? { waitlisted } : {}),
      bookingsUrl: `${config.publicUrl}/events/${event.id}/stand-bookings?status=waitlisted`,
    },
  }))
}

/**
 * One step of the workflow (booking-states.ts): who may act (403), whether the state allows it (409
 * invalid_transition), then one transaction with a conditional UPDATE (WHERE status is still the one judged), a
 * history row, the passes, and the email. A stand is taken only through the partial unique index: of two
 * approvals onto one stand the second fails there (409 stand_taken), however close together they run.
 */
export async function performAction(
  db: Database,
  config: Mail,
  principal: Principal,
  loaded: { booking: BookingRow; actor: BookingActor },
  requested: BookingAction | 'delete',
  input: ActionInput = {},
) {
  const { booking, actor } = loaded
  const action = requested === 'delete' ? deleteAction(actor) : requested
  if (!mayPerform(actor, action)) {
    throw Problem.forbidden(actor === 'association' ? 'Only the organizers of the event may do this.' : 'Only members of the association may withdraw; organizers cancel.')
  }
  const judged = transition(booking.status, action)
  if (!judged.ok) throw Problem.conflict('invalid_transition', judged.detail)
  const actorAccountId = principal.kind === 'account' ? principal.account.id : null

  let target: typeof stands.$inferSelect | undefined
  if (action === 'approve') {
    ;[target] = input.standId ? await db.select().from(stands).where(eq(stands.id, input.standId)) : []
    if (!target || target.eventId !== booking.eventId) throw Problem.invalidField('/body/standId', 'is not a stand of this event')
    // Approving onto the stand it already holds changes nothing (booking-states.ts).
    if (booking.status === 'approved' && booking.standId === target.id) return bookingView(db, booking)
  }
  const reassigning = action === 'approve' && booking.status === 'approved'
  const issuing = action === 'approve' && !reassigning
  // Outside the transaction: the first call for an event creates its key (see ticket-codes.ts).
  const key = issuing ? await eventKey(db, booking.eventId) : undefined
  const event = (await findEvent(db, booking.eventId))!
  const association = await associationOf(db, booking.associationId)
  const freedStandId = holdsStand(booking.status) && (action !== 'approve' || reassigning) ? booking.standId : null

  const result = await db
    .transaction(async (tx) => {
      const [updated] = await tx
        .update(standBookings)
        .set({ status: judged.to, standId: holdsStand(judged.to) ? target!.id : null, updatedAt: new Date() })
        .where(and(eq(standBookings.id, booking.id), eq(standBookings.status, booking.status), booking.standId ? eq(standBookings.standId, booking.standId) : isNull(standBookings.standId)))
        .returning()
      if (!updated) throw Problem.conflict('invalid_transition', 'The booking changed meanwhile; reload it and try again.')
      const reason = input.reason?.trim() || null
      await tx.insert(standBookingHistory).values({ bookingId: booking.id, fromStatus: booking.status, toStatus: judged.to, standId: updated.standId ?? booking.standId, actorAccountId, reason })

      const passes = issuing ? await issueExhibitorPasses(tx, key!, updated) : []
      if (action === 'withdraw' || action === 'cancel') {
        await revokeBookingPasses(tx, booking.id)
      }
      await enqueueEmails(
        tx,
        await inAccountLanguages(tx, [
          statusEmail(config, event, association, updated, { status: judged.to, standCode: target?.code, reason, reassigned: reassigning, passes }),
        ]),
      )
      let freed: FreedStand | undefined
      if (freedStandId) {
        const [stand] = await tx.select({ id: stands.id, code: stands.code }).from(stands).where(eq(stands.id, freedStandId))
        const waiting = await waitlistedPreferring(tx, booking.eventId, freedStandId)
        freed = { id: stand.id, code: stand.code, waitlistedPreferring: waiting.map((w) => w.id) }
        if (action === 'withdraw') await enqueueEmails(tx, await inAccountLanguages(tx, await standFreedEmails(tx, config, event, association, stand, waiting)))
      }
      return { updated, freed }
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'stand_bookings_stand_approved_key')) {
        throw Problem.conflict('stand_taken', `Stand ${target?.code ?? ''} is already assigned to another approved booking.`)
      }
      throw err
    })
  const view = await bookingView(db, result.updated)
  return result.freed ? { ...view, freedStand: result.freed } : view
}
