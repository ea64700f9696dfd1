import t from 'tap'
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { checkins, programSessions, sessionAttendance } from '../../../src/db/schema.js'
import { eventKey, signTicketCode } from '../../../src/features/tickets/ticket-codes.js'
import { bearer, doorSetup, must, type Auth, type Json } from '../../helpers/door.js'
import { programFixtures } from '../../helpers/program-fixtures.js'

// The room door of a program session (API.md "Program", "At the room door"): the event door's reasons, then
// no_reservation and room_full, the room's occupancy, nonces, exits, scanners bound to a room, the snapshot.

const d = await doorSetup(t)
const program = programFixtures(d.ctx.db)
const fair = await d.event({ visitorCapacity: 50 })
const other = await d.event()
const hall = await program.room(fair.id, { name: 'Hall', capacity: 200 })
const side = await program.room(fair.id, { name: 'Side room', capacity: 20 })
const phone = await d.scanner(fair.id)
// Before the first scan: the verifier reads the events' keys then, and learns new ones every minute.
const stranger = await d.register(other.id)

const roomScan = (sessionId: string, auth: Auth, body: Record<string, unknown>) => d.inject('POST', `/v1/sessions/${sessionId}/checkins`, auth, body)
const scan = async (sessionId: string, body: Record<string, unknown>, auth: Auth = phone.auth): Promise<Json> => must(await roomScan(sessionId, auth, body), 200)
const reasonOf = (r: Json) => (r.status === 'ok' ? 'ok' : r.reason)

t.test('scanners bound to a room', async (t) => {
  const bound = must(await d.inject('POST', `/v1/events/${fair.id}/scanners`, d.organizer.auth, { label: 'Hall door', roomId: hall.id }), 201)
  t.equal(bound.roomId, hall.id, 'the answer names the room')
  t.match(bound.pairingUrl, new RegExp(`/door#event=${fair.id}&room=${hall.id}&token=vmd_`), 'the pairing link opens the door app at the room')
  t.equal(phone.roomId, null, 'an unbound scanner: null')
  const list = must(await d.inject('GET', `/v1/events/${fair.id}/scanners?limit=50`, d.organizer.auth), 200)
  t.equal(list.items.find((s: Json) => s.id === bound.id).roomId, hall.id, 'the list shows it')

  const elsewhere = await program.room(other.id)
  for (const roomId of [elsewhere.id, randomUUID()]) {
    const res = await d.inject('POST', `/v1/events/${fair.id}/scanners`, d.organizer.auth, { label: 'X', roomId })
    t.equal(res.statusCode, 400, 'a room of another event, or none: 400')
    t.equal(res.json().code, 'invalid_request')
    t.equal(res.json().errors[0].path, '/body/roomId', 'naming roomId')
  }

  const auth = bearer(bound.token)
  const here = await program.session(fair.id, hall.id, { reservation: 'open' })
  const there = await program.session(fair.id, side.id, { reservation: 'open' })
  const guest = await d.register(fair.id)
  t.equal(reasonOf(await scan(here.id, { code: guest.ticket.code }, auth)), 'ok', 'its own room: scans')
  const wrongRoom = await roomScan(there.id, auth, { code: guest.ticket.code })
  t.equal(wrongRoom.statusCode, 403, 'another room: 403')
  t.equal(wrongRoom.json().code, 'forbidden')
  const eventDoor = await d.checkin(fair.id, auth, { code: guest.ticket.code })
  t.equal(eventDoor.statusCode, 403, "not the event's door: it scans at its room only")
  t.equal((await d.batch(fair.id, auth, [{ code: guest.ticket.code }])).statusCode, 403, "nor the event door's batch")
  t.equal((await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, auth)).statusCode, 200, 'but it reads the snapshot')
  t.equal(reasonOf(await scan(there.id, { code: guest.ticket.code })), 'ok', 'an unbound scanner scans any room')
})

