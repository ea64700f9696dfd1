import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { and, asc, eq, inArray } from 'drizzle-orm'
import { events, idempotencyKeys, outboxEmails, registrations, registrationTokens, tickets } from '../../../src/db/schema.js'
import { openDatabase } from '../../../src/db/client.js'
import { appOver, build, eventBody } from '../../helpers/app.js'

// Registration under concurrency: capacity never overbooks, promotions under concurrent cancels, concurrent
// Idempotency-Key retries, one live registration per email. The concurrent versions need real PostgreSQL
// (TEST_DATABASE_URL): PGlite is one connection, so "concurrent" requests there run one transaction at a time
// and prove nothing about locking. A smaller sequential version of each runs on both.

const onPostgres = Boolean(process.env.TEST_DATABASE_URL)
const needsPostgres = onPostgres ? false : 'needs real PostgreSQL (TEST_DATABASE_URL): PGlite runs one transaction at a time'

type Json = Record<string, any>

/** A small seeded PRNG (mulberry32), so a failing run can be repeated exactly. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function must(res: LightMyRequestResponse, status: number): Json {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 600)}`)
  return res.body ? res.json() : {}
}

const ctx = await build(t, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' })
const { db } = ctx
const admin = await ctx.account('admin')

async function event(overrides: Record<string, unknown>): Promise<Json> {
  const e = must(await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody(overrides) }), 201)
  return must(await ctx.app.inject({ method: 'POST', url: `/v1/events/${e.id}/publish`, headers: admin.auth }), 200)
}

let people = 0
const person = (tag: string, overrides: Record<string, unknown> = {}) => {
  const n = ++people
  return { email: `${tag}-${n}@example.org`, name: `${tag} ${n}`, consent: { privacy: true }, ...overrides } as Json
}
const register = (eventId: string, body: Json, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: `/v1/events/${eventId}/registrations`, payload: body, headers })
const cancel = (r: Json) =>
  ctx.app.inject({ method: 'DELETE', url: `/v1/registrations/${r.id}`, headers: { authorization: `Bearer ${r.manageToken}` } })
const read = (id: string, token: string) =>
  ctx.app.inject({ method: 'GET', url: `/v1/registrations/${id}`, headers: { authorization: `Bearer ${token}` } })

const confirmedPeople = async (eventId: string) => (await db.select().from(events).where(eq(events.id, eventId)))[0].confirmedPeople
const rowsOf = (eventId: string) =>
  db.select().from(registrations).where(eq(registrations.eventId, eventId)).orderBy(asc(registrations.createdAt), asc(registrations.id))
const ticketsOf = (eventId: string) => db.select().from(tickets).where(eq(tickets.eventId, eventId))
const emailsOf = (eventId: string) => db.select().from(outboxEmails).where(eq(outboxEmails.eventId, eventId))

/** What the database says about an event's capacity, checked against itself and (when given) the 201 responses. */
async function checkCapacity(t: Test, eventId: string, capacity: number, responses?: Json[]) {
  const rows = await rowsOf(eventId)
  const confirmed = rows.filter((r) => r.status === 'confirmed')
  const sum = confirmed.reduce((n, r) => n + r.partySize, 0)
  t.ok(sum <= capacity, `never more than ${capacity} people confirmed (${sum})`)
  t.equal(await confirmedPeople(eventId), sum, 'the counter equals the confirmed party sizes')
  const created = (responses ?? []).filter((r) => r.status === 'confirmed')
  if (responses) t.same(new Set(created.map((r) => r.id)), new Set(confirmed.map((r) => r.id)), 'exactly the confirmed responses are confirmed rows')
  const ticketRows = await ticketsOf(eventId)
  const live = ticketRows.filter((x) => x.revokedAt === null)
  t.equal(live.length, confirmed.length, 'one live ticket per confirmed registration')
  t.equal(new Set(ticketRows.map((x) => x.registrationId)).size, ticketRows.length, 'never two tickets for one registration')
  const byRegistration = new Map(live.map((x) => [x.registrationId, x]))
  t.ok(
    confirmed.every((r) => byRegistration.get(r.id)?.admits === r.partySize),
    'each confirmed registration has its ticket, admitting its party',
  )
  t.ok(
    created.every((r) => byRegistration.get(r.id)?.id === r.ticket?.id),
    'each 201 names the ticket that was stored',
  )
  return { rows, confirmed, sum }
}

