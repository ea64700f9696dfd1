import { and, eq, inArray, ne } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Queryable } from '../../db/client.js'
import { events, registrations, rooms, sessionReservations, type EventRow } from '../../db/schema.js'
import { enqueueEmails, type EmailToQueue } from '../../mail/outbox.js'
import { oneLine, type EmailData } from '../../mail/templates.js'
import type { SessionRow } from './session-view.js'

export type Update = EmailData['session-reservation']['update']
export type Mail = Pick<Config, 'publicUrl'>

interface Holder {
  reservationId: string
  registrationId: string
  email: string
  name: string
  language: string
  people: number
  waitlistPosition?: number
}

/** One email about a reservation; the link opens the registration's page (the front end asks for the manage token). */
export function reservationEmail(config: Mail, event: EventRow, session: SessionRow, roomName: string, holder: Holder, update: Update, dedupeKey?: string): EmailToQueue {
  return {
    to: holder.email,
    template: 'session-reservation',
    locale: holder.language,
    eventId: event.id,
    ...(dedupeKey ? { dedupeKey } : {}),
    data: {
      name: oneLine(holder.name),
      update,
      eventTitle: oneLine(event.title),
      timezone: event.timezone,
      venueName: oneLine(event.venueName),
      venueAddress: event.venueAddress,
      sessionTitle: oneLine(session.title),
      startsAt: session.startsAt.toISOString(),
      endsAt: session.endsAt.toISOString(),
      roomName: oneLine(roomName),
      people: holder.people,
      ...(holder.waitlistPosition ? { waitlistPosition: holder.waitlistPosition } : {}),
      sessionId: session.id,
      registrationId: holder.registrationId,
      manageUrl: `${config.publicUrl}/registrations/${holder.registrationId}`,
    },
  }
}

async function context(tx: Queryable, session: SessionRow) {
  const [row] = await tx
    .select({ event: events, roomName: rooms.name })
    .from(events)
    .innerJoin(rooms, eq(rooms.id, session.roomId))
    .where(eq(events.id, session.eventId))
  return row
}

/** Emails the holders of the given reservations (erased people have no address left): in the caller's transaction. */
export async function emailHolders(tx: Queryable, config: Mail, session: SessionRow, reservationIds: string[], update: Update): Promise<void> {
  if (reservationIds.length === 0) return
  const { event, roomName } = await context(tx, session)
  const holders = await tx
    .select({
      reservationId: sessionReservations.id,
      registrationId: registrations.id,
      email: registrations.email,
      name: registrations.name,
      language: registrations.language,
      people: sessionReservations.people,
      erasedAt: registrations.erasedAt,
    })
    .from(sessionReservations)
    .innerJoin(registrations, eq(registrations.id, sessionReservations.registrationId))
    .where(inArray(sessionReservations.id, reservationIds))
  await enqueueEmails(
    tx,
    holders.filter((h) => !h.erasedAt).map((h) => reservationEmail(config, event, session, roomName, h, update)),
  )
}

/** The live reservations of a session (reserved and waitlisted), their ids. */
export async function liveReservationIds(tx: Queryable, sessionId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: sessionReservations.id })
    .from(sessionReservations)
    .where(and(eq(sessionReservations.sessionId, sessionId), ne(sessionReservations.status, 'cancelled')))
  return rows.map((r) => r.id)
}
