import t from 'tap'
import { build, eventBody } from '../helpers/app.js'

// A creation answers 201 with Location, where its declaration (*.docs.ts `location`) says the thing lives; the
// hook that sets it is on those routes only, so no other answer carries one.

t.test('201 creations say where they live; other answers carry no Location', async (t) => {
  const { app, account } = await build(t)
  const admin = await account('admin')
  const created = await app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })
  t.equal(created.statusCode, 201, 'event created', { body: created.body })
  const eventId = created.json().id
  t.equal(created.headers.location, `/v1/events/${eventId}`, 'POST /v1/events')

  const published = await app.inject({ method: 'POST', url: `/v1/events/${eventId}/publish`, headers: admin.auth })
  t.equal(published.statusCode, 200)
  t.equal(published.headers.location, undefined, 'a 200 answer with an id has none')

  const registered = await app.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/registrations`,
    payload: { email: 'guest@example.org', name: 'Guest Visitor', partySize: 1, consent: { privacy: true } },
  })
  t.equal(registered.statusCode, 201, 'registered', { body: registered.body })
  t.equal(registered.headers.location, `/v1/registrations/${registered.json().id}`, 'POST /v1/events/{eventId}/registrations')

  const read = await app.inject({ method: 'GET', url: `/v1/events/${eventId}` })
  t.equal(read.statusCode, 200)
  t.equal(read.headers.location, undefined, 'a read has none')

  const refused = await app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: {} })
  t.equal(refused.statusCode, 400)
  t.equal(refused.headers.location, undefined, 'a refused creation has none')
})