t.test('a required session: reservations, exhibitor passes, room_full, exits', async (t) => {
  const forum = await program.session(fair.id, side.id, { seats: 4, reservation: 'required', startsAt: new Date(Date.now() + 3 * 3600_000) })
  const reserved = await d.register(fair.id, 2, 'Reserved Pair')
  const waiting = await d.register(fair.id, 1)
  const walkIn = await d.register(fair.id, 1)
  await program.reserve(forum.id, reserved)
  await program.reserve(forum.id, waiting, 'waitlisted')

  const first = await scan(forum.id, { code: reserved.ticket.code })
  t.same(first, {
    status: 'ok',
    ticket: { id: reserved.ticket.id, kind: 'visitor', holderName: 'Reserved Pair', admits: 2, associationName: null },
    occupancy: { inside: 2, capacity: 4 },
  }, 'reserved: admitted with the party, without entering at the fair\'s door first')
  t.equal(reasonOf(await scan(forum.id, { code: waiting.ticket.code })), 'no_reservation', 'waitlisted is not enough')
  const none = await scan(forum.id, { code: walkIn.ticket.code })
  t.equal(reasonOf(none), 'no_reservation', 'no reservation')
  t.same(none.occupancy, { inside: 2, capacity: 4 }, 'with the room occupancy')
  t.equal(none.ticket.id, walkIn.ticket.id, 'and the ticket shown')
  const again = await scan(forum.id, { code: reserved.ticket.code })
  t.equal(reasonOf(again), 'already_checked_in')
  t.ok(again.previous.at, 'with the earlier entry')

  const passes = await Promise.all([1, 2, 3].map((i) => d.exhibitorPass(fair.id, `Crew ${i}`)))
  t.equal(reasonOf(await scan(forum.id, { code: passes[0].code })), 'ok', 'an exhibitor pass needs no reservation')
  t.equal(reasonOf(await scan(forum.id, { code: passes[1].code })), 'ok', 'and takes a seat')
  const full = await scan(forum.id, { code: passes[2].code })
  t.equal(reasonOf(full), 'room_full', 'a pass when the people inside fill the seats: room_full')
  t.same(full.occupancy, { inside: 4, capacity: 4 })

  const out = await scan(forum.id, { code: reserved.ticket.code, direction: 'exit' })
  t.equal(reasonOf(out), 'ok', 'exit')
  t.same(out.occupancy, { inside: 2, capacity: 4 }, 'the party leaves')
  t.equal(reasonOf(await scan(forum.id, { code: reserved.ticket.code, direction: 'exit' })), 'not_checked_in', 'an exit without entry')
  t.equal(reasonOf(await scan(forum.id, { code: passes[2].code })), 'ok', 'a seat freed: the pass gets in')

  const [counter] = await d.ctx.db.select().from(programSessions).where(eq(programSessions.id, forum.id))
  t.same({ inside: counter.inside, entries: counter.entries, exits: counter.exits }, { inside: 3, entries: 5, exits: 2 }, 'the counters')
  const logged = await d.ctx.db.select().from(checkins).where(eq(checkins.sessionId, forum.id))
  t.equal(logged.length, 10, 'every judged scan recorded with its session')
  t.same(
    logged.filter((r) => r.result === 'rejected').map((r) => r.reason).sort(),
    ['already_checked_in', 'no_reservation', 'no_reservation', 'not_checked_in', 'room_full'],
    'with its reason',
  )
  const fairDoor = await d.occupancy(fair.id, phone.auth)
  t.equal(fairDoor.inside, 0, "the fair's door count is not touched by a room door")
})

