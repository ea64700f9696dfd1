import t from 'tap'
import { corpusFixtures, tableDigests } from '../helpers/bad-input.js'

// Inputs the schemas took that then failed in PostgreSQL or in a JS Date (500s the bad-input corpus found).
// Each is now a 400 problem+json naming the field, and nothing is written.
t.test('inputs the database cannot hold are 400s, not 500s', async (t) => {
  const { setup, routes } = await corpusFixtures(t)
  const { app, db } = setup.ctx
  const before = await tableDigests(db)
  const send = async (key: string, change: Record<string, unknown> | null, query?: Record<string, string>, path?: string) => {
    const f = routes[key]
    const [method] = key.split(' ')
    const payload = change && { ...(f.body as object), ...change }
    const url = query ? `${f.url}?${new URLSearchParams({ ...f.query, ...query })}` : (path ?? f.url)
    const res = await app.inject({ method: method as 'POST', url, headers: f.headers, ...(payload ? { payload } : {}) })
    const label = `${key} ${JSON.stringify(change ?? query ?? path).slice(0, 90)}`
    t.equal(res.statusCode, 400, `${label}: ${res.statusCode === 400 ? '400' : res.body.slice(0, 200)}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'invalid_request')
    return res.json() as { errors?: { path: string }[] }
  }
  const booking = routes['POST /v1/events/:eventId/stand-bookings'].body as { associationId: string }
  const guestId = routes['PATCH /v1/registrations/:id'].url.split('/').pop()

  // ajv-formats' uuid took "urn:uuid:…"; PostgreSQL's uuid type does not.
  const urn = await send('POST /v1/events/:eventId/stand-bookings', { associationId: `urn:uuid:${booking.associationId}` })
  t.same(urn.errors?.map((e) => e.path), ['/body/associationId'])
  await send('POST /v1/stand-bookings/:id/approve', { standId: 'urn:uuid:00000000-0000-4000-8000-000000000000' })
  await send('POST /v1/events/:eventId/checkins', { code: undefined, ticketId: 'urn:uuid:00000000-0000-4000-8000-000000000000' })
  await send('GET /v1/events/:eventId/matches', null, { associationId: `urn:uuid:${booking.associationId}` })
  await send('PATCH /v1/registrations/:id', { name: 'x' }, undefined, `/v1/registrations/urn:uuid:${guestId}`)

  // PostgreSQL text holds no NUL; a lone surrogate is no character.
  const nul = await send('POST /v1/accounts', { email: 'nul@example.org', name: 'a\u0000b' })
  t.same(nul.errors?.map((e) => e.path), ['/body/name'])
  await send('POST /v1/events', { title: 'Messe\u0000' })
  await send('POST /v1/events', { description: 'x\u0000' })
  await send('POST /v1/events/:eventId/announcements', { body: 'x\u0000' })
  await send('POST /v1/vocabularies/:kind', { labels: { de: 'a\u0000', en: '', tr: '', ar: '' } })
  await send('PATCH /v1/associations/:id', { description: 'a\u0000' })
  await send('PATCH /v1/associations/:id', { address: 'a\u0000' })
  await send('POST /v1/events/:eventId/registrations', { name: 'a\uD800' })
  await send('POST /v1/events/:eventId/stand-bookings', { requirements: { notes: 'a\uD800' } })
  const imp = routes['POST /v1/events/:eventId/stands/import']
  const csv = await app.inject({ method: 'POST', url: imp.url, headers: { ...imp.headers, 'content-type': 'text/csv' }, payload: 'code,area\nA\u00001,Halle\n' })
  t.equal(csv.statusCode, 400, 'a CSV plan with a NUL is a 400')
  t.equal(csv.json().code, 'invalid_request')
  const q = await send('GET /v1/events/:eventId/attendees', null, { q: 'a\u0000' })
  t.same(q.errors?.map((e) => e.path), ['/querystring/q'])
  await send('GET /v1/events/:eventId/registrations', null, { q: 'a\u0000' })

  // A leap second passes the date-time format but is no JS Date; year 0 is no PostgreSQL timestamp.
  for (const scannedAt of ['2026-06-30T23:59:60Z', '0000-01-01T00:00:00Z']) {
    const scan = await send('POST /v1/events/:eventId/checkins', { scannedAt, nonce: `leap-${scannedAt}` })
    t.same(scan.errors?.map((e) => e.path), ['/body/scannedAt'])
  }
  for (const field of ['registrationClosesAt', 'standBookingClosesAt']) {
    const created = await send('POST /v1/events', { [field]: '0000-01-01T00:00:00Z' })
    t.same(created.errors?.map((e) => e.path), [`/body/${field}`])
    await send('PATCH /v1/events/:eventId', { [field]: '0000-01-01T00:00:00Z' })
  }
  t.same(await tableDigests(db), before, 'nothing was written')
})
