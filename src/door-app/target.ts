/**
 * Where this phone scans. A scanner of the event pairs with `{kind: 'event'}`: the fair's door, or any session of
 * the program its staff pick. A scanner bound to a room (`&room=` in the pairing link) pairs with `{kind: 'room'}`:
 * it opens at that room's current session and scans through `POST /v1/sessions/{sessionId}/checkins`, which
 * answers like the event door.
 */
export type ScanTarget = { kind: 'event'; eventId: string } | { kind: 'room'; eventId: string; roomId: string }

/** A session as the snapshot carries it. */
export interface SnapshotSession {
  id: string
  roomId: string
  title: string
  startsAt: string
  endsAt: string
  seats: number
  reservation: 'required' | 'open'
  status: 'published' | 'cancelled'
  reservedTickets: string[]
}

export const checkinPath = (target: ScanTarget, sessionId: string | null) =>
  sessionId ? `/v1/sessions/${encodeURIComponent(sessionId)}/checkins` : `/v1/events/${encodeURIComponent(target.eventId)}/checkins`
export const eventIdOf = (target: ScanTarget) => target.eventId

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString()

/**
 * A room's current session: the published one running now, else the next one starting later today; null when the
 * room has none left today.
 */
export function currentSession(sessions: SnapshotSession[], roomId: string, now = new Date()): SnapshotSession | null {
  const mine = sessions.filter((s) => s.roomId === roomId && s.status === 'published').sort((a, b) => a.startsAt.localeCompare(b.startsAt))
  const running = mine.find((s) => new Date(s.startsAt) <= now && now < new Date(s.endsAt))
  return running ?? mine.find((s) => new Date(s.startsAt) > now && sameDay(new Date(s.startsAt), now)) ?? null
}

const ID = /^[A-Za-z0-9_-]{1,100}$/

/** `#event={eventId}[&room={roomId}]&token=vmd_…` as the scanners service writes it; null when the fragment is no pairing link. */
export function readPairingFragment(hash: string): { token: string; target: ScanTarget } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const eventId = params.get('event')
  const roomId = params.get('room')
  const token = params.get('token')
  if (!eventId || !token || !/^vmd_[A-Za-z0-9_-]{20,100}$/.test(token) || !ID.test(eventId)) return null
  if (roomId !== null) return ID.test(roomId) ? { token, target: { kind: 'room', eventId, roomId } } : null
  return { token, target: { kind: 'event', eventId } }
}
