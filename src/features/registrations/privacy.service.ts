import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { RETENTION_DAYS_DEFAULT } from '../../config.js'
import { checkins, events, idempotencyKeys, invalidScans, outboxEmails, registrations, registrationTokens, tickets, type EventRow } from '../../db/schema.js'
import { exportedEmail } from '../../mail/email-export.js'
import { lockEventsInOrder } from '../capacity/places.js'
import { erasePassHolders, eraseTicketHolders } from '../tickets/tickets.store.js'
import type { Mail, RegistrationRow } from './registrations.service.js'
import { cancelRegistrationReservations, reservationsOfRegistration } from '../program/reservations.service.js'

const iso = (d: Date | null) => (d ? d.toISOString() : null)
const DAY_MS = 24 * 60 * 60 * 1000

export const ERASED_NAME = 'Erased'
/** `.invalid` is reserved (RFC 2606): the placeholder can never reach anyone, and stays unique per registration. */
export const erasedEmail = (registrationId: string) => `erased-${registrationId}@invalid`

/** The emails of an event to an address; addresses are compared case-insensitively, as registrations are. */
const toAddressOf = (eventId: string, email: string) =>
  and(eq(outboxEmails.eventId, eventId), sql`lower(${outboxEmails.toAddress}) = ${email.toLowerCase()}`)

/**
 * Everything stored about the person behind a registration (GDPR art. 15 and 20): the registration, its
 * ticket, when manage links were issued (never the token hashes), the Idempotency-Keys their client sent,
 * and every email of this event to their address with the data it was rendered from, minus the tokens.
 */
export async function personalData(db: Queryable, registration: RegistrationRow, defaultDays = RETENTION_DAYS_DEFAULT) {
  const [event] = await db.select().from(events).where(eq(events.id, registration.eventId))
  const [ticketRows, tokenRows, keyRows, emailRows, reservationRows] = await Promise.all([
    db.select().from(tickets).where(eq(tickets.registrationId, registration.id)).orderBy(asc(tickets.createdAt)),
    db
      .select({ createdAt: registrationTokens.createdAt })
      .from(registrationTokens)
      .where(eq(registrationTokens.registrationId, registration.id))
      .orderBy(asc(registrationTokens.createdAt)),
    db
      .select({ key: idempotencyKeys.key, createdAt: idempotencyKeys.createdAt })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.registrationId, registration.id))
      .orderBy(asc(idempotencyKeys.createdAt)),
    db
      .select()
      .from(outboxEmails)
      .where(toAddressOf(registration.eventId, registration.email))
      .orderBy(asc(outboxEmails.createdAt), asc(outboxEmails.id)),
    reservationsOfRegistration(db, registration.id),
  ])
  return {
    exportedAt: new Date().toISOString(),
    registration: {
      id: registration.id,
      eventId: registration.eventId,
      email: registration.email,
      name: registration.name,
      partySize: registration.partySize,
      language: registration.language,
      accessibilityNeeds: registration.accessibilityNeeds,
      status: registration.status,
      consentPrivacyAt: registration.consentPrivacyAt.toISOString(),
      createdAt: registration.createdAt.toISOString(),
      updatedAt: registration.updatedAt.toISOString(),
      cancelledAt: iso(registration.cancelledAt),
      erasedAt: iso(registration.erasedAt),
    },
    event: {
      id: event.id,
      slug: event.slug,
      title: event.title,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      retentionDays: event.retentionDays,
      // how long the data is kept is part of what a person has the right to know (art. 15 (1) d)
      erasedAfter: iso(retentionEnd(event, defaultDays)),
    },
    tickets: ticketRows.map((t) => ({
      id: t.id,
      code: t.code,
      admits: t.admits,
      holderName: t.holderName,
      createdAt: t.createdAt.toISOString(),
      revokedAt: iso(t.revokedAt),
    })),
    manageTokens: tokenRows.map((t) => ({ createdAt: t.createdAt.toISOString() })),
    idempotencyKeys: keyRows.map((k) => ({ key: k.key, createdAt: k.createdAt.toISOString() })),
    reservations: reservationRows,
    emails: emailRows.map(exportedEmail),
  }
}

