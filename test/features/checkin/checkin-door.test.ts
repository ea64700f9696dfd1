import t from 'tap'
import { createPublicKey } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { rawRows } from '../../../src/db/client.js'
import { readTicketCode, verifyTicketCode } from '../../../src/features/tickets/ticket-codes.js'
import { bearer, doorSetup, must, type Json } from '../../helpers/door.js'
import { problem } from '../../helpers/problem.js'

// What a door needs besides scanning: the offline snapshot (with its ETag), the attendee search, the occupancy;
// and the organizers' stats.

t.test('the snapshot: enough to judge alone, and cheap to poll', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const empty = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, phone.auth)
  t.match(must(empty, 200), { eventId: fair.id, publicKeys: [], tickets: [], revoked: [] }, 'no tickets yet: no key either')

  const guest = await d.register(fair.id, 3, 'Zeynep Kaya')
  const gone = await d.register(fair.id, 1, 'Gone Person')
  must(await d.inject('DELETE', `/v1/registrations/${gone.id}`, bearer(gone.manageToken)), 204)
  const pass = await d.exhibitorPass(fair.id, null)
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code })

  const res = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, phone.auth)
  const snapshot = must(res, 200)
  const etag = String(res.headers.etag)
  t.match(etag, /^"[A-Za-z0-9_-]{16,}"$/, 'a strong ETag')
  t.equal(res.headers['cache-control'], 'private, no-cache')
  t.match(String(res.headers.vary), /authorization/i)
  t.ok(Math.abs(Date.parse(snapshot.generatedAt) - Date.now()) < 60_000)
  t.same(
    [...snapshot.tickets].sort((a: Json, b: Json) => a.admits - b.admits || String(a.holderName).localeCompare(String(b.holderName))),
    [
      { id: gone.ticket.id, kind: 'visitor', holderName: 'Gone Person', admits: 1, status: 'revoked', checkedIn: false },
      { id: pass.id, kind: 'exhibitor', holderName: null, admits: 1, status: 'valid', checkedIn: false },
      { id: guest.ticket.id, kind: 'visitor', holderName: 'Zeynep Kaya', admits: 3, status: 'valid', checkedIn: true },
    ].sort((a, b) => a.admits - b.admits || String(a.holderName).localeCompare(String(b.holderName))),
  )
  t.same(snapshot.revoked, [gone.ticket.id])

  // A scanner holding only the snapshot checks a code with the public key, offline.
  t.equal(snapshot.publicKeys.length, 1)
  const [{ kid, algorithm, key }] = snapshot.publicKeys
  t.equal(algorithm, 'Ed25519')
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' })
  t.equal(readTicketCode(guest.ticket.code)?.kid, kid)
  t.equal(verifyTicketCode(guest.ticket.code, publicKey, kid), guest.ticket.id, 'a genuine code verifies with the snapshot alone')
  const forged = guest.ticket.code.slice(0, 40) + (guest.ticket.code[40] === 'A' ? 'B' : 'A') + guest.ticket.code.slice(41)
  t.equal(verifyTicketCode(forged, publicKey, kid), null, 'a forged one does not')

  const again = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...phone.auth, 'if-none-match': etag })
  t.equal(again.statusCode, 304, 'unchanged: 304')
  t.equal(again.body, '')
  t.equal(again.headers.etag, etag)
  const byOrganizer = await d.inject('GET', `/v1/events/${fair.slug}/checkin-snapshot`, { ...d.organizer.auth, 'if-none-match': `"x", ${etag}` })
  t.equal(byOrganizer.statusCode, 304, 'the same tag for the organizer, by slug, in a list')

  const changes: [string, () => Promise<unknown>][] = [
    ['a scan', () => d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit' })],
    ['a new registration', () => d.register(fair.id, 1)],
    ['a name change', () => d.inject('PATCH', `/v1/registrations/${guest.id}`, bearer(guest.manageToken), { name: 'Zeynep K.' })],
    ['a cancellation', () => d.inject('DELETE', `/v1/registrations/${guest.id}`, bearer(guest.manageToken))],
  ]
  let tag = etag
  for (const [what, change] of changes) {
    await change()
    const after = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...phone.auth, 'if-none-match': tag })
    t.equal(after.statusCode, 200, `${what}: a new snapshot`)
    t.not(after.headers.etag, tag, `${what}: a new tag`)
    tag = String(after.headers.etag)
  }
  t.equal((await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...phone.auth, 'if-none-match': tag })).statusCode, 304)
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`), 401, 'unauthenticated')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, bearer(guest.manageToken)), 403, 'forbidden')
})

t.test('the door search', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const otherFair = await d.event()
  const phone = await d.scanner(fair.id)
  const ayse = await d.register(fair.id, 2, 'Ayşe Yılmaz', 'ayse.yilmaz@example.org')
  const jean = await d.register(fair.id, 1, "Jean-Luc O'Brien", 'jl@example.net')
  const gone = await d.register(fair.id, 1, 'Ayla Gone', 'ayla@example.org')
  must(await d.inject('DELETE', `/v1/registrations/${gone.id}`, bearer(gone.manageToken)), 204)
  await d.register(otherFair.id, 1, 'Ayşe Elsewhere', 'ayse.else@example.org')
  const pass = await d.exhibitorPass(fair.id, 'Mehmet Öztürk')
  await d.register(fair.id, 1, 'Percent 100% Under_score', 'odd@example.org')
  await d.scan(fair.id, phone.auth, { code: ayse.ticket.code })

  const search = async (q: string, auth = phone.auth) =>
    must(await d.inject('GET', `/v1/events/${fair.id}/attendees?q=${encodeURIComponent(q)}`, auth), 200).items as Json[]
  const names = async (q: string) => (await search(q)).map((i) => i.name)

  const [hit] = await search('ayse')
  t.same(hit, { ticketId: ayse.ticket.id, kind: 'visitor', name: 'Ayşe Yılmaz', admits: 2, checkedIn: true, associationName: null })
  for (const q of ['ays', 'AYŞE', 'Ayşe', 'yil', 'YILMAZ', 'yılmaz', 'ayse yil', 'yil ay', ' ayse ']) {
    t.same(await names(q), ['Ayşe Yılmaz'], `"${q}"`)
  }
  t.same(await names('ayse.yil'), ['Ayşe Yılmaz'], 'the start of the email')
  t.same(await names('jl@exa'), ["Jean-Luc O'Brien"], 'an email that shares nothing with the name')
  t.same(await names('luc'), ["Jean-Luc O'Brien"], 'a part of a hyphenated name')
  t.same(await names('obri'), [], "O'Brien is two words to PostgreSQL: o and brien")
  t.same(await names('brie'), ["Jean-Luc O'Brien"])
  t.same(await names('lmaz'), [], 'words are matched from their start')
  t.same(await names('example.org'), [], 'the email only from its start')
  t.same(await names('ayla'), [], 'revoked tickets are not found')
  t.same(await names('else'), [], "another event's attendees are not found")
  t.same(await search('ozt'), [{ ticketId: pass.id, kind: 'exhibitor', name: 'Mehmet Öztürk', admits: 1, checkedIn: false, associationName: null }])
  t.same(await names('100%'), ['Percent 100% Under_score'], '% is plain text')
  t.same(await names('%%'), [], 'and matches no email either')
  t.same(await names('__'), [])
  t.same(await names('ay'), ['Ayşe Yılmaz'], 'two characters')
  t.same((await search('ay', d.organizer.auth)).length, 1, 'organizers search too')

  for (let i = 0; i < 5; i++) await d.register(fair.id, 1, `Many Name ${i}`)
  t.equal((await search('many')).length, 5)
  t.equal(must(await d.inject('GET', `/v1/events/${fair.id}/attendees?q=many&limit=3`, phone.auth), 200).items.length, 3, 'limit')
  for (const q of ['', 'a', 'x'.repeat(101)]) {
    problem(t, await d.inject('GET', `/v1/events/${fair.id}/attendees?q=${q}`, phone.auth), 400, 'invalid_request')
  }
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/attendees`, phone.auth), 400, 'invalid_request')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/attendees?q=ay`), 401, 'unauthenticated')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/attendees?q=ay`, bearer(ayse.manageToken)), 403, 'forbidden')

  // The found ticket is checked in by its id.
  t.equal((await d.scan(fair.id, phone.auth, { ticketId: (await search('luc'))[0].ticketId })).status, 'ok')
  t.equal((await search('luc'))[0].checkedIn, true)
})