t.test('capacity under a rush', { skip: needsPostgres }, async (t) => {
  for (const waitlist of [false, true]) {
    t.test(waitlist ? 'with a waitlist' : 'without a waitlist', async (t) => {
      const e = await event({ visitorCapacity: 40, maxPartySize: 3, waitlist })
      const next = random(waitlist ? 4040 : 40)
      const bodies = Array.from({ length: 150 }, () => person('rush', { partySize: 1 + Math.floor(next() * 3) }))
      const results = await Promise.all(bodies.map((b) => register(e.id, b)))

      const unexpected = results.filter((r) => !(r.statusCode === 201 || (!waitlist && r.statusCode === 409 && r.json().code === 'event_full')))
      t.same(unexpected.map((r) => `${r.statusCode} ${r.body.slice(0, 200)}`), [], 'only 201 or 409 event_full')
      const created = results.filter((r) => r.statusCode === 201).map((r) => r.json())
      const { rows, sum } = await checkCapacity(t, e.id, 40, created)
      t.ok(sum >= 38, `the event fills up: at least 38 of 40 (${sum})`)
      t.equal(rows.length, created.length, 'a row for each 201 and for nothing else')
      const waiting = created.filter((r) => r.status === 'waitlisted')
      if (waitlist) {
        t.equal(created.length, 150, 'everybody got an answer of 201')
        t.ok(waiting.length > 50, 'the rest waits')
        t.ok(waiting.every((r) => !r.ticket && r.waitlistPosition >= 1), 'waiting without a ticket, with a position')
      } else {
        t.equal(waiting.length, 0)
      }
      const emails = await emailsOf(e.id)
      t.equal(emails.filter((m) => m.template === 'registration-confirmed').length, created.length - waiting.length, 'one ticket email per confirmed')
      t.equal(emails.filter((m) => m.template === 'registration-waitlisted').length, waiting.length, 'one waitlist email per waiting')
    })
  }
})

