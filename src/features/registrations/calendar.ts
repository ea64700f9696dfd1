/*
 * The .ics file of a registration, attached to the confirmation email and served at
 * GET /v1/registrations/{id}/calendar.ics. The format itself is src/shared/ics.ts.
 */
import { calendarFile, locationLine } from '../../shared/ics.js'

export { CALENDAR_CONTENT_TYPE, escapeText, foldLine } from '../../shared/ics.js'

export interface RegistrationCalendarInput {
  registrationId: string
  eventTitle: string
  /** plain text, may hold line breaks */
  description?: string | null
  startsAt: Date | string
  endsAt: Date | string
  /** IANA time zone of the event */
  timezone: string
  venueName: string
  /** may hold line breaks; written on one line, parts joined with ", " */
  venueAddress: string
  /** the manage link (PUBLIC_URL/registrations/{id}?token=…) */
  url?: string | null
  /** a cancelled registration or event: calendars that already hold the entry mark it cancelled */
  cancelled?: boolean
  /** DTSTAMP, when this file was made; now by default */
  stamp?: Date
}

const PRODID = '-//Vereinsmesse//Vereinsmesse Registrations//EN'

/** The same UID for every file of one registration, so importing it again updates the entry instead of adding one. */
export function registrationUid(registrationId: string): string {
  return `registration-${registrationId.toLowerCase()}@vereinsmesse`
}

/** RFC 5545 text for one registration: METHOD:PUBLISH, a VTIMEZONE and one VEVENT, CRLF line ends, folded lines. */
export function registrationCalendar(input: RegistrationCalendarInput): string {
  const entry = {
    uid: registrationUid(input.registrationId),
    title: input.eventTitle,
    description: input.description,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    location: locationLine(input.venueName, input.venueAddress),
    url: input.url,
    cancelled: input.cancelled,
  }
  return calendarFile([entry], input.timezone, { prodId: PRODID, stamp: input.stamp })
}