t.test('the door search uses its indexes on a big event', async (t) => {
  // 3,000 registrations with tickets (written directly; registering them one by one would take a minute), analysed:
  // the planner must then pick the two indexes made for the search, as on the day of a real fair.
  const d = await doorSetup(t)
  const fair = await d.event({ visitorCapacity: 5000 })
  await d.ctx.db.execute(sql`
    insert into registrations (id, event_id, email, name, party_size, language, status, consent_privacy_at)
    select gen_random_uuid(), ${fair.id}::uuid, 'person-' || n || '@example.org', 'Person ' || n || ' Name' || (n % 97), 1, 'de', 'confirmed', now()
    from generate_series(1, 3000) n`)
  await d.ctx.db.execute(sql`
    insert into tickets (event_id, kind, registration_id, holder_name, admits, code)
    select event_id, 'visitor', id, name, 1, 'not-a-real-code' from registrations where event_id = ${fair.id}::uuid`)
  await d.register(fair.id, 1, 'Zeynep Kaya', 'zeynep@example.org')
  await d.ctx.db.execute(sql`analyze registrations`)
  await d.ctx.db.execute(sql`analyze tickets`)
  const plan = async (query: ReturnType<typeof sql>) =>
    (await rawRows<Record<string, string>>(d.ctx.db, sql`explain ${query}`)).map((r) => Object.values(r)[0]).join('\n')
  t.match(
    await plan(sql`select id from tickets where event_id = ${fair.id}::uuid and revoked_at is null and search_name @@ to_tsquery('simple', 'zeyn:*')`),
    /tickets_search_name_idx/,
    'word prefixes of names: the GIN index',
  )
  t.match(
    await plan(sql`select id from registrations where event_id = ${fair.id}::uuid and status = 'confirmed' and lower(email) like 'person-42%'`),
    /Index Scan using registrations_event_email_live_key[^]*Index Cond: .*~>=~ 'person-42'/,
    'the start of an email: the range of the unique text_pattern_ops index (one index for uniqueness and search)',
  )
  const phone = await d.scanner(fair.id)
  const found = must(await d.inject('GET', `/v1/events/${fair.id}/attendees?q=name42`, phone.auth), 200).items
  t.equal(found.length, 20, 'many matches: the first 20 by name')
  t.ok(found.every((i: Json) => i.name.endsWith('Name42')))
})

