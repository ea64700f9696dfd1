import type { EventRow } from '../db/schema.js'
import { oneLine } from './templates.js'

/** When and where the fair is, as every email about it carries it (one-line fields for subjects). */
export function eventEmailFields(event: EventRow) {
  return {
    eventTitle: oneLine(event.title),
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    timezone: event.timezone,
    venueName: oneLine(event.venueName),
    venueAddress: event.venueAddress,
  }
}
