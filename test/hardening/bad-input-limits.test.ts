import t from 'tap'
import { BODY_LIMITS, DEFAULT_BODY_LIMIT, routeCatalog } from '../../src/http/body-limits.js'
import { MAX_BATCH } from '../../src/features/checkin/checkins.schemas.js'
import { MAX_IMPORT_ROWS } from '../../src/features/stands/stand-import.js'
import { eventBody } from '../helpers/app.js'
import { signUpBody } from '../helpers/associations.js'
import { corpusFixtures, type Json } from '../helpers/bad-input.js'

// Body limits are set per route in src/http/body-limits.ts. Here: every route with a body answers 413 problem+json
// one byte over its limit, and the enlarged ones take a maximal legitimate body (measured) and a body of exactly
// their limit.

/** A character that takes 4 bytes of UTF-8 but counts as one towards maxLength: the worst case for a limit. */
const WIDE = '😀'
const wide = (n: number) => WIDE.repeat(n)

const padTo = (text: string, bytes: number) => text + ' '.repeat(bytes - Buffer.byteLength(text))

t.test('every route with a body has a deliberate limit: 413 problem+json one byte over it', async (t) => {
  const { setup, routes } = await corpusFixtures(t)
  const { app } = setup.ctx
  const catalog = routeCatalog(app).filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !r.url.startsWith('/docs'))
  t.ok(catalog.length >= 35, `${catalog.length} routes can take a body`)
  for (const key of Object.keys(BODY_LIMITS)) t.ok(catalog.some((r) => `${r.method} ${r.url}` === key), `the limit table names a real route: ${key}`)
  for (const route of catalog) {
    const key = `${route.method} ${route.url}`
    t.equal(route.bodyLimit, BODY_LIMITS[key]?.bytes ?? DEFAULT_BODY_LIMIT, `${key}: the table's limit`)
    const fixture = routes[key]
    const url = fixture?.url ?? route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
    const over = await app.inject({
      method: route.method as 'POST',
      url,
      headers: { ...fixture?.headers, 'content-type': 'application/json' },
      payload: padTo(JSON.stringify(fixture?.body ?? {}), route.bodyLimit + 1),
    })
    t.equal(over.statusCode, 413, `${key}: ${route.bodyLimit + 1} bytes are refused`)
    t.match(over.headers['content-type'], /^application\/problem\+json/)
    t.equal(over.json().code, 'payload_too_large')
  }
  // A text/csv stand plan is held to the same limit as a JSON one.
  const imp = routes['POST /v1/events/:eventId/stands/import']
  const limit = BODY_LIMITS['POST /v1/events/:eventId/stands/import'].bytes
  const csv = await app.inject({ method: 'POST', url: imp.url, headers: { ...imp.headers, 'content-type': 'text/csv' }, payload: padTo('code\nA1\n', limit + 1) })
  t.equal(csv.statusCode, 413, 'a CSV plan one byte over the limit is refused')
  t.equal(csv.json().code, 'payload_too_large')
})

