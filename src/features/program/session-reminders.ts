import { and, eq, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database } from '../../db/client.js'
import { events, programSessions, registrations, rooms, sessionReservations } from '../../db/schema.js'
import { enqueueEmails } from '../../mail/outbox.js'
import { reservationEmail } from './program-emails.js'

/** Once per reservation and session start: a session moved later reminds again at its new time. */
export const sessionReminderKey = (reservationId: string, startsAt: Date) => `session-reminder:${reservationId}:${startsAt.getTime()}`

/**
 * Queues the reminders that are due: `sessionReminderMinutesBefore` (an event field) before each published session
 * that has not started, to every holder of a reserved seat who reserved before the reminder was due (a seat taken
 * later was just confirmed by email). Computed when due, like the event reminders: nothing is stored ahead, so a
 * session that moves reminds at its new time and a cancelled one reminds nobody; the dedupe key sends each once.
 */
export async function queueDueSessionReminders(db: Database, config: Pick<Config, 'publicUrl'>, now = new Date()): Promise<number> {
  const nowSql = sql`${now.toISOString()}::timestamptz`
  const dueAt = sql`${programSessions.startsAt} - make_interval(mins => ${events.sessionReminderMinutesBefore})`
  const rows = await db
    .select({ reservation: sessionReservations, session: programSessions, event: events, roomName: rooms.name, registration: registrations })
    .from(sessionReservations)
    .innerJoin(programSessions, eq(programSessions.id, sessionReservations.sessionId))
    .innerJoin(events, eq(events.id, programSessions.eventId))
    .innerJoin(rooms, eq(rooms.id, programSessions.roomId))
    .innerJoin(registrations, eq(registrations.id, sessionReservations.registrationId))
    .where(
      and(
        eq(sessionReservations.status, 'reserved'),
        eq(programSessions.status, 'published'),
        eq(events.status, 'published'),
        sql`${registrations.erasedAt} is null`,
        sql`${programSessions.startsAt} > ${nowSql}`,
        sql`${dueAt} <= ${nowSql}`,
        sql`${sessionReservations.createdAt} <= ${dueAt}`,
        sql`not exists (select 1 from outbox_emails o where o.dedupe_key = 'session-reminder:' || ${sessionReservations.id}::text || ':' || (extract(epoch from ${programSessions.startsAt}) * 1000)::bigint::text)`,
      ),
    )
    .limit(1000)
  return enqueueEmails(
    db,
    rows.map((r) =>
      reservationEmail(
        config,
        r.event,
        r.session,
        r.roomName,
        { reservationId: r.reservation.id, registrationId: r.registration.id, email: r.registration.email, name: r.registration.name, language: r.registration.language, people: r.reservation.people },
        'reminder',
        sessionReminderKey(r.reservation.id, r.session.startsAt),
      ),
    ),
  )
}