/** When an event's people's personal data is erased: its own retentionDays after its end, else the default. */
export function retentionEnd(event: Pick<EventRow, 'endsAt' | 'retentionDays'>, defaultDays = RETENTION_DAYS_DEFAULT): Date {
  return new Date(event.endsAt.getTime() + (event.retentionDays ?? defaultDays) * DAY_MS)
}

/** SQL: the event's end plus its retention (its own, else the default) lies before `now`. */
const retentionPassed = (now: Date, defaultDays: number) =>
  sql`${events.endsAt} + coalesce(${events.retentionDays}, ${defaultDays}::int) * interval '1 day' < ${now.toISOString()}::timestamptz`

/**
 * Replaces the personal data of these registrations by placeholders, in the caller's transaction:
 * email, name and accessibility needs; the ticket's holder name; the address and data of every email of
 * the event to that address (queued ones are cancelled, the rest keep template, status and times);
 * every manage token is deleted and the Idempotency-Keys lose the fingerprint of the request body.
 *
 * Status, party size, the ticket and its validity stay: erasing is not cancelling, so the place, the
 * event's confirmed count and later check-in statistics are unchanged. Registrations already erased are
 * skipped, so erasing again changes nothing. Returns how many were erased now.
 */
export async function eraseRegistrations(tx: Queryable, ids: string[], now = new Date()): Promise<number> {
  if (ids.length === 0) return 0
  // The events first, then their registrations: the lock order of every change to registrations, so an
  // erasure queues behind a cancel or a promotion of the same event instead of deadlocking with it.
  await lockEventsInOrder(tx, tx.selectDistinct({ id: registrations.eventId }).from(registrations).where(inArray(registrations.id, ids)))
  // Rechecked under the lock: a concurrent erasure of the same registration leaves nothing to do here.
  const erasing = await tx
    .select({ id: registrations.id, eventId: registrations.eventId, email: registrations.email })
    .from(registrations)
    .where(and(inArray(registrations.id, ids), isNull(registrations.erasedAt)))
    .orderBy(asc(registrations.createdAt), asc(registrations.id))
    .for('update')
  if (erasing.length === 0) return 0
  const erasingIds = erasing.map((r) => r.id)

  await tx
    .update(registrations)
    .set({
      email: sql`'erased-' || ${registrations.id}::text || '@invalid'`,
      name: ERASED_NAME,
      accessibilityNeeds: null,
      erasedAt: now,
      updatedAt: now,
    })
    .where(inArray(registrations.id, erasingIds))
  await eraseTicketHolders(tx, erasingIds, ERASED_NAME)
  // Matched by the old address, which is why it was read under the lock above. The worker sends only rows
  // still queued, so a cancelled one is never sent; one it holds right now may still go out (at most that).
  // last_error and smtp_response may quote the address, so they go too.
  await tx.execute(sql`
    update ${outboxEmails} as o
    set to_address = 'erased-' || e.id::text || '@invalid',
        data = '{}'::jsonb,
        status = case when o.status = 'queued' then 'cancelled' else o.status end,
        locked_until = null,
        last_error = null,
        smtp_response = null
    from jsonb_to_recordset(${JSON.stringify(erasing)}::jsonb) as e(id uuid, "eventId" uuid, email text)
    where o.event_id = e."eventId" and lower(o.to_address) = lower(e.email)`)
  await tx.delete(registrationTokens).where(inArray(registrationTokens.registrationId, erasingIds))
  // The key stays, so a late retry of the registration request is refused (409) instead of registering anew;
  // its fingerprint is a hash of the email and name, guessable, so it goes.
  await tx.update(idempotencyKeys).set({ fingerprint: 'erased' }).where(inArray(idempotencyKeys.registrationId, erasingIds))
  return erasing.length
}

