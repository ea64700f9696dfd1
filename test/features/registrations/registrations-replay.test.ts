import t from 'tap'
import { eq } from 'drizzle-orm'
import { events } from '../../../src/db/schema.js'
import { build, eventBody } from '../../helpers/app.js'

t.test('a retry with its Idempotency-Key is answered even after registration closed', async (t) => {
  const { app, db, account } = await build(t)
  const admin = await account('admin')
  const event = (await app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })).json()
  await app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth })
  const request = {
    method: 'POST' as const,
    url: `/v1/events/${event.id}/registrations`,
    headers: { 'idempotency-key': 'retry-after-close' },
    payload: { email: 'late@example.org', name: 'Late Retry', consent: { privacy: true } },
  }
  const first = await app.inject(request)
  t.equal(first.statusCode, 201)

  await db.update(events).set({ registrationClosesAt: new Date(Date.now() - 1000) }).where(eq(events.id, event.id))
  const retry = await app.inject(request)
  t.equal(retry.statusCode, 201, 'the retry replays')
  t.equal(retry.json().id, first.json().id)
  t.equal(retry.json().ticket.id, first.json().ticket.id)

  const fresh = await app.inject({ ...request, headers: { 'idempotency-key': 'new-after-close' }, payload: { ...request.payload, email: 'new@example.org' } })
  t.equal(fresh.statusCode, 409)
  t.equal(fresh.json().code, 'registration_closed')
})
