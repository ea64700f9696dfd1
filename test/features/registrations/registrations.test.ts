import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { and, asc, eq } from 'drizzle-orm'
import { events, idempotencyKeys, outboxEmails, registrations, registrationTokens, tickets } from '../../../src/db/schema.js'
import { eventKey, verifyTicketCode } from '../../../src/features/tickets/ticket-codes.js'
import { build, eventBody } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

// Visitor registration: POST /v1/events/{eventId}/registrations, GET|PATCH|DELETE /v1/registrations/{id},
// resend, Idempotency-Key, the waitlist, and the capacity rules of PATCH /v1/events/{id}.

const DAY = 24 * 60 * 60 * 1000
const PUBLIC_URL = 'https://messe.example.org'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MANAGE_TOKEN = /^vmr_[A-Za-z0-9_-]{43,}$/

type Json = Record<string, any>
interface Created {
  id: string
  status: 'confirmed' | 'waitlisted'
  partySize: number
  waitlistPosition?: number
  manageToken: string
  ticket?: { id: string; code: string; qrPngUrl: string; qrSvgUrl: string }
  /** not in the response: the email this test registered with */
  email: string
}

function invalid(t: Test, res: LightMyRequestResponse, path: string) {
  const body = problem(t, res, 400, 'invalid_request')
  const paths = (body.errors ?? []).map((e) => e.path)
  t.ok(paths.includes(path), `errors name ${path} (got ${paths.join(', ')})`)
  return body
}

