import t from 'tap'
import type { Test } from 'tap'
import { eq } from 'drizzle-orm'
import { checkins, programSessions, sessionAttendance } from '../../../src/db/schema.js'
import { doorSetup, must, type Json } from '../../helpers/door.js'
import { programFixtures } from '../../helpers/program-fixtures.js'

// Room doors scanning at the same moment. On real PostgreSQL (TEST_DATABASE_URL) the requests run on several
// connections at once and the row locks decide; on PGlite the transactions take turns on one connection.

const d = await doorSetup(t)
const program = programFixtures(d.ctx.db)
const fair = await d.event({ visitorCapacity: 500 })
const room = await program.room(fair.id, { capacity: 300 })
const phones = await Promise.all(['A', 'B', 'C', 'D'].map((gate) => d.scanner(fair.id, { label: `Room phone ${gate}`, gate, roomId: room.id })))

const scan = async (sessionId: string, i: number, body: Record<string, unknown>): Promise<Json> =>
  must(await d.inject('POST', `/v1/sessions/${sessionId}/checkins`, phones[i % phones.length].auth, body), 200)
const outcome = (r: Json) => (r.status === 'ok' ? 'ok' : r.reason)
const tally = (results: Json[]) => results.map(outcome).reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {})

/** The session's counters against its attendance rows and its scan log. */
async function consistent(t: Test, sessionId: string) {
  const [counter] = await d.ctx.db.select().from(programSessions).where(eq(programSessions.id, sessionId))
  const attendance = await d.ctx.db.select().from(sessionAttendance).where(eq(sessionAttendance.sessionId, sessionId))
  const log = await d.ctx.db.select().from(checkins).where(eq(checkins.sessionId, sessionId))
  const people = (direction: string) => log.filter((r) => r.result === 'ok' && r.direction === direction).reduce((n, r) => n + r.people, 0)
  t.equal(counter.inside, attendance.reduce((n, a) => n + a.insidePeople, 0), 'inside = the people of the tickets inside')
  t.equal(counter.entries, people('entry'), 'entries = the accepted entries in the log')
  t.equal(counter.exits, people('exit'), 'exits = the accepted exits in the log')
  t.ok(counter.inside <= counter.seats, 'inside never exceeds seats')
  return counter
}


t.test('one ticket at four doors of the room at once: exactly one ok', async (t) => {
  const forum = await program.session(fair.id, room.id, { seats: 50 })
  const guest = await d.register(fair.id, 3)
  await program.reserve(forum.id, guest)
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => scan(forum.id, i, { code: guest.ticket.code })))
  t.same(tally(results), { ok: 1, already_checked_in: 19 })
  const counter = await consistent(t, forum.id)
  t.equal(counter.inside, 3, 'the party counted once')

  const exits = await Promise.all(Array.from({ length: 12 }, (_, i) => scan(forum.id, i, { code: guest.ticket.code, direction: 'exit' })))
  t.same(tally(exits), { ok: 1, not_checked_in: 11 }, 'and one exit of many')
  t.equal((await consistent(t, forum.id)).inside, 0)
})

t.test('many tickets into an open session with few seats: exactly the seats are filled', async (t) => {
  const seats = 7
  const talk = await program.session(fair.id, room.id, { seats, reservation: 'open', startsAt: new Date(Date.now() + 2 * 3600_000) })
  const guests = []
  for (let i = 0; i < 30; i++) guests.push(await d.register(fair.id, 1))
  const results = await Promise.all(guests.map((g, i) => scan(talk.id, i, { code: g.ticket.code })))
  t.same(tally(results), { ok: seats, room_full: 30 - seats }, `${seats} admitted, the rest room_full`)
  t.ok(results.every((r) => r.occupancy.inside <= seats && r.occupancy.capacity === seats), 'no answer shows more inside than seats')
  const counter = await consistent(t, talk.id)
  t.equal(counter.inside, seats, 'inside = seats')
})

t.test('parties of different sizes racing for the last seats, with exhibitor passes', async (t) => {
  const seats = 10
  const forum = await program.session(fair.id, room.id, { seats, reservation: 'required', startsAt: new Date(Date.now() + 4 * 3600_000) })
  const codes: string[] = []
  let reserved = 0
  for (const size of [3, 2, 1, 2]) {
    const g = await d.register(fair.id, size)
    await program.reserve(forum.id, g)
    reserved += size
    codes.push(g.ticket.code)
  }
  for (let i = 0; i < 8; i++) codes.push((await d.exhibitorPass(fair.id, `Crew ${i}`)).code)
  const results = await Promise.all(codes.map((code, i) => scan(forum.id, i, { code })))
  const counter = await consistent(t, forum.id)
  t.ok(counter.inside <= seats, `inside ${counter.inside} ≤ ${seats}`)
  t.equal(counter.inside, results.filter((r) => r.status === 'ok').reduce((n, r) => n + r.ticket.admits, 0), 'inside = the people admitted')
  t.ok(results.every((r) => r.status === 'ok' || r.reason === 'room_full'), 'refused only for room_full')
  t.ok(counter.inside >= seats - 2, `the room is filled to within the smallest refused party (${counter.inside} of ${seats}, ${reserved} reserved)`)
})

t.test('a retried nonce racing itself: one scan', async (t) => {
  const talk = await program.session(fair.id, room.id, { reservation: 'open', startsAt: new Date(Date.now() + 6 * 3600_000) })
  const guest = await d.register(fair.id, 2)
  const results = await Promise.all(Array.from({ length: 10 }, () => scan(talk.id, 0, { code: guest.ticket.code, nonce: 'flaky-wifi' })))
  t.same(tally(results), { ok: 10 }, 'every answer is the first one')
  const log = await d.ctx.db.select().from(checkins).where(eq(checkins.sessionId, talk.id))
  t.equal(log.length, 1, 'recorded once')
  t.equal((await consistent(t, talk.id)).inside, 2)
})