t.test('an open session: first come until the seats are taken', async (t) => {
  const talk = await program.session(fair.id, side.id, { seats: 3, reservation: 'open', startsAt: new Date(Date.now() + 6 * 3600_000) })
  const pair = await d.register(fair.id, 2)
  const trio = await d.register(fair.id, 3)
  const single = await d.register(fair.id, 1)
  t.equal(reasonOf(await scan(talk.id, { code: pair.ticket.code })), 'ok', 'no reservation needed')
  const tooMany = await scan(talk.id, { code: trio.ticket.code })
  t.equal(reasonOf(tooMany), 'room_full', 'a party of 3 does not fit the 1 seat left')
  t.same(tooMany.occupancy, { inside: 2, capacity: 3 })
  t.same((await scan(talk.id, { code: single.ticket.code })).occupancy, { inside: 3, capacity: 3 }, 'one more fits')
})

t.test('the reasons of the event door, at a room door', async (t) => {
  const talk = await program.session(fair.id, hall.id, { reservation: 'open', startsAt: new Date(Date.now() + 9 * 3600_000) })
  const forged = await scan(talk.id, { code: 'VM1' + 'A'.repeat(115) })
  t.same(forged, { status: 'rejected', reason: 'invalid_code' }, 'invalid_code: no ticket, no occupancy')
  const ghost = signTicketCode(randomUUID(), await eventKey(d.ctx.db, fair.id))
  t.equal(reasonOf(await scan(talk.id, { code: ghost })), 'unknown_ticket')
  const wrong = await scan(talk.id, { code: stranger.ticket.code })
  t.equal(reasonOf(wrong), 'wrong_event')
  t.notOk(wrong.ticket, "another event's holder is not shown")
  const gone = await d.register(fair.id)
  must(await d.inject('DELETE', `/v1/registrations/${gone.id}`, bearer(gone.manageToken)), 204)
  t.equal(reasonOf(await scan(talk.id, { code: gone.ticket.code })), 'revoked')
  const found = await d.register(fair.id, 1, 'Found By Name')
  t.equal(reasonOf(await scan(talk.id, { ticketId: found.ticket.id })), 'ok', 'a ticket picked from the door search')
  t.equal(reasonOf(await scan(talk.id, { code: found.ticket.code }, d.organizer.auth)), 'already_checked_in', 'an organizer scans too')
  const attendance = await d.ctx.db.select().from(sessionAttendance).where(eq(sessionAttendance.sessionId, talk.id))
  t.same(attendance.map((a) => a.ticketId).sort(), [gone.ticket.id, found.ticket.id].sort(), "attendance rows for this event's tickets only")
})

t.test('nonces: the first answer again, nothing changed', async (t) => {
  const talk = await program.session(fair.id, hall.id, { reservation: 'open', startsAt: new Date(Date.now() + 12 * 3600_000) })
  const guest = await d.register(fair.id, 2)
  const first = await scan(talk.id, { code: guest.ticket.code, nonce: 'room-1' })
  const retry = await scan(talk.id, { code: guest.ticket.code, nonce: 'room-1' })
  t.equal(reasonOf(first), 'ok')
  t.same(retry, first, 'the same answer, not already_checked_in')
  const [counter] = await d.ctx.db.select().from(programSessions).where(eq(programSessions.id, talk.id))
  t.equal(counter.inside, 2, 'counted once')
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.sessionId, talk.id))).length, 1, 'recorded once')
})

t.test('draft and cancelled sessions', async (t) => {
  const draft = await program.session(fair.id, side.id, { status: 'draft', startsAt: new Date(Date.now() + 15 * 3600_000) })
  const guest = await d.register(fair.id)
  for (const auth of [phone.auth, d.organizer.auth]) {
    const res = await roomScan(draft.id, auth, { code: guest.ticket.code })
    t.equal(res.statusCode, 404, 'a draft: 404')
  }
  t.equal((await roomScan(randomUUID(), phone.auth, { code: guest.ticket.code })).statusCode, 404, 'no such session: 404')

  const called = await program.session(fair.id, side.id, { reservation: 'open', startsAt: new Date(Date.now() + 18 * 3600_000) })
  t.equal(reasonOf(await scan(called.id, { code: guest.ticket.code })), 'ok')
  await d.ctx.db.update(programSessions).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(programSessions.id, called.id))
  const late = await d.register(fair.id)
  const refused = await roomScan(called.id, phone.auth, { code: late.ticket.code })
  t.equal(refused.statusCode, 409, 'cancelled: entries refused')
  t.equal(refused.json().code, 'invalid_transition')
  const out = await scan(called.id, { code: guest.ticket.code, direction: 'exit' })
  t.equal(reasonOf(out), 'ok', 'those inside may still leave')
  t.same(out.occupancy, { inside: 0, capacity: called.seats })
})