t.test('promotion under concurrent cancels', { skip: needsPostgres }, async (t) => {
  const e = await event({ visitorCapacity: 10, waitlist: true })
  const confirmed: Json[] = []
  for (let i = 0; i < 10; i++) confirmed.push(must(await register(e.id, person('seat')), 201))
  const waiting: Json[] = []
  for (let i = 0; i < 20; i++) waiting.push(must(await register(e.id, person('queue')), 201))
  t.ok(confirmed.every((r) => r.status === 'confirmed') && waiting.every((r) => r.status === 'waitlisted'))
  t.same(waiting.map((r) => r.waitlistPosition), Array.from({ length: 20 }, (_, i) => i + 1))

  // 8 cancels at once, and 10 newcomers at the same moment: freed places must go to the waitlist, never to them
  const [cancels, newcomers] = await Promise.all([
    Promise.all(confirmed.slice(0, 8).map(cancel)),
    Promise.all(Array.from({ length: 10 }, () => register(e.id, person('late')))),
  ])
  t.same(cancels.map((r) => r.statusCode), Array(8).fill(204), 'every cancel is 204')
  t.same(newcomers.map((r) => r.statusCode), Array(10).fill(201))
  const late = newcomers.map((r) => r.json())
  t.ok(late.every((r) => r.status === 'waitlisted'), 'no newcomer slipped into a freed place')

  const rows = new Map((await rowsOf(e.id)).map((r) => [r.id, r]))
  t.same(waiting.map((r) => rows.get(r.id)!.status), [...Array(8).fill('confirmed'), ...Array(12).fill('waitlisted')], 'exactly the first 8 in line are promoted')
  t.same(confirmed.map((r) => rows.get(r.id)!.status), [...Array(8).fill('cancelled'), 'confirmed', 'confirmed'])
  t.equal(await confirmedPeople(e.id), 10, 'the event is full again')
  await checkCapacity(t, e.id, 10)

  const ticketRows = await ticketsOf(e.id)
  t.equal(ticketRows.length, 18, '10 first tickets and 8 promotion tickets, nothing twice')
  t.same(
    new Set(ticketRows.filter((x) => x.revokedAt !== null).map((x) => x.registrationId)),
    new Set(confirmed.slice(0, 8).map((r) => r.id)),
    'the cancelled ones are revoked',
  )
  const promotedEmails = (await emailsOf(e.id)).filter((m) => m.data.promoted === true)
  t.same(promotedEmails.map((m) => m.data.registrationId).sort(), waiting.slice(0, 8).map((r) => r.id).sort(), 'one ticket email per promoted')

  const positions = async (list: Json[]) => Promise.all(list.map(async (r) => must(await read(r.id, r.manageToken), 200).waitlistPosition))
  t.same(await positions(waiting.slice(8)), Array.from({ length: 12 }, (_, i) => i + 1), 'the rest moved up, in order')
  t.same((await positions(late)).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i + 13), 'newcomers queue behind them')
})

t.test('concurrent retries with one Idempotency-Key', { skip: needsPostgres }, async (t) => {
  const e = await event({ visitorCapacity: 100 })
  const body = person('retry', { partySize: 2 })
  const results = await Promise.all(Array.from({ length: 10 }, () => register(e.id, body, { 'idempotency-key': 'retry-storm' })))
  t.same(results.map((r) => r.statusCode), Array(10).fill(201), 'all 201', { bodies: results.map((r) => r.body.slice(0, 200)) })
  const json = results.map((r) => r.json())
  t.equal(new Set(json.map((r) => r.id)).size, 1, 'one registration id')
  t.equal(new Set(json.map((r) => r.ticket.id)).size, 1, 'one ticket')
  t.equal(new Set(json.map((r) => r.manageToken)).size, 10, 'ten distinct manage tokens')
  const id = json[0].id
  for (const r of json) must(await read(id, r.manageToken), 200)
  t.equal((await rowsOf(e.id)).length, 1, 'exactly one registration row')
  t.equal((await emailsOf(e.id)).length, 1, 'exactly one email')
  t.equal((await ticketsOf(e.id)).length, 1)
  t.equal((await db.select().from(registrationTokens).where(eq(registrationTokens.registrationId, id))).length, 10)
  t.equal((await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.eventId, e.id))).length, 1)
  t.equal(await confirmedPeople(e.id), 2, 'places taken once')

  // two different bodies racing for one key: one wins, the other is refused, whichever came first
  const a = person('key-a')
  const b = person('key-b')
  const mixed = await Promise.all(
    Array.from({ length: 10 }, (_, i) => register(e.id, i % 2 ? a : b, { 'idempotency-key': 'contested' }).then((res) => ({ res, body: i % 2 ? a : b }))),
  )
  const winners = mixed.filter((m) => m.res.statusCode === 201)
  const losers = mixed.filter((m) => m.res.statusCode !== 201)
  t.equal(new Set(winners.map((m) => m.body.email)).size, 1, 'the 201s all carry one body')
  t.equal(winners.length, 5)
  t.equal(new Set(winners.map((m) => m.res.json().id)).size, 1, 'and one registration')
  t.same(losers.map((m) => [m.res.statusCode, m.res.json().code]), Array(5).fill([409, 'idempotency_mismatch']))
  const rows = await db.select().from(registrations).where(and(eq(registrations.eventId, e.id), inArray(registrations.email, [a.email, b.email])))
  t.equal(rows.length, 1, 'one registration for the contested key')
})

