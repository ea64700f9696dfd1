import { and, asc, count, eq, isNull, lte, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { registrations, registrationTokens, tickets, type EventRow, type TicketRow } from '../../db/schema.js'
import type { RegistrationPrincipal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmail, type EmailToQueue } from '../../mail/outbox.js'
import { oneLine, type EmailData } from '../../mail/templates.js'
import type { AudienceSource } from '../../mail/reminders.js'
import { hashToken, newToken } from '../auth/tokens.js'
import { eventVisitorPlaces, freePlaces, lockEvent, promoteFirstFit, takePlaces } from '../capacity/places.js'
import { eventEmailFields } from '../../mail/event-fields.js'
import { eventKey, type EventKey } from '../tickets/ticket-codes.js'
import { issueVisitorTicket, matchTicketToRegistration, revokeRegistrationTicket } from '../tickets/tickets.store.js'
import { cancelRegistrationReservations, confirmationReservations, reservationSummary, resizeReservations } from '../program/reservations.service.js'

export type RegistrationRow = typeof registrations.$inferSelect
export type Mail = Pick<Config, 'publicUrl'>

/** Open from publication (or registrationOpensAt) until the event ends (or registrationClosesAt). */
export function registrationOpen(event: EventRow, now = new Date()): boolean {
  if (event.status !== 'published') return false
  const opens = event.registrationOpensAt ?? event.publishedAt
  const closes = event.registrationClosesAt ?? event.endsAt
  return opens !== null && opens <= now && now < closes
}

export function ticketLink(ticket: TicketRow) {
  return {
    id: ticket.id,
    code: ticket.code,
    qrPngUrl: `/v1/tickets/${ticket.id}/qr.png`,
    qrSvgUrl: `/v1/tickets/${ticket.id}/qr.svg`,
  }
}

export const manageUrl = (config: Mail, registrationId: string, token: string) =>
  `${config.publicUrl}/registrations/${registrationId}?token=${token}`

export async function issueManageToken(tx: Queryable, registrationId: string): Promise<string> {
  const { token, hash } = newToken('vmr_')
  await tx.insert(registrationTokens).values({ tokenHash: hash, registrationId })
  return token
}

/** 1 for the first in line: waitlisted registrations of the event created before this one, plus one. */
export async function waitlistPosition(db: Queryable, registration: RegistrationRow): Promise<number> {
  // Compared in SQL: created_at has microseconds, and a JS Date of it (milliseconds) would not even find the row itself.
  const [row] = await db
    .select({ ahead: count() })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, registration.eventId),
        eq(registrations.status, 'waitlisted'),
        sql`(${registrations.createdAt}, ${registrations.id}) <= (select self.created_at, self.id from registrations self where self.id = ${registration.id})`,
      ),
    )
  return Number(row.ahead)
}

type Reservations = NonNullable<EmailData['registration-confirmed']['reservations']>

/**
 * The ticket email. `reservations`: the registration's seats in the program (confirmationReservations); only a
 * confirmed registration reserves, so one just made or just promoted from the waitlist holds none.
 */
export function confirmationEmail(
  config: Mail,
  event: EventRow,
  reg: RegistrationRow,
  ticket: Pick<TicketRow, 'id' | 'code'>,
  token: string,
  { promoted = false, reservations = [] }: { promoted?: boolean; reservations?: Reservations } = {},
): EmailToQueue {
  return {
    to: reg.email,
    template: 'registration-confirmed',
    locale: reg.language,
    eventId: event.id,
    data: {
      ...eventEmailFields(event),
      name: oneLine(reg.name),
      partySize: reg.partySize,
      manageUrl: manageUrl(config, reg.id, token),
      registrationId: reg.id,
      ticketId: ticket.id,
      ticketCode: ticket.code,
      ...(promoted ? { promoted: true } : {}),
      ...(reservations.length > 0 ? { reservations } : {}),
    },
  }
}

export function waitlistEmail(config: Mail, event: EventRow, reg: RegistrationRow, token: string, position: number): EmailToQueue {
  return {
    to: reg.email,
    template: 'registration-waitlisted',
    locale: reg.language,
    eventId: event.id,
    data: {
      ...eventEmailFields(event),
      name: oneLine(reg.name),
      partySize: reg.partySize,
      manageUrl: manageUrl(config, reg.id, token),
      waitlistPosition: position,
    },
  }
}

