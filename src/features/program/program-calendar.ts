import { and, asc, eq } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Queryable } from '../../db/client.js'
import { programSessions, rooms, type EventRow } from '../../db/schema.js'
import { calendarFile, locationLine, type CalendarEntry } from '../../shared/ics.js'

export { CALENDAR_CONTENT_TYPE } from '../../shared/ics.js'

const PRODID = '-//Vereinsmesse//Vereinsmesse Program//EN'

/** One UID per session, in the program and in a visitor's reservation alike: importing either again updates the entry. */
export const sessionUid = (sessionId: string) => `session-${sessionId.toLowerCase()}@vereinsmesse`

export interface SessionEntryInput {
  sessionId: string
  sessionTitle: string
  eventTitle: string
  description?: string | null
  startsAt: Date | string
  endsAt: Date | string
  roomName: string
  venueName: string
  venueAddress: string
  url?: string
  cancelled?: boolean
}

function entry(input: SessionEntryInput): CalendarEntry {
  return {
    uid: sessionUid(input.sessionId),
    title: `${input.sessionTitle} (${input.eventTitle})`,
    description: input.description,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    location: locationLine(input.roomName, input.venueName, input.venueAddress),
    url: input.url,
    cancelled: input.cancelled,
  }
}

/** The .ics of one session (attached to reservation emails). */
export function sessionCalendar(input: SessionEntryInput, timezone: string, stamp?: Date): string {
  return calendarFile([entry(input)], timezone, { prodId: PRODID, stamp })
}

/** Every published session of the event, one VEVENT each. */
export async function programCalendar(db: Queryable, config: Pick<Config, 'publicUrl'>, event: EventRow): Promise<string> {
  const rows = await db
    .select({ session: programSessions, roomName: rooms.name })
    .from(programSessions)
    .innerJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(and(eq(programSessions.eventId, event.id), eq(programSessions.status, 'published')))
    .orderBy(asc(programSessions.startsAt), asc(programSessions.id))
  const entries = rows.map(({ session, roomName }) =>
    entry({
      sessionId: session.id,
      sessionTitle: session.title,
      eventTitle: event.title,
      description: session.description,
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      roomName,
      venueName: event.venueName,
      venueAddress: event.venueAddress,
      url: `${config.publicUrl}/events/${event.slug}/sessions/${session.id}`,
    }),
  )
  return calendarFile(entries, event.timezone, { prodId: PRODID })
}