t.test('concurrent registrations of one email', { skip: needsPostgres }, async (t) => {
  for (const full of [false, true]) {
    t.test(full ? 'on a full event with a waitlist' : 'with room', async (t) => {
      const e = await event({ visitorCapacity: full ? 1 : 100, waitlist: full })
      if (full) must(await register(e.id, person('first')), 201)
      const variants = ['same.person@example.org', 'Same.Person@example.org', 'SAME.PERSON@EXAMPLE.ORG', 'same.person@EXAMPLE.org']
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => register(e.id, person('dup', { email: variants[i % 4] }))))
      const created = results.filter((r) => r.statusCode === 201)
      const refused = results.filter((r) => r.statusCode !== 201)
      t.equal(created.length, 1, 'exactly one 201')
      t.same(refused.map((r) => [r.statusCode, r.json().code]), Array(19).fill([409, 'already_registered']), 'the rest 409 already_registered')
      t.equal(created[0].json().status, full ? 'waitlisted' : 'confirmed')
      const rows = (await rowsOf(e.id)).filter((r) => r.email.toLowerCase() === 'same.person@example.org')
      t.equal(rows.length, 1, 'one row')
      t.equal(await confirmedPeople(e.id), 1, 'the refused ones hold no places')
      t.equal((await emailsOf(e.id)).length, full ? 2 : 1, 'one email for it')
    })
  }
})

t.test('two API processes registering the same people in opposite orders', { skip: needsPostgres }, async (t) => {
  // Each process's batch waits for the other's rows of the same emails and keys (on conflict do nothing):
  // written in one order in every batch, they can never wait for each other in a circle (a deadlock).
  const other = await openDatabase({ url: ctx.database.url, poolSize: 10 })
  t.teardown(() => other.close())
  const second = await appOver(t, other.db, ctx.config)
  const e = await event({ visitorCapacity: 1000 })
  for (let round = 0; round < 3; round++) {
    const bodies = Array.from({ length: 60 }, () => person(`cross${round}`))
    const keyOf = (i: number) => (i % 3 === 0 ? { 'idempotency-key': `cross-${round}-${i}` } : {})
    const send = (app: typeof ctx.app, i: number) =>
      app.inject({ method: 'POST', url: `/v1/events/${e.id}/registrations`, payload: bodies[i], headers: keyOf(i) })
    const order = bodies.map((_, i) => i)
    const [first, reverse] = await Promise.all([
      Promise.all(order.map((i) => send(ctx.app, i))),
      Promise.all([...order].reverse().map((i) => send(second, i))),
    ])
    reverse.reverse()
    const answers = order.map((i) => [first[i], reverse[i]].map((r) => (r.statusCode === 201 ? '201' : `${r.statusCode} ${r.json().code}`)).sort().join(' + '))
    // the same key twice is one registration, answered twice; without a key the later is already_registered
    t.same(answers, order.map((i) => (i % 3 === 0 ? '201 + 201' : '201 + 409 already_registered')), `round ${round}: one registration per person`)
    for (const i of order.filter((i) => i % 3 === 0)) t.equal(first[i].json().id, reverse[i].json().id, `round ${round}: a key's two answers name one registration`)
  }
  const rows = await rowsOf(e.id)
  t.equal(rows.length, 180, 'one row per person')
  t.equal(new Set(rows.map((r) => r.email.toLowerCase())).size, 180)
  t.equal((await emailsOf(e.id)).length, 180, 'one email per person')
  await checkCapacity(t, e.id, 1000)
})

// ---- the same guarantees, one request at a time (both engines) ----