/**
 * Fills the event's free places from its waitlist (capacity/places.ts decides who, first come first served,
 * earliest that fits), in the caller's transaction: each promoted registration is confirmed, gets its ticket
 * and, unless erased, a fresh manage link in its confirmation email.
 */
export function promoteWaitlist(tx: Queryable, config: Mail, key: EventKey, eventId: string): Promise<number> {
  return promoteFirstFit(tx, eventVisitorPlaces, eventId, {
    waiting: (free) =>
      tx
        .select()
        .from(registrations)
        .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'waitlisted'), lte(registrations.partySize, free)))
        .orderBy(asc(registrations.createdAt), asc(registrations.id))
        .for('update'),
    size: (registration) => registration.partySize,
    async promote(placed, event) {
      for (const candidate of placed) {
        const [reg] = await tx
          .update(registrations)
          .set({ status: 'confirmed', updatedAt: new Date() })
          .where(eq(registrations.id, candidate.id))
          .returning()
        const ticket = await issueVisitorTicket(tx, key, reg)
        // An erased person keeps their place in line, but there is no address left to tell.
        if (!reg.erasedAt) {
          const token = await issueManageToken(tx, reg.id)
          await enqueueEmail(tx, confirmationEmail(config, event, reg, ticket, token, { promoted: true }))
        }
      }
    },
  })
}

export interface RegistrationResult {
  registration: RegistrationRow
  ticket: TicketRow | null
  manageToken: string
  waitlistPosition?: number
}

export async function findTicket(db: Queryable, registrationId: string): Promise<TicketRow | null> {
  const [ticket] = await db.select().from(tickets).where(eq(tickets.registrationId, registrationId))
  return ticket ?? null
}

export async function findRegistration(db: Queryable, id: string): Promise<RegistrationRow | undefined> {
  const [row] = await db.select().from(registrations).where(eq(registrations.id, id))
  return row
}

export async function registrationView(db: Queryable, registration: RegistrationRow) {
  const ticket = registration.status === 'confirmed' ? await findTicket(db, registration.id) : null
  const position = registration.status === 'waitlisted' ? await waitlistPosition(db, registration) : undefined
  return {
    id: registration.id,
    eventId: registration.eventId,
    email: registration.email,
    name: registration.name,
    partySize: registration.partySize,
    language: registration.language as 'de' | 'en' | 'tr' | 'ar',
    accessibilityNeeds: registration.accessibilityNeeds,
    status: registration.status,
    ...(position ? { waitlistPosition: position } : {}),
    ...(ticket ? { ticket: ticketLink(ticket) } : {}),
    reservations: await reservationSummary(db, registration.id),
    createdAt: registration.createdAt.toISOString(),
    updatedAt: registration.updatedAt.toISOString(),
    cancelledAt: registration.cancelledAt?.toISOString() ?? null,
  }
}

/** Cancels, frees the places, revokes the ticket and promotes the waitlist, all in one transaction. Idempotent. */
export async function cancelRegistration(db: Database, config: Mail, registration: RegistrationRow): Promise<void> {
  const key = await eventKey(db, registration.eventId)
  await db.transaction(async (tx) => {
    await lockEvent(tx, registration.eventId)
    const [current] = await tx.select().from(registrations).where(eq(registrations.id, registration.id)).for('update')
    if (current.status === 'cancelled') return
    await tx
      .update(registrations)
      .set({ status: 'cancelled', cancelledAt: new Date(), updatedAt: new Date() })
      .where(eq(registrations.id, current.id))
    if (current.status === 'confirmed') {
      await freePlaces(tx, eventVisitorPlaces, current.eventId, current.partySize)
      await revokeRegistrationTicket(tx, current.id)
      await cancelRegistrationReservations(tx, config, current.id)
      await promoteWaitlist(tx, config, key, current.eventId)
    }
  })
}

