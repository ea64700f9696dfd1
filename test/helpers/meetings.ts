import type { Test } from 'tap'
import { must, standsSetup, type Exhibitor, type Json, type StandsSetup } from './stands.js'

export { must, type Exhibitor, type Json }

export interface MeetingsSetup extends StandsSetup {
  /** a published fair with meetings enabled: one window of `slots` 20-minute slots from the event's start */
  fair(settings?: Record<string, unknown>): Promise<Json>
  /** an association with an approved booking on its own stand */
  exhibitor(eventId: string): Promise<Exhibitor & { standCode: string }>
  request(eventId: string, from: Exhibitor, to: Exhibitor, body?: Record<string, unknown>): Promise<Json>
}

export async function meetingsSetup(t: Test): Promise<MeetingsSetup> {
  const s = await standsSetup(t)
  return {
    ...s,
    async fair(settings = {}) {
      const event = await s.event()
      const start = new Date(event.startsAt)
      const meetings = { enabled: true, slotMinutes: 20, windows: [{ startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 2 * 3600_000).toISOString() }], tables: 2, maxPerAssociation: 8, ...settings }
      return must(await s.inject('PATCH', `/v1/events/${event.id}`, s.organizer.auth, { meetings }), 200)
    },
    async exhibitor(eventId) {
      const a = await s.association()
      const stand = await s.stand(eventId)
      const booking = await s.book(eventId, a)
      must(await s.inject('POST', `/v1/stand-bookings/${booking.id}/approve`, s.organizer.auth, { standId: stand.id }), 200)
      return { ...a, standCode: stand.code }
    },
    async request(eventId, from, to, body = {}) {
      return must(await s.inject('POST', `/v1/events/${eventId}/meetings`, from.member.auth, { fromAssociationId: from.id, toAssociationId: to.id, ...body }), 201)
    },
  }
}