t.test('sequential sanity: capacity', async (t) => {
  const e = await event({ visitorCapacity: 10, maxPartySize: 3 })
  const next = random(10)
  let free = 10
  const created: Json[] = []
  for (let i = 0; i < 25; i++) {
    const body = person('seq', { partySize: 1 + Math.floor(next() * 3) })
    const res = await register(e.id, body)
    if (body.partySize <= free) {
      free -= body.partySize
      created.push(must(res, 201))
    } else {
      t.equal(`${res.statusCode} ${res.json().code}`, '409 event_full', `a party of ${body.partySize} with ${free} free is refused`)
    }
  }
  t.ok(created.every((r) => r.status === 'confirmed'))
  const { sum } = await checkCapacity(t, e.id, 10, created)
  t.equal(sum, 10 - free)
  t.ok(sum >= 8, `fills up (${sum})`)
})

t.test('sequential sanity: promotion, retries, one email', async (t) => {
  const e = await event({ visitorCapacity: 3, waitlist: true })
  const seats: Json[] = []
  for (let i = 0; i < 3; i++) seats.push(must(await register(e.id, person('s')), 201))
  const queue: Json[] = []
  for (let i = 0; i < 5; i++) queue.push(must(await register(e.id, person('q')), 201))
  must(await cancel(seats[0]), 204)
  must(await cancel(seats[1]), 204)
  const status = new Map((await rowsOf(e.id)).map((r) => [r.id, r.status]))
  t.same(queue.map((r) => status.get(r.id)), ['confirmed', 'confirmed', 'waitlisted', 'waitlisted', 'waitlisted'])
  await checkCapacity(t, e.id, 3)
  t.equal(await confirmedPeople(e.id), 3)

  const roomy = await event({ visitorCapacity: 10 })
  const body = person('r')
  const replies: Json[] = []
  for (let i = 0; i < 3; i++) replies.push(must(await register(roomy.id, body, { 'idempotency-key': 'k' }), 201))
  t.equal(new Set(replies.map((r) => r.id)).size, 1)
  t.equal(new Set(replies.map((r) => r.manageToken)).size, 3)
  t.equal((await rowsOf(roomy.id)).length, 1)
  t.equal((await emailsOf(roomy.id)).length, 1)

  const codes: string[] = []
  for (const email of ['one@example.org', 'ONE@example.org', 'one@EXAMPLE.ORG']) {
    const res = await register(roomy.id, person('o', { email }))
    codes.push(res.statusCode === 201 ? '201' : `${res.statusCode} ${res.json().code}`)
  }
  t.same(codes, ['201', '409 already_registered', '409 already_registered'])
  t.equal(await confirmedPeople(roomy.id), 2)

  // A retry after its registration was cancelled: the email is free again, but the key is used, so it is the
  // same registration (cancelled), and the new rows its batch wrote are gone again.
  const kept = person('c')
  const original = must(await register(roomy.id, kept, { 'idempotency-key': 'before-cancel' }), 201)
  must(await cancel(original), 204)
  const emailsBefore = (await emailsOf(roomy.id)).length
  const again = must(await register(roomy.id, kept, { 'idempotency-key': 'before-cancel' }), 201)
  t.equal(again.id, original.id, 'the retry names the original registration')
  t.equal(again.status, 'cancelled')
  t.equal((await rowsOf(roomy.id)).filter((r) => r.email === kept.email).length, 1, 'no second row')
  t.equal((await emailsOf(roomy.id)).length, emailsBefore, 'no email')
  t.equal((await ticketsOf(roomy.id)).filter((x) => x.registrationId !== original.id && x.holderName === kept.name).length, 0, 'no ticket')
  t.equal(await confirmedPeople(roomy.id), 2, 'no place taken')
  // a new request (another key) for that email registers anew
  const anew = must(await register(roomy.id, kept, { 'idempotency-key': 'after-cancel' }), 201)
  t.not(anew.id, original.id)
  t.equal(anew.status, 'confirmed')
  t.equal(await confirmedPeople(roomy.id), 3)
})
