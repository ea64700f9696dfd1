import type { Database } from '../../db/client.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { findEvent, loadEvent } from '../events/event-access.js'

/** Who scans at which event's door: a scanner device (with its gate), or an organizer's account (no gate). */
export interface Door {
  eventId: string
  scannerId: string | null
  accountId: string | null
  gate: string | null
  /** a scanner bound to a room of the program (scans there only); null for the event's doors and organizers */
  roomId?: string | null
}

/**
 * The door routes (scans, snapshot, attendee search, occupancy) take a scanner token of the event, or a session
 * of its staff (admins and its organizers). A scanner addressing its own event by id needs no database read, so
 * that a forged code costs nothing but the signature check. Elsewhere the rule of every event route applies: no
 * credentials 401, an event the caller may not know exists 404, one they can see but not work at 403.
 */
export async function doorOf(db: Database, principal: Principal | null, idOrSlug: string): Promise<Door> {
  if (principal?.kind === 'scanner') {
    if (idOrSlug.toLowerCase() === principal.eventId) return scannerDoor(principal)
    const event = await findEvent(db, idOrSlug)
    if (event?.id === principal.eventId) return scannerDoor(principal)
    if (event?.publishedAt) throw Problem.forbidden('This scanner belongs to another event.')
    throw Problem.notFound('event')
  }
  const event = await loadEvent(db, principal, idOrSlug, 'manage')
  if (principal?.kind !== 'account') throw Problem.forbidden()
  return { eventId: event.id, scannerId: null, accountId: principal.account.id, gate: null }
}

const scannerDoor = (principal: Extract<Principal, { kind: 'scanner' }>): Door => ({
  eventId: principal.eventId,
  scannerId: principal.scannerId,
  accountId: null,
  gate: principal.gate,
  roomId: principal.roomId,
})

/** The event's door (its check-in routes) is not a room-bound scanner's: it scans at its room only. */
export function eventDoorOf(door: Door): Door {
  if (door.roomId) throw Problem.forbidden('This scanner is bound to a room: it scans that room\'s sessions only.')
  return door
}