t.test('offline scans uploaded in a batch', async (t) => {
  const talk = await program.session(fair.id, hall.id, { seats: 2, reservation: 'open', startsAt: new Date(Date.now() + 21 * 3600_000) })
  const a = await d.register(fair.id)
  const b = await d.register(fair.id)
  const c = await d.register(fair.id)
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString()
  const scans = [
    { code: c.ticket.code, scannedAt: at(1), nonce: 'off-3' },
    { code: a.ticket.code, scannedAt: at(10), nonce: 'off-1' },
    { code: a.ticket.code, direction: 'exit', scannedAt: at(5), nonce: 'off-2' },
    { code: b.ticket.code, scannedAt: at(3), nonce: 'off-4' },
    { code: 'garbage', scannedAt: at(2) },
  ]
  const res = must(await d.inject('POST', `/v1/sessions/${talk.id}/checkins/batch`, phone.auth, { scans }), 200)
  t.same(res.results.map(reasonOf), ['ok', 'ok', 'ok', 'ok', 'invalid_code'], 'judged in scannedAt order: a leaves before b and c come')
  t.same(res.results[0].occupancy, { inside: 2, capacity: 2 }, 'the occupancy after the batch')
  const again = must(await d.inject('POST', `/v1/sessions/${talk.id}/checkins/batch`, phone.auth, { scans }), 200)
  t.same(again.results.map(reasonOf), ['ok', 'ok', 'ok', 'ok', 'invalid_code'], 'uploaded twice: the first answers')
  const [counter] = await d.ctx.db.select().from(programSessions).where(eq(programSessions.id, talk.id))
  t.same({ inside: counter.inside, entries: counter.entries, exits: counter.exits }, { inside: 2, entries: 3, exits: 1 })
})

t.test('the snapshot carries the sessions and their reserved tickets', async (t) => {
  const organizer = d.organizer.auth
  const first = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, organizer)
  const etag = first.headers.etag as string
  const snap = first.json()
  t.ok(snap.sessions.length >= 5, 'published and cancelled sessions')
  t.notOk(snap.sessions.some((s: Json) => s.status === 'draft'), 'no drafts')
  t.same(Object.keys(snap.sessions[0]).sort(), ['endsAt', 'id', 'reservation', 'reservedTickets', 'roomId', 'seats', 'startsAt', 'status', 'title'])
  const forum = await program.session(fair.id, side.id, { seats: 5, startsAt: new Date(Date.now() + 24 * 3600_000) })
  const changed = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...organizer, 'if-none-match': etag })
  t.equal(changed.statusCode, 200, 'a new session: a new ETag')
  const guest = await d.register(fair.id)
  const beforeReservation = (await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, organizer)).headers.etag as string
  await program.reserve(forum.id, guest)
  const after = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...organizer, 'if-none-match': beforeReservation })
  t.equal(after.statusCode, 200, 'a new reservation: a new ETag')
  t.same(after.json().sessions.find((s: Json) => s.id === forum.id).reservedTickets, [guest.ticket.id], "the reservation's ticket")
  const same = await d.inject('GET', `/v1/events/${fair.id}/checkin-snapshot`, { ...organizer, 'if-none-match': after.headers.etag as string })
  t.equal(same.statusCode, 304, 'nothing changed: 304')
})