/** Erases one registration (by its token or staff); erasing twice answers the same erased registration. */
export async function eraseRegistration(db: Database, config: Mail, registration: RegistrationRow): Promise<RegistrationRow> {
  return db.transaction(async (tx) => {
    await eraseRegistrations(tx, [registration.id])
    // Nobody to seat any more: the seats go to the waitlists.
    await cancelRegistrationReservations(tx, config, registration.id)
    const [after] = await tx.select().from(registrations).where(eq(registrations.id, registration.id))
    return after
  })
}

export const RETENTION_BATCH = 500

/**
 * The retention job: erases registrations of events whose end lies more than `retention_days` (or the default,
 * RETENTION_DAYS_DEFAULT) in the past,
 * at most `batchSize` per call (one short transaction; the next poll takes the next batch).
 */
export async function eraseExpiredRegistrations(
  db: Database,
  now = new Date(),
  batchSize = RETENTION_BATCH,
  defaultDays = RETENTION_DAYS_DEFAULT,
): Promise<number> {
  const due = await db
    .select({ id: registrations.id })
    .from(registrations)
    .innerJoin(events, eq(events.id, registrations.eventId))
    .where(and(isNull(registrations.erasedAt), retentionPassed(now, defaultDays)))
    .orderBy(asc(registrations.eventId), asc(registrations.createdAt), asc(registrations.id))
    .limit(batchSize)
  if (due.length === 0) return 0
  return db.transaction((tx) =>
    eraseRegistrations(
      tx,
      due.map((r) => r.id),
      now,
    ),
  )
}

/**
 * The rest of an event's personal data when its retention has passed, once per event (marked by
 * `personal_data_erased_at`), a few events per call: the holder names of its exhibitor passes, and who scanned on
 * its scan records (an organizer's account; a device stays, it is no person). The passes and scan records stay, so
 * every count and statistic stays. Returns how many events were done.
 */
export async function eraseEndedEventsStaff(db: Database, now = new Date(), defaultDays = RETENTION_DAYS_DEFAULT, batchSize = 20): Promise<number> {
  const due = await db
    .select({ id: events.id })
    .from(events)
    .where(and(isNull(events.personalDataErasedAt), retentionPassed(now, defaultDays)))
    .orderBy(asc(events.endsAt), asc(events.id))
    .limit(batchSize)
  if (due.length === 0) return 0
  const ids = due.map((e) => e.id)
  await db.transaction(async (tx) => {
    await erasePassHolders(tx, ids)
    await tx.update(checkins).set({ accountId: null }).where(and(inArray(checkins.eventId, ids), isNotNull(checkins.accountId)))
    await tx.update(invalidScans).set({ accountId: null }).where(and(inArray(invalidScans.eventId, ids), isNotNull(invalidScans.accountId)))
    await tx.update(events).set({ personalDataErasedAt: now }).where(inArray(events.id, ids))
  })
  return ids.length
}

/**
 * The retention job as the worker runs it on every poll. Erasure is due by the day, not the second, so once
 * a run finds less than a full batch the next runs are skipped for `idleMs`: the query walks every
 * past event's registrations, which is wasted work every two seconds.
 */
export function retentionJob(db: Database, options: { idleMs?: number; defaultDays?: number } = {}) {
  const { idleMs = 10 * 60 * 1000, defaultDays = RETENTION_DAYS_DEFAULT } = options
  let idleUntil = 0
  return async (now = new Date()): Promise<number> => {
    if (now.getTime() < idleUntil) return 0
    await eraseEndedEventsStaff(db, now, defaultDays)
    const erased = await eraseExpiredRegistrations(db, now, RETENTION_BATCH, defaultDays)
    if (erased < RETENTION_BATCH) idleUntil = now.getTime() + idleMs
    return erased
  }
}