t.test('the enlarged limits take a maximal legitimate body and a body of exactly the limit', async (t) => {
  const { setup, routes } = await corpusFixtures(t)
  const { app } = setup.ctx
  const send = (key: string, payload: string, contentType = 'application/json') => {
    const fixture = routes[key]
    const [method] = key.split(' ')
    return app.inject({ method: method as 'POST', url: fixture.url, headers: { ...fixture.headers, 'content-type': contentType }, payload })
  }
  const limitOf = (key: string) => BODY_LIMITS[key]?.bytes ?? DEFAULT_BODY_LIMIT
  const sizes: Record<string, number> = {}
  const check = async (key: string, body: Json, status: number) => {
    const text = JSON.stringify(body)
    sizes[key] = Buffer.byteLength(text)
    t.ok(sizes[key] < limitOf(key), `${key}: a maximal legitimate body (${sizes[key]} bytes) fits in ${limitOf(key)}`)
    const res = await send(key, text)
    t.equal(res.statusCode, status, `${key}: the maximal body is taken (${res.statusCode === status ? '' : res.body.slice(0, 300)})`)
  }
  const atLimit = async (key: string, body: Json, status: number, contentType?: string) => {
    const res = await send(key, padTo(typeof body === 'string' ? body : JSON.stringify(body), limitOf(key)), contentType)
    t.equal(res.statusCode, status, `${key}: exactly ${limitOf(key)} bytes are taken (${res.statusCode === status ? '' : res.body.slice(0, 300)})`)
  }

  // Stand plan: MAX_IMPORT_ROWS stands with every field at its longest.
  const IMPORT = 'POST /v1/events/:eventId/stands/import'
  // The import counts a code's length in UTF-16 units: a 3-byte character is its worst case.
  const stand = (i: number) => ({
    code: `${i}`.padStart(6, '0') + '€'.repeat(26),
    area: '€'.repeat(100),
    widthM: 99.99,
    depthM: 99.99,
    priceCents: 9999999,
    features: { power: true, tables: 100, chairs: 100 },
    position: { x: 99999.5, y: 99999.5, w: 99999.5, h: 99999.5 },
  })
  await check(IMPORT, Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => stand(i)), 201)
  await atLimit(IMPORT, [{ code: 'LIMIT-1' }], 201)
  const csvRows = Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => `C${i}`.padStart(6, '0') + '€'.repeat(26) + `;${'€'.repeat(100)};99,99;99,99;9999999;EUR;ja;100;100;99999,5;99999,5;99999,5;99999,5`)
  const csv = ['code;area;widthM;depthM;priceCents;currency;power;tables;chairs;x;y;w;h', ...csvRows].join('\r\n')
  sizes[`${IMPORT} (CSV)`] = Buffer.byteLength(csv)
  t.ok(Buffer.byteLength(csv) < limitOf(IMPORT), `a maximal CSV plan (${Buffer.byteLength(csv)} bytes) fits`)
  const csvRes = await send(IMPORT, csv, 'text/csv')
  t.equal(csvRes.statusCode, 201, `the maximal CSV plan is taken (${csvRes.statusCode === 201 ? '' : csvRes.body.slice(0, 300)})`)

  // Offline check-in batch: MAX_BATCH scans with a code as long as a genuine one can be, a time and a 64-character nonce.
  const BATCH = 'POST /v1/events/:eventId/checkins/batch'
  const guest = await setup.register(routes['POST /v1/events/:eventId/checkins'].url.split('/')[3])
  const code = guest.ticket.code.padEnd(200, 'x')
  const scannedAt = new Date(Date.now() - 60_000).toISOString()
  const scans = Array.from({ length: MAX_BATCH }, (_, i) => ({ code, direction: i % 2 ? 'exit' : 'entry', scannedAt, nonce: `${i}`.padStart(64, 'n') }))
  await check(BATCH, { scans }, 200)
  await atLimit(BATCH, { scans: [{ code: guest.ticket.code, nonce: 'limit' }] }, 200)

  // Texts counted in characters: the worst case is every character taking 4 bytes.
  const ANNOUNCE = 'POST /v1/events/:eventId/announcements'
  await check(ANNOUNCE, { audience: 'all', subject: wide(200), body: wide(10_000) }, 202)
  await atLimit(ANNOUNCE, { audience: 'all', subject: 'Limit', body: 'Genau an der Grenze.' }, 202)

  const eventText = { title: wide(200), description: wide(10_000), venue: { name: wide(200), address: wide(500) }, timezone: 'Europe/Berlin' }
  await check('POST /v1/events', eventBody({ ...eventText, reminders: Array.from({ length: 10 }, (_, i) => ({ audience: 'visitors', minutesBefore: 43200 - i })) }) as Json, 201)
  await atLimit('POST /v1/events', eventBody() as Json, 201)
  await check('PATCH /v1/events/:eventId', eventText, 200)
  await atLimit('PATCH /v1/events/:eventId', { title: 'Vereinsmesse an der Grenze' }, 200)

  const association = { name: wide(200), legalForm: wide(100), address: wide(500), website: `https://${wide(480)}`, description: wide(5000), contactPhone: wide(50), registerNumber: wide(100) }
  const signUp = signUpBody({ association, contact: { name: wide(200), password: wide(200) } }) as { association: Record<string, Json> }
  signUp.association.fieldsOfActivity = ['culture']
  await check('POST /v1/associations', signUp as Json, 201)
  await atLimit('POST /v1/associations', signUpBody() as Json, 201)
  await check('PATCH /v1/associations/:id', association, 200)
  await atLimit('PATCH /v1/associations/:id', { name: 'Verein an der Grenze' }, 200)

  // The default is enough for the largest ordinary bodies.
  await check('POST /v1/events/:eventId/registrations', { email: 'wide@example.org', name: wide(200), partySize: 1, language: 'ar', consent: { privacy: true }, accessibilityNeeds: wide(2000) }, 201)
  await check('POST /v1/stand-bookings/:id/reject', { reason: wide(2000) }, 200)
  t.comment(`maximal legitimate bodies (bytes): ${JSON.stringify(sizes)}`)
})