/** For the shared setup, which runs outside any one subtest: throws instead of asserting. */
function must(res: LightMyRequestResponse, status: number): Json {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 600)}`)
  return res.body ? res.json() : {}
}

function ok(t: Test, res: LightMyRequestResponse, status: number): Json {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 600) })
  return res.body ? res.json() : {}
}

/** One app for the whole file (building one costs seconds); every subtest makes its own events and people. */
async function setup(t: Test) {
  const ctx = await build(t, { PUBLIC_URL, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' })
  const { db } = ctx
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const otherOrganizer = await ctx.account('organizer')
  const exhibitor = await ctx.account('exhibitor')

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    ctx.app.inject({
      method,
      url,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    })

  /** An event (published unless asked otherwise) with `organizer` assigned. */
  async function event(overrides: Record<string, unknown> = {}, { publish = true } = {}): Promise<Json> {
    let e = must(await call('POST', '/v1/events', { token: admin.token, body: eventBody(overrides) }), 201)
    must(await call('PUT', `/v1/events/${e.id}/organizers/${organizer.id}`, { token: admin.token }), 200)
    if (publish) e = must(await call('POST', `/v1/events/${e.id}/publish`, { token: admin.token }), 200)
    return e
  }

  let people = 0
  const person = (overrides: Record<string, unknown> = {}) => {
    const n = ++people
    return { email: `person-${n}@example.org`, name: `Person ${n}`, consent: { privacy: true }, ...overrides } as Record<string, any>
  }
  const register = (eventId: string, body: unknown, headers?: Record<string, string>) =>
    call('POST', `/v1/events/${eventId}/registrations`, { body, headers })
  async function registered(eventId: string, overrides: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Created> {
    const body = person(overrides)
    return { ...must(await register(eventId, body, headers), 201), email: body.email } as Created
  }

  const read = (id: string, token?: string) => call('GET', `/v1/registrations/${id}`, { token })
  const view = async (r: Pick<Created, 'id' | 'manageToken'>) => must(await read(r.id, r.manageToken), 200)
  const cancel = (r: Pick<Created, 'id' | 'manageToken'>) => call('DELETE', `/v1/registrations/${r.id}`, { token: r.manageToken })
  const patch = (r: Pick<Created, 'id' | 'manageToken'>, body: unknown) => call('PATCH', `/v1/registrations/${r.id}`, { token: r.manageToken, body })

  const confirmedPeople = async (eventId: string) =>
    (await db.select({ n: events.confirmedPeople }).from(events).where(eq(events.id, eventId)))[0].n
  const rowsOf = (eventId: string) =>
    db.select().from(registrations).where(eq(registrations.eventId, eventId)).orderBy(asc(registrations.createdAt), asc(registrations.id))
  const row = async (id: string) => (await db.select().from(registrations).where(eq(registrations.id, id)))[0]
  const ticketRows = (registrationId: string) => db.select().from(tickets).where(eq(tickets.registrationId, registrationId))
  const emailsTo = (address: string) =>
    db.select().from(outboxEmails).where(eq(outboxEmails.toAddress, address)).orderBy(asc(outboxEmails.createdAt), asc(outboxEmails.id))
  const allEmails = () => db.select().from(outboxEmails)
  /** The vmr_ token in an email's manage link, checked to point at this registration. */
  const tokenOfLink = (t: Test, data: Json, registrationId: string) => {
    const url = new URL(String(data.manageUrl))
    t.equal(`${url.origin}${url.pathname}`, `${PUBLIC_URL}/registrations/${registrationId}`, 'manage link starts with PUBLIC_URL')
    const token = url.searchParams.get('token')!
    t.match(token, MANAGE_TOKEN)
    return token
  }

  return {
    ctx, db, admin, organizer, otherOrganizer, exhibitor, call, event, person, register, registered, read, view,
    cancel, patch, confirmedPeople, rowsOf, row, ticketRows, emailsTo, allEmails, tokenOfLink,
  }
}

const s = await setup(t)

t.test('a registration is confirmed with a signed ticket and a manage token', async (t) => {
  const e = await s.event({ visitorCapacity: 10 })
  const body = s.person({ email: 'Anna.Schmidt@Example.org', name: '  Anna Schmidt ' })
  const res = await s.register(e.id, body)
  const created = ok(t, res, 201)
  t.match(String(res.headers['content-type']), /^application\/json/)
  t.same(Object.keys(created).sort(), ['id', 'manageToken', 'partySize', 'status', 'ticket'], 'no waitlistPosition when confirmed')
  t.match(created.id, UUID)
  t.equal(created.status, 'confirmed')
  t.equal(created.partySize, 1, 'partySize defaults to 1')
  t.match(created.manageToken, MANAGE_TOKEN)
  const ticket = created.ticket
  t.same(Object.keys(ticket).sort(), ['code', 'id', 'qrPngUrl', 'qrSvgUrl'])
  t.match(ticket.id, UUID)
  t.equal(ticket.qrPngUrl, `/v1/tickets/${ticket.id}/qr.png`)
  t.equal(ticket.qrSvgUrl, `/v1/tickets/${ticket.id}/qr.svg`)
  t.match(ticket.code, /^[\x21-\x7e]+$/, 'printable ASCII')
  t.ok(ticket.code.length <= 120, `the code is compact (${ticket.code.length} characters)`)
  t.notOk(ticket.code.toLowerCase().includes('anna'), 'no personal data in the code')
  const key = await eventKey(s.db, e.id)
  t.equal(verifyTicketCode(ticket.code, key.publicKey, key.kid), ticket.id, 'the code is signed with the event key and names the ticket')
  const altered = ticket.code.slice(0, -2) + (ticket.code.endsWith('AA') ? 'BA' : 'AA')
  t.equal(verifyTicketCode(altered, key.publicKey, key.kid), null, 'an altered code does not verify')

  const stored = await s.row(created.id)
  t.match(stored, { eventId: e.id, email: 'Anna.Schmidt@Example.org', name: 'Anna Schmidt', partySize: 1, language: 'de', status: 'confirmed', accessibilityNeeds: null })
  t.ok(stored.consentPrivacyAt instanceof Date, 'the consent time is kept')
  const [ticketRow, ...more] = await s.ticketRows(created.id)
  t.equal(more.length, 0, 'one ticket')
  t.match(ticketRow, { id: ticket.id, eventId: e.id, kind: 'visitor', admits: 1, code: ticket.code, revokedAt: null, holderName: 'Anna Schmidt' })
  t.equal(await s.confirmedPeople(e.id), 1, 'the counter holds the party')

  const viewed = await s.view({ id: created.id, manageToken: created.manageToken })
  t.match(viewed, { id: created.id, eventId: e.id, email: 'Anna.Schmidt@Example.org', name: 'Anna Schmidt', partySize: 1, language: 'de', status: 'confirmed', cancelledAt: null })
  t.same(viewed.ticket, ticket)
  t.notOk('waitlistPosition' in viewed)

  // a family, in Arabic, with needs; by slug
  const family = s.person({ name: 'ليلى حداد', partySize: 3, language: 'ar', accessibilityNeeds: 'Rollstuhl\nund Begleithund' })
  const second = ok(t, await s.register(e.slug, family), 201)
  t.equal(second.partySize, 3)
  t.equal(second.status, 'confirmed')
  t.match(await s.row(second.id), { name: 'ليلى حداد', language: 'ar', partySize: 3, accessibilityNeeds: 'Rollstuhl\nund Begleithund' })
  t.equal((await s.ticketRows(second.id))[0].admits, 3, 'the ticket admits the party')
  t.equal(await s.confirmedPeople(e.id), 4)
  t.not(second.manageToken, created.manageToken)
})

t.test('the confirmation email is queued with the registration', async (t) => {
  const e = await s.event({ visitorCapacity: 10, title: 'Vereinsmesse\nNord', timezone: 'Europe/Istanbul' })
  const before = (await s.allEmails()).length
  for (const language of ['en', 'tr', 'ar', undefined] as const) {
    const body = s.person(language ? { language, partySize: 2 } : { partySize: 2 })
    const r = ok(t, await s.register(e.id, body), 201)
    const rows = await s.emailsTo(body.email)
    t.equal(rows.length, 1, `one email right after the 201 (${language ?? 'default'})`)
    const [mail] = rows
    t.equal(mail.template, 'registration-confirmed')
    t.equal(mail.locale, language ?? 'de', 'in the registrant\'s language')
    t.equal(mail.status, 'queued')
    t.equal(mail.eventId, e.id)
    t.match(mail.data, {
      registrationId: r.id,
      ticketId: r.ticket.id,
      ticketCode: r.ticket.code,
      partySize: 2,
      name: body.name,
      eventTitle: 'Vereinsmesse Nord',
      timezone: 'Europe/Istanbul',
      startsAt: e.startsAt,
      endsAt: e.endsAt,
    })
    t.notOk('promoted' in mail.data, 'not a promotion')
    t.equal(s.tokenOfLink(t, mail.data, r.id), r.manageToken, 'the link carries the token of the response')
  }
  t.equal((await s.allEmails()).length, before + 4, 'nothing else queued')

  // a refused registration leaves no email behind
  const existing = (await s.rowsOf(e.id))[0]
  problem(t, await s.register(e.id, s.person({ email: existing.email.toUpperCase() })), 409, 'already_registered')
  t.equal((await s.allEmails()).length, before + 4, 'no email for a refused registration')
})

t.test('when full: waitlisted with a position if the event has a waitlist, else 409 event_full', async (t) => {

  t.test('with a waitlist', async (t) => {
    const e = await s.event({ visitorCapacity: 3, waitlist: true })
    const first = await s.registered(e.id, { partySize: 3 })
    t.equal(first.status, 'confirmed')
    const second = await s.registered(e.id)
    t.equal(second.status, 'waitlisted')
    t.equal(second.waitlistPosition, 1)
    t.notOk('ticket' in second, 'no ticket while waiting')
    t.match(second.manageToken, MANAGE_TOKEN)
    const third = await s.registered(e.id, { partySize: 2 })
    t.match(third, { status: 'waitlisted', waitlistPosition: 2, partySize: 2 })

    t.equal(await s.confirmedPeople(e.id), 3, 'waiting people do not count')
    t.equal((await s.ticketRows(second.id)).length, 0)
    const viewed = await s.view(second)
    t.match(viewed, { status: 'waitlisted', waitlistPosition: 1 })
    t.notOk('ticket' in viewed)
    const [mail, ...more] = await s.emailsTo(third.email)
    t.equal(more.length, 0)
    t.equal(mail.template, 'registration-waitlisted')
    t.match(mail.data, { waitlistPosition: 2, partySize: 2 })
    t.equal(s.tokenOfLink(t, mail.data, third.id), third.manageToken)
  })

  t.test('without a waitlist', async (t) => {
    const e = await s.event({ visitorCapacity: 3 })
    await s.registered(e.id, { partySize: 2 })
    const emails = (await s.allEmails()).length
    const tooMany = s.person({ partySize: 2 })
    problem(t, await s.register(e.id, tooMany), 409, 'event_full')
    t.equal(await s.confirmedPeople(e.id), 2, 'the refused party took nothing')
    t.equal((await s.rowsOf(e.id)).length, 1, 'no row for it')
    t.equal((await s.allEmails()).length, emails, 'no email for it')
    const last = await s.registered(e.id)
    t.equal(last.status, 'confirmed', 'a single still fits')
    problem(t, await s.register(e.id, s.person()), 409, 'event_full')
    t.equal(await s.confirmedPeople(e.id), 3)
  })
})

t.test('one live registration per email and event', async (t) => {
  const e = await s.event({ visitorCapacity: 10, waitlist: true })
  const first = await s.registered(e.id, { email: 'Jan.Kowalski@Example.org', partySize: 2 })
  for (const email of ['jan.kowalski@example.org', 'JAN.KOWALSKI@EXAMPLE.ORG']) {
    problem(t, await s.register(e.id, s.person({ email })), 409, 'already_registered')
  }
  t.equal((await s.rowsOf(e.id)).length, 1)
  t.equal(await s.confirmedPeople(e.id), 2, 'the refused ones took no places')

  const other = await s.event({ visitorCapacity: 10 })
  t.equal((await s.registered(other.id, { email: 'jan.kowalski@example.org' })).status, 'confirmed', 'another event is another matter')

  // a waitlisted registration is live too
  const small = await s.event({ visitorCapacity: 1, waitlist: true })
  await s.registered(small.id)
  const waiting = await s.registered(small.id, { email: 'wait@example.org' })
  t.equal(waiting.status, 'waitlisted')
  problem(t, await s.register(small.id, s.person({ email: 'WAIT@example.org' })), 409, 'already_registered')

  // after cancelling, the address may register again
  ok(t, await s.cancel(first), 204)
  const again = await s.registered(e.id, { email: 'jan.KOWALSKI@example.org' })
  t.not(again.id, first.id, 'a new registration')
  t.equal(again.status, 'confirmed')
  t.equal(await s.confirmedPeople(e.id), 1)
  t.same((await s.rowsOf(e.id)).map((r) => r.status).sort(), ['cancelled', 'confirmed'])
})

t.test('unpublished, unknown, outside the window, cancelled', async (t) => {
  const draft = await s.event({}, { publish: false })
  problem(t, await s.register(draft.id, s.person()), 404, 'not_found')
  problem(t, await s.register(draft.slug, s.person()), 404, 'not_found')
  problem(t, await s.register('3f2b8c1e-0000-4000-8000-000000000000', s.person()), 404, 'not_found')
  problem(t, await s.register('no-such-fair', s.person()), 404, 'not_found')

  const now = Date.now()
  const notYet = await s.event({ registrationOpensAt: new Date(now + 5 * DAY).toISOString() })
  problem(t, await s.register(notYet.id, s.person()), 409, 'registration_closed')
  const over = await s.event({
    registrationOpensAt: new Date(now - 3 * DAY).toISOString(),
    registrationClosesAt: new Date(now - DAY).toISOString(),
  })
  problem(t, await s.register(over.id, s.person()), 409, 'registration_closed')
  const open = await s.event({
    registrationOpensAt: new Date(now - DAY).toISOString(),
    registrationClosesAt: new Date(now + DAY).toISOString(),
  })
  await s.registered(open.id)

  const cancelled = await s.event()
  await s.registered(cancelled.id)
  ok(t, await s.call('POST', `/v1/events/${cancelled.id}/cancel`, { token: s.admin.token }), 200)
  problem(t, await s.register(cancelled.id, s.person()), 409, 'registration_closed')

  for (const e of [draft, notYet, over]) t.equal((await s.rowsOf(e.id)).length, 0, 'no rows')
  t.equal((await s.rowsOf(cancelled.id)).length, 1)
  t.equal(await s.confirmedPeople(cancelled.id), 1)
})

t.test('party size and consent are checked', async (t) => {
  const e = await s.event({ visitorCapacity: 50, maxPartySize: 3 })
  invalid(t, await s.register(e.id, s.person({ partySize: 4 })), '/body/partySize')
  invalid(t, await s.register(e.id, s.person({ partySize: 21 })), '/body/partySize')
  invalid(t, await s.register(e.id, s.person({ partySize: 0 })), '/body/partySize')
  t.equal((await s.registered(e.id, { partySize: 3 })).partySize, 3, 'the maximum itself is fine')

  const noConsent = s.person()
  delete noConsent.consent
  invalid(t, await s.register(e.id, noConsent), '/body/consent')
  invalid(t, await s.register(e.id, s.person({ consent: { privacy: false } })), '/body/consent/privacy')
  invalid(t, await s.register(e.id, s.person({ consent: {} })), '/body/consent/privacy')
  invalid(t, await s.register(e.id, s.person({ consent: { privacy: 'yes' } })), '/body/consent/privacy')
  t.equal((await s.rowsOf(e.id)).length, 1)
  t.equal(await s.confirmedPeople(e.id), 3)
})

t.test('reading a registration', async (t) => {
  const e = await s.event()
  const mine = await s.registered(e.id, { accessibilityNeeds: 'Gebärdensprache' })
  const theirs = await s.registered(e.id)

  const byToken = await s.view(mine)
  t.match(byToken, { id: mine.id, email: mine.email, accessibilityNeeds: 'Gebärdensprache', status: 'confirmed' })
  t.same(byToken.ticket, mine.ticket)
  t.same(ok(t, await s.read(mine.id, s.organizer.token), 200), byToken, 'the event\'s organizer sees the same')
  t.same(ok(t, await s.read(mine.id, s.admin.token), 200), byToken, 'so does an admin')

  problem(t, await s.read(mine.id, theirs.manageToken), 404, 'not_found')
  problem(t, await s.read(mine.id, s.otherOrganizer.token), 404, 'not_found')
  problem(t, await s.read(mine.id, s.exhibitor.token), 404, 'not_found')
  problem(t, await s.read('3f2b8c1e-0000-4000-8000-000000000000', s.admin.token), 404, 'not_found')
  problem(t, await s.read('3f2b8c1e-0000-4000-8000-000000000000', mine.manageToken), 404, 'not_found')
  const anonymous = await s.read(mine.id)
  problem(t, anonymous, 401, 'unauthenticated')
  t.equal(anonymous.headers['www-authenticate'], 'Bearer')
  problem(t, await s.read(mine.id, `vmr_${'A'.repeat(43)}`), 401, 'unauthenticated')
  invalid(t, await s.read('not-a-uuid', mine.manageToken), '/params/id')

  // the other verbs follow the same rules
  problem(t, await s.patch({ id: mine.id, manageToken: theirs.manageToken }, { name: 'X' }), 404, 'not_found')
  problem(t, await s.cancel({ id: mine.id, manageToken: theirs.manageToken }), 404, 'not_found')
  problem(t, await s.call('DELETE', `/v1/registrations/${mine.id}`), 401, 'unauthenticated')
  problem(t, await s.call('PATCH', `/v1/registrations/${mine.id}`, { body: { name: 'X' } }), 401, 'unauthenticated')
  t.match(await s.row(mine.id), { status: 'confirmed', name: byToken.name })
})

t.test('changing a registration', async (t) => {
  const e = await s.event({ visitorCapacity: 6, waitlist: true, maxPartySize: 5 })
  const a = await s.registered(e.id, { partySize: 2 })

  const renamed = ok(t, await s.patch(a, { name: '  Şükrü Öztürk ', language: 'tr' }), 200)
  t.match(renamed, { id: a.id, name: 'Şükrü Öztürk', language: 'tr', partySize: 2, status: 'confirmed' })
  t.equal((await s.ticketRows(a.id))[0].holderName, 'Şükrü Öztürk', 'the ticket follows the name')
  t.same(await s.view(a), renamed, 'stored')

  const grown = ok(t, await s.patch(a, { partySize: 5 }), 200)
  t.equal(grown.partySize, 5, 'growing within the room left')
  t.equal(await s.confirmedPeople(e.id), 5)
  t.equal((await s.ticketRows(a.id))[0].admits, 5)
  t.same(grown.ticket, a.ticket, 'the same ticket')

  const b = await s.registered(e.id, { partySize: 1 })
  t.equal(b.status, 'confirmed')
  const before = await s.view(b)
  problem(t, await s.patch(b, { partySize: 2, name: 'Neuer Name' }), 409, 'capacity_exceeded')
  t.same(await s.view(b), before, 'nothing changed, not even the name')
  t.equal(await s.confirmedPeople(e.id), 6)
  t.equal((await s.ticketRows(b.id))[0].admits, 1)
  invalid(t, await s.patch(b, { partySize: 6 }), '/body/partySize')
  invalid(t, await s.patch(b, {}), '/body')
  invalid(t, await s.patch(b, { email: 'other@example.org' }), '/body/email')
  invalid(t, await s.patch(b, { status: 'confirmed' }), '/body/status')

  // shrinking lets the waitlist move up
  const w = await s.registered(e.id, { partySize: 2 })
  t.match(w, { status: 'waitlisted', waitlistPosition: 1 })
  const shrunk = ok(t, await s.patch(a, { partySize: 3 }), 200)
  t.equal(shrunk.partySize, 3)
  const promoted = await s.view(w)
  t.equal(promoted.status, 'confirmed', 'the waiting party of 2 fits now')
  t.ok(promoted.ticket, 'and has a ticket')
  t.notOk('waitlistPosition' in promoted)
  t.equal(await s.confirmedPeople(e.id), 6)
  const mails = await s.emailsTo(w.email)
  t.same(mails.map((m) => m.template), ['registration-waitlisted', 'registration-confirmed'])
  t.equal(mails[1].data.promoted, true)

  // an organizer may change it too
  t.equal(ok(t, await s.call('PATCH', `/v1/registrations/${b.id}`, { token: s.organizer.token, body: { language: 'en' } }), 200).language, 'en')
})

t.test('cancelling', async (t) => {
  const e = await s.event({ visitorCapacity: 5 })
  const a = await s.registered(e.id, { partySize: 3 })
  const other = await s.registered(e.id, { partySize: 1 })
  t.equal(await s.confirmedPeople(e.id), 4)

  const res = await s.cancel(a)
  ok(t, res, 204)
  t.equal(res.body, '', 'no body')
  const viewed = await s.view(a)
  t.equal(viewed.status, 'cancelled')
  t.notOk('ticket' in viewed, 'no ticket shown')
  t.match(viewed.cancelledAt, /^\d{4}-\d\d-\d\dT/)
  const [ticket] = await s.ticketRows(a.id)
  t.ok(ticket.revokedAt instanceof Date, 'the ticket is revoked')
  t.equal(await s.confirmedPeople(e.id), 1, 'its places are free')
  t.equal((await s.registered(e.id, { partySize: 4 })).status, 'confirmed', 'and taken by someone else')

  ok(t, await s.cancel(a), 204)
  t.equal(await s.confirmedPeople(e.id), 5, 'a second cancel frees nothing more')
  const again = await s.view(a)
  t.equal(again.cancelledAt, viewed.cancelledAt, 'the first cancellation\'s time stays')

  problem(t, await s.patch(a, { name: 'Zurück' }), 409, 'invalid_transition')
  problem(t, await s.patch(a, { partySize: 1 }), 409, 'invalid_transition')
  t.equal((await s.row(a.id)).status, 'cancelled')

  // an organizer may cancel a registration of their event
  ok(t, await s.call('DELETE', `/v1/registrations/${other.id}`, { token: s.organizer.token }), 204)
  t.equal(await s.confirmedPeople(e.id), 4)
})

t.test('the waitlist is promoted first come first served, skipping parties that do not fit', async (t) => {
  const e = await s.event({ visitorCapacity: 4, waitlist: true })
  const a = await s.registered(e.id, { partySize: 4 })
  const b = await s.registered(e.id, { partySize: 3 })
  const c = await s.registered(e.id, { partySize: 1 })
  const d = await s.registered(e.id, { partySize: 2 })
  t.same([a, b, c, d].map((r) => [r.status, r.waitlistPosition]), [['confirmed', undefined], ['waitlisted', 1], ['waitlisted', 2], ['waitlisted', 3]])

  ok(t, await s.cancel(a), 204)
  const [vb, vc, vd] = [await s.view(b), await s.view(c), await s.view(d)]
  t.equal(vb.status, 'confirmed', 'B (3) fits and is first')
  t.equal(vc.status, 'confirmed', 'C (1) fits in what is left')
  t.equal(vd.status, 'waitlisted', 'D (2) does not fit')
  t.equal(vd.waitlistPosition, 1, 'and is first in line now')
  t.equal(await s.confirmedPeople(e.id), 4)

  for (const [r, v, size] of [[b, vb, 3], [c, vc, 1]] as const) {
    const rows = await s.ticketRows(r.id)
    t.equal(rows.length, 1, 'one ticket')
    t.match(rows[0], { admits: size, revokedAt: null, id: v.ticket.id, code: v.ticket.code })
    const mails = await s.emailsTo(r.email)
    t.same(mails.map((m) => m.template), ['registration-waitlisted', 'registration-confirmed'])
    const promoted = mails[1]
    t.equal(promoted.status, 'queued')
    t.match(promoted.data, { promoted: true, registrationId: r.id, ticketId: v.ticket.id, ticketCode: v.ticket.code, partySize: size })
    const token = s.tokenOfLink(t, promoted.data, r.id)
    t.not(token, r.manageToken, 'a fresh link')
    t.equal(ok(t, await s.read(r.id, token), 200).status, 'confirmed', 'the emailed link works')
  }
  t.same((await s.emailsTo(d.email)).map((m) => m.template), ['registration-waitlisted'], 'D got no ticket')
  t.equal((await s.ticketRows(d.id)).length, 0)

  // cancelling a waiting registration frees nothing and promotes nobody
  const e2 = await s.event({ visitorCapacity: 1, waitlist: true })
  await s.registered(e2.id)
  const w1 = await s.registered(e2.id)
  const w2 = await s.registered(e2.id)
  ok(t, await s.cancel(w1), 204)
  t.match(await s.view(w2), { status: 'waitlisted', waitlistPosition: 1 })
  t.equal(await s.confirmedPeople(e2.id), 1)
})

t.test('resending the confirmation', async (t) => {
  const e = await s.event({ visitorCapacity: 1, waitlist: true })
  const a = await s.registered(e.id, { email: 'resend@example.org' })
  const w = await s.registered(e.id, { email: 'waiting@example.org' })
  const resend = (email: string) => s.call('POST', `/v1/events/${e.id}/registrations/resend`, { body: { email } })

  const total = (await s.allEmails()).length
  const res = await resend('RESEND@Example.org')
  t.same(ok(t, res, 202), {})
  const mails = await s.emailsTo('resend@example.org')
  t.equal(mails.length, 2, 'one more email for the known address')
  t.equal(mails[1].template, 'registration-confirmed')
  t.match(mails[1].data, { registrationId: a.id, ticketId: a.ticket!.id, ticketCode: a.ticket!.code })
  const token = s.tokenOfLink(t, mails[1].data, a.id)
  t.not(token, a.manageToken, 'with a fresh manage link')
  t.equal(ok(t, await s.read(a.id, token), 200).id, a.id, 'that works')
  ok(t, await s.read(a.id, a.manageToken), 200)

  t.same(ok(t, await resend('nobody@example.org'), 202), {}, 'the same answer for an unknown address')
  t.equal((await s.allEmails()).length, total + 1, 'and no email')

  ok(t, await resend('waiting@example.org'), 202)
  t.same((await s.emailsTo('waiting@example.org')).map((m) => m.template), ['registration-waitlisted', 'registration-waitlisted'])

  ok(t, await s.cancel(w), 204)
  ok(t, await resend('waiting@example.org'), 202)
  t.equal((await s.emailsTo('waiting@example.org')).length, 2, 'nothing for a cancelled registration')
  invalid(t, await resend('not-an-email'), '/body/email')
  t.equal((await s.allEmails()).length, total + 2)
})

t.test('Idempotency-Key', async (t) => {
  const e = await s.event({ visitorCapacity: 3, waitlist: true })
  const body = s.person({ partySize: 2 })
  const key = { 'idempotency-key': 'client-retry-0001' }

  const first = ok(t, await s.register(e.id, body, key), 201)
  const replay = ok(t, await s.register(e.id, body, key), 201)
  t.equal(replay.id, first.id, 'the same registration')
  t.same(replay.ticket, first.ticket, 'the same ticket')
  t.equal(replay.status, 'confirmed')
  t.match(replay.manageToken, MANAGE_TOKEN)
  t.not(replay.manageToken, first.manageToken, 'a fresh manage token')
  ok(t, await s.read(first.id, first.manageToken), 200)
  ok(t, await s.read(first.id, replay.manageToken), 200)
  t.equal((await s.rowsOf(e.id)).length, 1, 'one registration')
  t.equal((await s.emailsTo(body.email)).length, 1, 'one email')
  t.equal(await s.confirmedPeople(e.id), 2, 'places taken once')
  t.equal((await s.db.select().from(registrationTokens).where(eq(registrationTokens.registrationId, first.id))).length, 2)
  const stored = await s.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.eventId, e.id))
  t.equal(stored.length, 1)
  t.equal(stored[0].registrationId, first.id)

  problem(t, await s.register(e.id, { ...body, name: 'Someone Else' }, key), 409, 'idempotency_mismatch')
  problem(t, await s.register(e.id, { ...body, partySize: 1 }, key), 409, 'idempotency_mismatch')
  problem(t, await s.register(e.id, { ...body, email: 'other@example.org' }, key), 409, 'idempotency_mismatch')
  problem(t, await s.register(e.id, body, { 'idempotency-key': 'client-retry-0002' }), 409, 'already_registered')
  t.equal((await s.rowsOf(e.id)).length, 1, 'still one registration')

  // a waitlisted registration replays as waitlisted, with its position
  const waitingBody = s.person({ partySize: 2 })
  const waitKey = { 'idempotency-key': 'client-retry-0003' }
  const waiting = ok(t, await s.register(e.id, waitingBody, waitKey), 201)
  t.match(waiting, { status: 'waitlisted', waitlistPosition: 1 })
  const waitingReplay = ok(t, await s.register(e.id, waitingBody, waitKey), 201)
  t.match(waitingReplay, { id: waiting.id, status: 'waitlisted', waitlistPosition: 1 })
  t.notOk('ticket' in waitingReplay)

  // a refused request stores no key: once there is room, the same key registers
  const e2 = await s.event({ visitorCapacity: 1 })
  const blocker = await s.registered(e2.id)
  const lateBody = s.person()
  const lateKey = { 'idempotency-key': 'late' }
  problem(t, await s.register(e2.id, lateBody, lateKey), 409, 'event_full')
  ok(t, await s.cancel(blocker), 204)
  t.equal(ok(t, await s.register(e2.id, lateBody, lateKey), 201).status, 'confirmed')

  // the key belongs to one event
  const e3 = await s.event()
  const elsewhere = ok(t, await s.register(e3.id, body, key), 201)
  t.not(elsewhere.id, first.id)
})

t.test('the event capacity and the confirmed people', async (t) => {
  const e = await s.event({ visitorCapacity: 5, waitlist: true })
  const patchEvent = (visitorCapacity: number, token = s.organizer.token) =>
    s.call('PATCH', `/v1/events/${e.id}`, { token, body: { visitorCapacity } })
  await s.registered(e.id, { partySize: 2 })
  await s.registered(e.id, { partySize: 1 })

  problem(t, await patchEvent(2), 409, 'capacity_below_confirmed')
  problem(t, await patchEvent(0, s.admin.token), 409, 'capacity_below_confirmed')
  t.equal(ok(t, await s.call('GET', `/v1/events/${e.id}`), 200).visitorCapacity, 5, 'unchanged')
  t.equal(ok(t, await patchEvent(3), 200).visitorCapacity, 3, 'down to exactly the confirmed people is fine')
  t.equal(await s.confirmedPeople(e.id), 3)

  const w1 = await s.registered(e.id, { partySize: 1 })
  const w2 = await s.registered(e.id, { partySize: 2 })
  const w3 = await s.registered(e.id, { partySize: 1 })
  t.same([w1, w2, w3].map((w) => w.waitlistPosition), [1, 2, 3])

  t.equal(ok(t, await patchEvent(4), 200).visitorCapacity, 4)
  t.equal((await s.view(w1)).status, 'confirmed', 'a raised capacity promotes the first in line')
  t.match(await s.view(w2), { status: 'waitlisted', waitlistPosition: 1 })
  t.equal(await s.confirmedPeople(e.id), 4)

  ok(t, await patchEvent(6), 200)
  t.equal((await s.view(w2)).status, 'confirmed')
  t.match(await s.view(w3), { status: 'waitlisted', waitlistPosition: 1 })
  t.equal(await s.confirmedPeople(e.id), 6)
  for (const w of [w1, w2]) {
    const mails = await s.emailsTo(w.email)
    t.equal(mails.at(-1)!.template, 'registration-confirmed')
    t.equal(mails.at(-1)!.data.promoted, true)
  }
  t.equal((await s.emailsTo(w3.email)).length, 1, 'still waiting: no ticket')

  // a patch that does not touch the capacity promotes nobody
  ok(t, await s.call('PATCH', `/v1/events/${e.id}`, { token: s.organizer.token, body: { title: 'Umbenannt' } }), 200)
  t.equal((await s.view(w3)).status, 'waitlisted')
  problem(t, await patchEvent(5), 409, 'capacity_below_confirmed')
  t.equal(
    (await s.db.select().from(registrations).where(and(eq(registrations.eventId, e.id), eq(registrations.status, 'confirmed')))).length,
    4,
  )
})
