/**
 * Where this phone scans. Today: the fair's door. The seam for the room door (issue "program"): a scanner bound
 * to a room opens at that room's current session and scans through `POST /v1/sessions/{sessionId}/checkins`,
 * which answers like the event door. Only this file and the pairing link need to learn about sessions.
 */
export type ScanTarget = { kind: 'event'; eventId: string }

export const checkinPath = (target: ScanTarget) => `/v1/events/${encodeURIComponent(target.eventId)}/checkins`
export const eventIdOf = (target: ScanTarget) => target.eventId

/** `#event={eventId}&token=vmd_…` as the scanners service writes it; null when the fragment is no pairing link. */
export function readPairingFragment(hash: string): { token: string; target: ScanTarget } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const eventId = params.get('event')
  const token = params.get('token')
  if (!eventId || !token || !/^vmd_[A-Za-z0-9_-]{20,100}$/.test(token) || !/^[A-Za-z0-9_-]{1,100}$/.test(eventId)) return null
  // A `room=` parameter (a scanner bound to a room) would choose { kind: 'session' } here, once sessions exist.
  return { token, target: { kind: 'event', eventId } }
}
