import t from 'tap'
import { eq } from 'drizzle-orm'
import { stands } from '../../../src/db/schema.js'
import { problem } from '../../helpers/problem.js'
import { must, standsSetup } from '../../helpers/stands.js'

// Stands one by one: POST /v1/events/{eventId}/stands, GET (public, with `available`), PATCH and DELETE
// /v1/stands/{standId}. Plans: stand-import-route.test.ts.

const s = await standsSetup(t)
const { inject, organizer, admin } = s
const fair = await s.event()
const exhibitor = await s.association('Kulturverein Nordstadt')

t.test('organizers create stands; the body is held to the import rules', async (t) => {
  const res = await inject('POST', `/v1/events/${fair.id}/stands`, organizer.auth, {
    code: ' A-1 ',
    area: 'Halle 1',
    widthM: 3,
    depthM: 2.5,
    priceCents: 12000,
    features: { power: true, tables: 1, chairs: 2 },
    position: { x: 10, y: 20, w: 30, h: 25 },
  })
  const stand = must(res, 201)
  t.match(stand, { code: 'A-1', area: 'Halle 1', widthM: 3, depthM: 2.5, priceCents: 12000, currency: 'EUR', features: { power: true, tables: 1, chairs: 2 }, position: { x: 10, y: 20, w: 30, h: 25 }, available: true })

  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, organizer.auth, { code: 'a-1' }), 409, 'stand_code_taken')
  const bad = problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, organizer.auth, { code: 'B-1', widthM: 2.555 }), 400, 'invalid_request')
  t.same(bad.errors, [{ path: '/body/widthM', message: 'At most two decimals (centimetres).' }])
  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, organizer.auth, { code: 'B-1', colour: 'red' }), 400, 'invalid_request')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, organizer.auth, { code: 'B-1', position: { x: 1, y: 1 } }), 400, 'invalid_request')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, exhibitor.member.auth, { code: 'B-1' }), 403, 'forbidden')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, undefined, { code: 'B-1' }), 401, 'unauthenticated')
  const other = await s.ctx.account('organizer')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stands`, other.auth, { code: 'B-1' }), 403, 'forbidden')
  must(await inject('POST', `/v1/events/${fair.id}/stands`, admin.auth, { code: 'B-1' }), 201)
})

t.test('the public list shows availability; drafts stay hidden', async (t) => {
  const fair2 = await s.event()
  const a = await s.stand(fair2.id, { code: 'A1' })
  const b = await s.stand(fair2.id, { code: 'b2' })
  const list = must(await inject('GET', `/v1/events/${fair2.id}/stands`), 200)
  t.same(list.items.map((x: { code: string; available: boolean }) => [x.code, x.available]), [['A1', true], ['b2', true]], 'sorted by code, ignoring case')
  const booking = await s.book(fair2.id, exhibitor)
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: b.id }), 200)
  const after = must(await inject('GET', `/v1/events/${fair2.id}/stands`), 200)
  t.same(after.items.map((x: { id: string; available: boolean }) => [x.id, x.available]), [[a.id, true], [b.id, false]])

  const draft = await s.event({}, { publish: false })
  problem(t, await inject('GET', `/v1/events/${draft.id}/stands`), 404, 'not_found')
  must(await inject('GET', `/v1/events/${draft.id}/stands`, organizer.auth), 200)
})

t.test('PATCH changes a stand; null clears; codes stay unique', async (t) => {
  const fair3 = await s.event()
  const a = await s.stand(fair3.id, { code: 'A1', area: 'Halle 1', position: { x: 1, y: 1, w: 2, h: 2 } })
  await s.stand(fair3.id, { code: 'A2' })
  const patched = must(await inject('PATCH', `/v1/stands/${a.id}`, organizer.auth, { area: null, position: null, priceCents: 5000, features: { power: true } }), 200)
  t.match(patched, { code: 'A1', area: null, position: null, priceCents: 5000, features: { power: true } })
  t.ok(new Date(patched.updatedAt) >= new Date(a.updatedAt))
  problem(t, await inject('PATCH', `/v1/stands/${a.id}`, organizer.auth, { code: 'a2' }), 409, 'stand_code_taken')
  must(await inject('PATCH', `/v1/stands/${a.id}`, organizer.auth, { code: 'a1' }), 200)
  problem(t, await inject('PATCH', `/v1/stands/${a.id}`, organizer.auth, {}), 400, 'invalid_request')
  problem(t, await inject('PATCH', `/v1/stands/${a.id}`, exhibitor.member.auth, { priceCents: 1 }), 403, 'forbidden')
  problem(t, await inject('PATCH', `/v1/stands/${a.id}`, undefined, { priceCents: 1 }), 401, 'unauthenticated')
  problem(t, await inject('PATCH', '/v1/stands/00000000-0000-4000-8000-000000000000', organizer.auth, { priceCents: 1 }), 404, 'not_found')
})

t.test('DELETE: a free stand goes, an assigned one is 409 stand_taken until freed', async (t) => {
  const fair4 = await s.event()
  const free = await s.stand(fair4.id)
  const held = await s.stand(fair4.id)
  t.equal(must(await inject('DELETE', `/v1/stands/${free.id}`, organizer.auth), 204) && true, true)
  t.same(await s.ctx.db.select().from(stands).where(eq(stands.id, free.id)), [])
  problem(t, await inject('DELETE', `/v1/stands/${free.id}`, organizer.auth), 404, 'not_found')

  const booking = await s.book(fair4.id, exhibitor)
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: held.id }), 200)
  problem(t, await inject('DELETE', `/v1/stands/${held.id}`, organizer.auth), 409, 'stand_taken')
  problem(t, await inject('DELETE', `/v1/stands/${held.id}`, exhibitor.member.auth), 403, 'forbidden')
  must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, organizer.auth), 200)
  must(await inject('DELETE', `/v1/stands/${held.id}`, organizer.auth), 204)
})