/** Name, language and party size; growing a confirmed party needs room, shrinking it may promote others. */
export async function patchRegistration(
  db: Database,
  config: Mail,
  registration: RegistrationRow,
  patch: { name?: string; partySize?: number; language?: string },
): Promise<RegistrationRow> {
  const key = await eventKey(db, registration.eventId)
  return db.transaction(async (tx) => {
    const event = (await lockEvent(tx, registration.eventId))!
    const [current] = await tx.select().from(registrations).where(eq(registrations.id, registration.id)).for('update')
    if (current.status === 'cancelled') throw Problem.conflict('invalid_transition', 'A cancelled registration cannot be changed.')
    if (current.erasedAt) throw Problem.conflict('invalid_transition', 'An erased registration cannot be changed.')
    const partySize = patch.partySize ?? current.partySize
    if (partySize > event.maxPartySize) throw Problem.invalidField('/body/partySize', `must be at most ${event.maxPartySize} for this event`)
    const delta = partySize - current.partySize
    if (current.status === 'confirmed' && delta > 0 && !(await takePlaces(tx, eventVisitorPlaces, current.eventId, delta))) {
      throw Problem.conflict('capacity_exceeded', 'There is not enough room left for a larger party.')
    }
    if (current.status === 'confirmed' && delta < 0) await freePlaces(tx, eventVisitorPlaces, current.eventId, -delta)
    // The party's seats in the program change with it (409 capacity_exceeded when a session has no room for more).
    if (delta !== 0) await resizeReservations(tx, config, current.id, partySize)
    const [updated] = await tx
      .update(registrations)
      .set({ name: patch.name?.trim() ?? current.name, language: patch.language ?? current.language, partySize, updatedAt: new Date() })
      .where(eq(registrations.id, current.id))
      .returning()
    await matchTicketToRegistration(tx, current.id, { admits: partySize, holderName: updated.name })
    if (delta < 0) await promoteWaitlist(tx, config, key, current.eventId)
    const [after] = await tx.select().from(registrations).where(eq(registrations.id, current.id))
    return after
  })
}

/** Sends the confirmation (or waitlist email) again with a fresh manage link; silent when there is nothing to send. */
export async function resendConfirmation(db: Database, config: Mail, event: EventRow, email: string): Promise<void> {
  const [registration] = await db
    .select()
    .from(registrations)
    .where(and(eq(registrations.eventId, event.id), sql`lower(${registrations.email}) = ${email.trim().toLowerCase()}`, sql`${registrations.status} <> 'cancelled'`))
  if (!registration) return
  await db.transaction(async (tx) => {
    const token = await issueManageToken(tx, registration.id)
    const ticket = await findTicket(tx, registration.id)
    if (registration.status === 'confirmed' && ticket) {
      await enqueueEmail(tx, confirmationEmail(config, event, registration, ticket, token, { reservations: await confirmationReservations(tx, registration.id) }))
    } else if (registration.status === 'waitlisted') {
      await enqueueEmail(tx, waitlistEmail(config, event, registration, token, await waitlistPosition(tx, registration)))
    }
  })
}

export async function resolveRegistrationToken(db: Database, token: string): Promise<RegistrationPrincipal | null> {
  // Prepared: every request with a manage token starts here (see db/prepared.ts).
  const [row] = await prepared(db, 'registration_token', (d) =>
    d
      .select({ registrationId: registrations.id, eventId: registrations.eventId })
      .from(registrationTokens)
      .innerJoin(registrations, eq(registrations.id, registrationTokens.registrationId))
      .where(eq(registrationTokens.tokenHash, sql.placeholder('hash')))
      .prepare('registration_token'),
  ).execute({ hash: hashToken(token) })
  return row ? { kind: 'registration', ...row } : null
}

/** Reminders and announcements to visitors: everyone with a confirmed registration, in their language. */
export const visitorAudience: AudienceSource = async (db, event) => {
  const rows = await db
    .select()
    .from(registrations)
    .where(and(eq(registrations.eventId, event.id), eq(registrations.status, 'confirmed'), isNull(registrations.erasedAt)))
  return rows.map((r) => ({ key: r.id, email: r.email, name: r.name, locale: r.language, since: r.createdAt }))
}
