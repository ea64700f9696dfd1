import t, { type Test } from 'tap'
import { and, eq, ne, sql } from 'drizzle-orm'
import { programSessions, sessionReservations } from '../../../src/db/schema.js'
import { bearer, must, programSetup, type Registered } from '../../helpers/program.js'

// Each rule the database enforces, under concurrent requests. PGlite runs one transaction at a time, so there
// these show the rules hold in sequence; on real PostgreSQL (TEST_DATABASE_URL) the requests really race.

const p = await programSetup(t, { visitorCapacity: 2000, maxPartySize: 5 })
const { inject, organizer, fair } = p
const codes = (results: { statusCode: number; json(): any }[]) =>
  results.map((r) => (r.statusCode < 300 ? `${r.statusCode} ${r.json().status ?? ''}`.trim() : `${r.statusCode} ${r.json().code}`))
const tally = (list: string[]) => list.reduce<Record<string, number>>((m, c) => ({ ...m, [c]: (m[c] ?? 0) + 1 }), {})

async function people(n: number, size = () => 1 + Math.floor(Math.random() * 3)): Promise<Registered[]> {
  const out: Registered[] = []
  for (let i = 0; i < n; i++) out.push(await p.register(fair.id, size()))
  return out
}

/** The invariant behind every race: reserved_people equals the reserved reservations' people and never exceeds seats. */
async function consistent(t: Test, sessionId: string) {
  const [row] = await p.ctx.db.select().from(programSessions).where(eq(programSessions.id, sessionId))
  const [sum] = await p.ctx.db
    .select({ people: sql<number>`coalesce(sum(${sessionReservations.people}), 0)::int` })
    .from(sessionReservations)
    .where(and(eq(sessionReservations.sessionId, sessionId), eq(sessionReservations.status, 'reserved')))
  t.equal(row.reservedPeople, Number(sum.people), 'the counter matches the reservations')
  t.ok(row.reservedPeople <= row.seats, `never oversold (${row.reservedPeople} of ${row.seats})`)
  return row
}

t.test('concurrent reservations never oversell, counting people', async (t) => {
  const room = await p.room({ capacity: 20 })
  const s = await p.session(room, { waitlist: true }, { offsetMinutes: 0, minutes: 30 })
  const crowd = await people(40)
  const results = await Promise.all(crowd.map((r) => p.reserve(r, s.id)))
  t.same(Object.keys(tally(codes(results))).sort(), ['201 reserved', '201 waitlisted'])
  const row = await consistent(t, s.id)
  const reservedPeople = results.filter((r) => r.json().status === 'reserved').reduce((n, r) => n + r.json().people, 0)
  t.equal(row.reservedPeople, reservedPeople, 'the answers add up to the counter')
  t.ok(row.reservedPeople >= 18, 'the seats are (nearly) filled: at most 2 left when only parties of 3 wait')
  // Positions are decided by the batches; each must be the one the stored waitlist order gives afterwards.
  const waitlisted = crowd.filter((_, i) => results[i].json().status === 'waitlisted')
  t.same(
    waitlisted.map((r) => crowd.indexOf(r)).map((i) => results[i].json().waitlistPosition).sort((a, b) => a - b),
    waitlisted.map((_, i) => i + 1),
    'the answered positions are 1…n, each once',
  )
  for (const r of waitlisted) {
    const { items } = must(await inject('GET', `/v1/registrations/${r.id}/sessions`, bearer(r.manageToken)), 200)
    t.equal(items[0].waitlistPosition, results[crowd.indexOf(r)].json().waitlistPosition, 'the answered position is the stored one')
  }
})

t.test('concurrent room-busy session creation: exactly one wins', async (t) => {
  const room = await p.room({ capacity: 20 })
  const body = (i: number) => ({
    title: `Race ${i}`,
    kind: 'talk',
    topics: [],
    languages: ['de'],
    roomId: room.id,
    startsAt: new Date(Date.parse(fair.startsAt) + (60 + i) * 60_000).toISOString(),
    endsAt: new Date(Date.parse(fair.startsAt) + (120 + i) * 60_000).toISOString(),
  })
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => inject('POST', `/v1/events/${fair.id}/sessions`, organizer.auth, body(i))))
  t.same(tally(codes(results)), { '201 draft': 1, '409 room_busy': 11 })
})

t.test('concurrent overlapping reservations of one registration: exactly one', async (t) => {
  const reg = (await people(1, () => 1))[0]
  const sessions = []
  for (let i = 0; i < 8; i++) sessions.push(await p.session(await p.room({ capacity: 5 }), {}, { offsetMinutes: 180 + i, minutes: 30 }))
  const results = await Promise.all(sessions.map((s) => p.reserve(reg, s.id)))
  t.same(tally(codes(results)), { '201 reserved': 1, '409 session_overlap': 7 })
  for (const s of sessions) await consistent(t, s.id)
  const same = await p.session(await p.room({ capacity: 5 }), {}, { offsetMinutes: 300, minutes: 30 })
  const twice = await Promise.all(Array.from({ length: 6 }, () => p.reserve(reg, same.id)))
  t.same(tally(codes(twice)), { '201 reserved': 1, '409 already_reserved': 5 })
  await consistent(t, same.id)
})

t.test('party-size patches race reservations and each other: the seats stay exact', async (t) => {
  const room = await p.room({ capacity: 10 })
  const s = await p.session(room, { waitlist: true }, { offsetMinutes: 360, minutes: 30 })
  const crowd = await people(12, () => 2)
  const holders = crowd.slice(0, 4)
  for (const r of holders) must(await p.reserve(r, s.id), 201)
  const requests = [
    ...holders.map((r, i) => inject('PATCH', `/v1/registrations/${r.id}`, bearer(r.manageToken), { partySize: i % 2 ? 1 : 3 })),
    ...crowd.slice(4).map((r) => p.reserve(r, s.id)),
    inject('DELETE', `/v1/registrations/${holders[0].id}/sessions/${s.id}`, bearer(holders[0].manageToken)),
  ]
  const results = await Promise.all(requests)
  for (const r of results) t.ok([200, 201, 204, 404, 409].includes(r.statusCode), `answered ${r.statusCode}`)
  const row = await consistent(t, s.id)
  const live = await p.ctx.db.select().from(sessionReservations).where(and(eq(sessionReservations.sessionId, s.id), ne(sessionReservations.status, 'cancelled')))
  for (const res of live) {
    const reg = must(await inject('GET', `/v1/registrations/${res.registrationId}`, organizer.auth), 200)
    t.equal(res.people, reg.partySize, 'each reservation holds its party size')
  }
  t.ok(row.seats - row.reservedPeople < 2 || live.every((r) => r.status === 'reserved'), 'no party that fits is left waiting')
})