t.test('the stats', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event({ visitorCapacity: 6, waitlist: true, timezone: 'Pacific/Auckland' })
  const stats = () => d.inject('GET', `/v1/events/${fair.id}/stats`, d.organizer.auth)
  const empty = must(await stats(), 200)
  t.same(
    { ...empty, generatedAt: 'x' },
    {
      capacity: 6,
      confirmed: { registrations: 0, people: 0 },
      waitlisted: { registrations: 0, people: 0 },
      cancelled: { registrations: 0, people: 0 },
      checkedIn: { people: 0 },
      inside: 0,
      entries: 0,
      exits: 0,
      stands: { total: 0, booked: 0 },
      bookings: { requested: 0, approved: 0, waitlisted: 0, rejected: 0, withdrawn: 0 },
      tickets: { issued: 0, revoked: 0 },
      scans: { ok: 0, rejected: 0, byReason: { invalid_code: 0, unknown_ticket: 0, wrong_event: 0, revoked: 0, already_checked_in: 0, not_checked_in: 0 } },
      gates: [],
      registrationsPerDay: [],
      checkinsPer15Minutes: [],
      sessions: { published: 0, seats: 0, reservedPeople: 0 },
      generatedAt: 'x',
    },
    'an event with nothing yet',
  )

  const north = await d.scanner(fair.id, { label: 'N', gate: 'North' })
  const south = await d.scanner(fair.id, { label: 'S', gate: 'South' })
  const a = await d.register(fair.id, 3)
  const b = await d.register(fair.id, 2)
  const c = await d.register(fair.id, 1)
  const waiting = await d.register(fair.id, 2).catch(() => null)
  t.equal(waiting, null, 'the fourth party waits (register() wants a confirmation)')
  must(await d.inject('DELETE', `/v1/registrations/${c.id}`, bearer(c.manageToken)), 204)
  await d.scan(fair.id, north.auth, { code: a.ticket.code })
  await d.scan(fair.id, north.auth, { code: a.ticket.code })
  await d.scan(fair.id, south.auth, { code: a.ticket.code, direction: 'exit' })
  await d.scan(fair.id, south.auth, { code: a.ticket.code })
  await d.scan(fair.id, south.auth, { code: b.ticket.code })
  await d.scan(fair.id, d.organizer.auth, { code: c.ticket.code })
  await d.scan(fair.id, south.auth, { code: 'rubbish' })

  const s = must(await stats(), 200)
  t.same(s.confirmed, { registrations: 2, people: 5 })
  t.same(s.waitlisted, { registrations: 1, people: 2 }, 'the party of 2 does not fit the one place c freed')
  t.same(s.cancelled, { registrations: 1, people: 1 })
  t.equal(s.inside, 5)
  t.equal(s.entries, 3 + 3 + 2)
  t.equal(s.exits, 3)
  t.same(s.checkedIn, { people: 5 }, 'a re-entry counts once')
  t.same(s.tickets, { issued: 3, revoked: 1 }, 'the waiting party has no ticket')
  t.same(s.scans, { ok: 4, rejected: 3, byReason: { invalid_code: 1, unknown_ticket: 0, wrong_event: 0, revoked: 1, already_checked_in: 1, not_checked_in: 0 } })
  t.same(s.gates, [
    { gate: null, entries: 0, exits: 0, rejected: 1 },
    { gate: 'North', entries: 3, exits: 0, rejected: 1 },
    { gate: 'South', entries: 5, exits: 3, rejected: 1 },
  ])
  t.equal(s.checkinsPer15Minutes.length, 1)
  const quarter = s.checkinsPer15Minutes[0]
  t.same({ entries: quarter.entries, exits: quarter.exits }, { entries: 8, exits: 3 })
  t.equal(new Date(quarter.at).getUTCMinutes() % 15, 0, 'quarters start on the quarter')
  t.ok(Date.now() - Date.parse(quarter.at) < 15 * 60_000)
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland' }).format(new Date())
  t.same(s.registrationsPerDay, [{ date: today, registrations: 4, people: 8 }], "by day in the event's time zone")

  problem(t, await d.inject('GET', `/v1/events/${fair.id}/stats`), 401, 'unauthenticated')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/stats`, (await d.ctx.account('organizer')).auth), 403, 'forbidden')
  t.equal((await d.inject('GET', `/v1/events/${fair.slug}/stats`, d.admin.auth)).statusCode, 200)
})
