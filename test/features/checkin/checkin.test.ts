import t from 'tap'
import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { checkins, tickets } from '../../../src/db/schema.js'
import { bearer, doorSetup, must } from '../../helpers/door.js'
import { problem } from '../../helpers/problem.js'

// POST /v1/events/{eventId}/checkins through the HTTP stack: each reason of the decision table, entry/exit
// sequences, `previous`, occupancy, nonces, who may scan where, and bad requests. Races: checkin-race.test.ts;
// batches: checkin-batch.test.ts; forged codes and the database: checkin-invalid.test.ts.

/** The same code with one signature byte changed, spelled canonically: well-formed, signed by nobody. */
function forge(code: string): string {
  const raw = Buffer.from(code.slice(3), 'base64url')
  raw[40] ^= 0x01
  return `VM1${raw.toString('base64url')}`
}

t.test('the decision table, reason by reason', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event({ visitorCapacity: 50 })
  const otherFair = await d.event()
  const phone = await d.scanner(fair.id, { label: 'Phone 1', gate: 'North' })
  const guest = await d.register(fair.id, 3, 'Ayşe Yılmaz')
  const elsewhere = await d.register(otherFair.id, 1)
  const scan = (body: Record<string, unknown>) => d.scan(fair.id, phone.auth, body)

  t.test('invalid_code: garbage, forged, truncated, too long, empty', async (t) => {
    for (const code of ['hello', forge(guest.ticket.code), guest.ticket.code.slice(0, -1), `${guest.ticket.code}A`, 'VM1' + 'A'.repeat(4000), '']) {
      const res = await scan({ code })
      t.same(res, { status: 'rejected', reason: 'invalid_code' }, `${code.slice(0, 20)}… (${code.length} characters): no ticket, no occupancy`)
    }
    const lower = guest.ticket.code.slice(0, 3) + guest.ticket.code.slice(3).toLowerCase()
    t.equal((await scan({ code: lower })).reason, 'invalid_code', 'codes are case-sensitive')
  })

  t.test('unknown_ticket: a genuine signature over a ticket id that has no row', async (t) => {
    const ghost = randomUUID()
    const { signTicketCode, eventKey } = await import('../../../src/features/tickets/ticket-codes.js')
    const code = signTicketCode(ghost, await eventKey(d.ctx.db, fair.id))
    const res = await scan({ code })
    t.equal(res.status, 'rejected')
    t.equal(res.reason, 'unknown_ticket')
    t.notOk(res.ticket, 'no ticket to show')
    t.same(res.occupancy, { inside: 0, capacity: 50 })
    const logged = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, ghost))
    t.equal(logged.length, 1, 'recorded')
    t.equal(logged[0].reason, 'unknown_ticket')
  })

  t.test('wrong_event: a genuine ticket of another event', async (t) => {
    const res = await scan({ code: elsewhere.ticket.code })
    t.same({ status: res.status, reason: res.reason }, { status: 'rejected', reason: 'wrong_event' })
    t.notOk(res.ticket, "another event's holder is not shown")
    t.equal((await scan({ ticketId: elsewhere.ticket.id })).reason, 'wrong_event', 'by ticket id too')
    const [ticket] = await d.ctx.db.select().from(tickets).where(eq(tickets.id, elsewhere.ticket.id))
    t.equal(ticket.inside, false, 'the ticket is untouched')
  })

  t.test('revoked: a cancelled registration', async (t) => {
    const gone = await d.register(fair.id, 2, 'Cancelled Person')
    must(await d.inject('DELETE', `/v1/registrations/${gone.id}`, bearer(gone.manageToken)), 204)
    const res = await scan({ code: gone.ticket.code })
    t.equal(res.reason, 'revoked')
    t.same(res.ticket, { id: gone.ticket.id, kind: 'visitor', holderName: 'Cancelled Person', admits: 2, associationName: null }, 'the door sees whose it was')
    t.equal((await scan({ code: gone.ticket.code, direction: 'exit' })).reason, 'revoked', 'an exit of a revoked ticket that is not inside: revoked')
  })

  t.test('ok, then already_checked_in, exit, not_checked_in, re-entry', async (t) => {
    const first = await scan({ code: guest.ticket.code })
    t.equal(first.status, 'ok')
    t.notOk(first.reason)
    t.same(first.ticket, { id: guest.ticket.id, kind: 'visitor', holderName: 'Ayşe Yılmaz', admits: 3, associationName: null })
    t.notOk(first.previous, 'never accepted before')
    t.same(first.occupancy, { inside: 3, capacity: 50 }, 'admits counts people')

    const again = await scan({ code: guest.ticket.code })
    t.equal(again.reason, 'already_checked_in')
    t.equal(again.previous.gate, 'North', 'previous: where it was accepted')
    t.ok(Math.abs(Date.parse(again.previous.at) - Date.now()) < 60_000, 'and when')
    t.same(again.occupancy, { inside: 3, capacity: 50 }, 'nothing changed')

    const out = await scan({ code: guest.ticket.code, direction: 'exit' })
    t.equal(out.status, 'ok')
    t.same(out.occupancy, { inside: 0, capacity: 50 })
    t.equal(out.previous.at, again.previous.at, 'previous: the entry')

    t.equal((await scan({ code: guest.ticket.code, direction: 'exit' })).reason, 'not_checked_in', 'exit after exit')
    const back = await scan({ code: guest.ticket.code, direction: 'entry' })
    t.equal(back.status, 'ok', 'entry after exit is allowed')
    t.same(back.occupancy, { inside: 3, capacity: 50 })
    const fresh = await d.register(fair.id, 1)
    t.equal((await scan({ code: fresh.ticket.code, direction: 'exit' })).reason, 'not_checked_in', 'exit without any entry')
    t.same(await d.occupancy(fair.id, phone.auth), { inside: 3, capacity: 50, entries: 6, exits: 3 })
  })

  t.test('a revoked ticket that is inside may still leave, and not come back', async (t) => {
    const party = await d.register(fair.id, 2)
    t.equal((await scan({ code: party.ticket.code })).status, 'ok')
    const before = (await d.occupancy(fair.id, phone.auth)).inside
    must(await d.inject('DELETE', `/v1/registrations/${party.id}`, bearer(party.manageToken)), 204)
    const out = await scan({ code: party.ticket.code, direction: 'exit' })
    t.equal(out.status, 'ok', 'the exit is counted')
    t.equal(out.occupancy.inside, before - 2)
    t.equal((await scan({ code: party.ticket.code })).reason, 'revoked')
  })

  t.test('the order of the checks', async (t) => {
    // revoked and already inside: revoked wins over already_checked_in
    const both = await d.register(fair.id, 1)
    t.equal((await scan({ code: both.ticket.code })).status, 'ok')
    must(await d.inject('DELETE', `/v1/registrations/${both.id}`, bearer(both.manageToken)), 204)
    t.equal((await scan({ code: both.ticket.code })).reason, 'revoked')
    // another event's revoked ticket: wrong_event wins over revoked
    const gone = await d.register(otherFair.id, 1)
    must(await d.inject('DELETE', `/v1/registrations/${gone.id}`, bearer(gone.manageToken)), 204)
    t.equal((await scan({ code: gone.ticket.code })).reason, 'wrong_event')
    // a forged copy of a valid ticket: invalid_code wins over everything
    t.equal((await scan({ code: forge(both.ticket.code) })).reason, 'invalid_code')
  })
})

t.test('exhibitor passes are judged like visitor tickets and admit one', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  await d.register(fair.id, 1) // makes the event's key
  const phone = await d.scanner(fair.id)
  const pass = await d.exhibitorPass(fair.id, 'Mehmet (Kulturverein)')
  const anonymous = await d.exhibitorPass(fair.id, null)
  const ok = await d.scan(fair.id, phone.auth, { code: pass.code })
  t.equal(ok.status, 'ok')
  t.same(ok.ticket, { id: pass.id, kind: 'exhibitor', holderName: 'Mehmet (Kulturverein)', admits: 1, associationName: null })
  t.equal(ok.occupancy.inside, 1)
  t.equal((await d.scan(fair.id, phone.auth, { code: pass.code })).reason, 'already_checked_in')
  t.equal((await d.scan(fair.id, phone.auth, { code: anonymous.code })).ticket.holderName, null, 'a pass without a name')
  t.equal((await d.scan(fair.id, phone.auth, { code: pass.code, direction: 'exit' })).status, 'ok')
  await d.ctx.db.update(tickets).set({ revokedAt: new Date() }).where(eq(tickets.id, pass.id))
  t.equal((await d.scan(fair.id, phone.auth, { code: pass.code })).reason, 'revoked', 'a revoked pass')
  t.same(await d.occupancy(fair.id, phone.auth), { inside: 1, capacity: 100, entries: 2, exits: 1 })
})

t.test('what is recorded for each scan', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id, { label: 'Phone', gate: 'South' })
  const guest = await d.register(fair.id, 2)
  const scannedAt = new Date(Date.now() - 1000).toISOString()
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code, scannedAt, nonce: 'n-1' })
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code, nonce: 'n-2' })
  const rows = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id)).orderBy(checkins.scannedAt)
  t.equal(rows.length, 2)
  t.match(rows[0], { eventId: fair.id, scannerId: phone.id, accountId: null, gate: 'South', direction: 'entry', result: 'ok', reason: null, people: 2, nonce: 'n-1', previousAt: null })
  t.equal(rows[0].scannedAt.toISOString(), scannedAt, "the device's time")
  t.ok(rows[0].receivedAt.getTime() >= rows[0].scannedAt.getTime(), "and the server's")
  t.match(rows[1], { result: 'rejected', reason: 'already_checked_in', people: 0, previousGate: 'South' })
  t.equal(rows[1].previousAt?.toISOString(), scannedAt)
  const [ticket] = await d.ctx.db.select().from(tickets).where(eq(tickets.id, guest.ticket.id))
  t.match(ticket, { inside: true, insidePeople: 2, acceptedScans: 1, lastAcceptedGate: 'South' })
})

t.test('a party that changes size while inside leaves with the people it came in with', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 3)
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code })
  must(await d.inject('PATCH', `/v1/registrations/${guest.id}`, bearer(guest.manageToken), { partySize: 1 }), 200)
  const out = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit' })
  t.equal(out.ticket.admits, 1, 'the ticket now admits 1')
  t.same(await d.occupancy(fair.id, phone.auth), { inside: 0, capacity: 100, entries: 3, exits: 3 }, 'but 3 came in and 3 left')
  const back = await d.scan(fair.id, phone.auth, { code: guest.ticket.code })
  t.equal(back.occupancy.inside, 1, 'the next entry counts 1')
})

t.test('nonce: a retry returns the first answer and changes nothing', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const otherPhone = await d.scanner(fair.id, { label: 'Phone 2' })
  const guest = await d.register(fair.id, 2)
  const first = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, nonce: 'scan-1' })
  t.equal(first.status, 'ok')
  const retry = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, nonce: 'scan-1' })
  t.same(retry, first, 'the same ok, not already_checked_in')
  const count = async () => (await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))).length
  t.equal(await count(), 1, 'one scan recorded')

  // After the person left, the retry of the entry still answers as the first time, and changes nothing.
  t.equal((await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit', nonce: 'scan-2' })).status, 'ok')
  const late = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, nonce: 'scan-1' })
  t.equal(late.status, 'ok')
  t.equal(late.occupancy.inside, 0, 'the occupancy is the current one')
  const [ticket] = await d.ctx.db.select().from(tickets).where(eq(tickets.id, guest.ticket.id))
  t.equal(ticket.inside, false, 'the ticket stays outside')
  t.equal(await count(), 2)

  const rejectedFirst = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit', nonce: 'scan-3' })
  t.equal(rejectedFirst.reason, 'not_checked_in')
  t.same(await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'entry', nonce: 'scan-3' }), rejectedFirst, 'a rejection replays too, whatever the body now says')
  t.equal(await count(), 3)

  const byOther = await d.scan(fair.id, otherPhone.auth, { code: guest.ticket.code, nonce: 'scan-1' })
  t.equal(byOther.status, 'ok', "another device's nonce is its own")
  t.equal(await count(), 4)

  t.same(
    await d.scan(fair.id, phone.auth, { code: 'garbage', nonce: 'scan-9' }),
    { status: 'rejected', reason: 'invalid_code' },
    'an invalid code with a nonce is just invalid again',
  )
})

t.test('organizers and admins check in at the door; nobody else', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const guest = await d.register(fair.id, 1)
  const byOrganizer = await d.scan(fair.id, d.organizer.auth, { code: guest.ticket.code, nonce: 'desk-1' })
  t.equal(byOrganizer.status, 'ok')
  const [row] = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))
  t.match(row, { scannerId: null, accountId: d.organizer.id, gate: null })
  t.same(await d.scan(fair.id, d.organizer.auth, { code: guest.ticket.code, nonce: 'desk-1' }), byOrganizer, 'their nonces work too')
  const out = await d.scan(fair.id, d.admin.auth, { code: guest.ticket.code, direction: 'exit', nonce: 'desk-1' })
  t.equal(out.status, 'ok', "the admin's nonce is not the organizer's")
  t.equal(out.previous.gate, null, 'previous gate: null for an organizer')

  const stranger = await d.ctx.account('organizer')
  const exhibitor = await d.ctx.account('exhibitor')
  problem(t, await d.checkin(fair.id, stranger.auth, { code: guest.ticket.code }), 403, 'forbidden')
  problem(t, await d.checkin(fair.id, exhibitor.auth, { code: guest.ticket.code }), 403, 'forbidden')
  problem(t, await d.checkin(fair.id, bearer(guest.manageToken), { code: guest.ticket.code }), 403, 'forbidden')
  problem(t, await d.checkin(fair.id, undefined as never, { code: guest.ticket.code }), 401, 'unauthenticated')
  const draft = await d.event({}, { publish: false })
  problem(t, await d.checkin(draft.id, stranger.auth, { code: guest.ticket.code }), 404, 'not_found')
  t.equal((await d.checkin(fair.slug, d.organizer.auth, { code: guest.ticket.code })).statusCode, 200, 'by slug')
})

t.test('scanners: their own event only; revoked tokens are refused', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const otherFair = await d.event()
  const draft = await d.event({}, { publish: false })
  const phone = await d.scanner(fair.id)
  const guest = await d.register(otherFair.id, 1)

  const onOther = await d.checkin(otherFair.id, phone.auth, { code: guest.ticket.code })
  t.equal(problem(t, onOther, 403, 'forbidden').detail, 'This scanner belongs to another event.', 'a published event: 403')
  problem(t, await d.checkin(otherFair.slug, phone.auth, { code: guest.ticket.code }), 403, 'forbidden')
  problem(t, await d.checkin(draft.id, phone.auth, { code: guest.ticket.code }), 404, 'not_found')
  problem(t, await d.checkin(randomUUID(), phone.auth, { code: guest.ticket.code }), 404, 'not_found')
  for (const path of ['occupancy', 'checkin-snapshot', 'attendees?q=gu']) {
    problem(t, await d.inject('GET', `/v1/events/${otherFair.id}/${path}`, phone.auth), 403, 'forbidden')
  }
  problem(t, await d.batch(otherFair.id, phone.auth, [{ code: guest.ticket.code }]), 403, 'forbidden')
  t.equal((await d.checkin(fair.slug, phone.auth, { code: 'x' })).statusCode, 200, 'its own event by slug')
  t.equal((await d.checkin(fair.id.toUpperCase(), phone.auth, { code: 'x' })).statusCode, 200, 'by id in capitals')

  // What a scanner token may not do at all.
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/stats`, phone.auth), 403, 'forbidden')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/scanners`, phone.auth), 403, 'forbidden')
  problem(t, await d.inject('POST', `/v1/events/${fair.id}/scanners`, phone.auth, { label: 'mine' }), 403, 'forbidden')
  problem(t, await d.inject('DELETE', `/v1/scanners/${phone.id}`, phone.auth), 404, 'not_found')
  problem(t, await d.inject('GET', '/v1/me', phone.auth), 403, 'forbidden')
  problem(t, await d.inject('PATCH', `/v1/events/${fair.id}`, phone.auth, { title: 'x' }), 403, 'forbidden')

  must(await d.inject('DELETE', `/v1/scanners/${phone.id}`, d.organizer.auth), 204)
  const refused = await d.checkin(fair.id, phone.auth, { code: 'x' })
  problem(t, refused, 401, 'unauthenticated')
  t.equal(refused.headers['www-authenticate'], 'Bearer')
  problem(t, await d.inject('GET', `/v1/events/${fair.id}/occupancy`, phone.auth), 401, 'unauthenticated')
  problem(t, await d.checkin(fair.id, bearer(`vmd_${'A'.repeat(43)}`), { code: 'x' }), 401, 'unauthenticated')
})

t.test('check-in by ticket id, for a person found with the door search', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 2, 'Without Phone')
  const ok = await d.scan(fair.id, phone.auth, { ticketId: guest.ticket.id })
  t.equal(ok.status, 'ok')
  t.equal(ok.ticket.holderName, 'Without Phone')
  t.equal((await d.scan(fair.id, phone.auth, { code: guest.ticket.code })).reason, 'already_checked_in', 'the same ticket as its code')
  t.equal((await d.scan(fair.id, phone.auth, { ticketId: guest.ticket.id.toUpperCase(), direction: 'exit' })).status, 'ok')
  t.equal((await d.scan(fair.id, phone.auth, { ticketId: randomUUID() })).reason, 'unknown_ticket')
})

t.test('bad requests are problem+json', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 1)
  const bad = async (body: unknown, path: string) => {
    const res = await d.inject('POST', `/v1/events/${fair.id}/checkins`, phone.auth, body)
    const p = problem(t, res, 400, 'invalid_request')
    t.ok(p.errors?.some((e) => e.path === path), `${JSON.stringify(body).slice(0, 80)} → ${path}`, { errors: p.errors })
  }
  await bad({}, '/body/code')
  await bad({ code: guest.ticket.code, ticketId: guest.ticket.id }, '/body/code')
  await bad({ code: guest.ticket.code, direction: 'sideways' }, '/body/direction')
  await bad({ code: guest.ticket.code, scannedAt: 'yesterday' }, '/body/scannedAt')
  await bad({ code: guest.ticket.code, scannedAt: new Date(Date.now() + 10 * 60_000).toISOString() }, '/body/scannedAt')
  await bad({ code: guest.ticket.code, nonce: '' }, '/body/nonce')
  await bad({ code: guest.ticket.code, nonce: 'x'.repeat(65) }, '/body/nonce')
  await bad({ code: guest.ticket.code, nonce: 'a\u0000b' }, '/body/nonce')
  await bad({ code: 42 }, '/body/code')
  await bad({ code: 'x'.repeat(4401) }, '/body/code')
  await bad({ ticketId: 'not-a-uuid' }, '/body/ticketId')
  await bad({ code: guest.ticket.code, gate: 'West' }, '/body/gate')
  const text = await d.ctx.app.inject({ method: 'POST', url: `/v1/events/${fair.id}/checkins`, headers: { ...phone.auth, 'content-type': 'text/plain' }, payload: 'VM1…' })
  problem(t, text, 415, 'unsupported_media_type')
  const broken = await d.ctx.app.inject({ method: 'POST', url: `/v1/events/${fair.id}/checkins`, headers: { ...phone.auth, 'content-type': 'application/json' }, payload: '{"code":' })
  problem(t, broken, 400, 'invalid_request')
  problem(t, await d.inject('POST', `/v1/events/${'x'.repeat(300)}/checkins`, phone.auth, { code: 'x' }), 414, 'uri_too_long')
  problem(t, await d.inject('POST', `/v1/events/not_a_slug!/checkins`, phone.auth, { code: 'x' }), 400, 'invalid_request')
  const ahead = new Date(Date.now() + 60_000).toISOString()
  t.equal((await d.scan(fair.id, phone.auth, { code: guest.ticket.code, scannedAt: ahead })).status, 'ok', 'a minute ahead is a clock, not an error')
  t.equal((await d.ctx.db.select().from(checkins).where(and(eq(checkins.eventId, fair.id)))).length, 1, 'nothing recorded for the bad ones')
})

t.test("a door that scanned before its event's first ticket existed still knows the tickets' key", async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const earlyBird = await d.event()
  const other = await d.register(earlyBird.id, 1)
  // The keys in memory are read at this first scan: the fair has none yet.
  t.equal((await d.scan(fair.id, phone.auth, { code: forge(other.ticket.code) })).reason, 'invalid_code')
  const guest = await d.register(fair.id, 1)
  t.equal((await d.scan(fair.id, phone.auth, { code: guest.ticket.code })).status, 'ok', "the fair's new key is looked up")
  t.equal((await d.scan(fair.id, phone.auth, { code: other.ticket.code })).reason, 'wrong_event', "and the other event's was in memory")
  const forged = forge(guest.ticket.code)
  for (let i = 0; i < 3; i++) t.equal((await d.scan(fair.id, phone.auth, { code: forged })).reason, 'invalid_code', `a forgery, again (${i})`)
  t.equal((await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit' })).status, 'ok', 'the genuine code still passes')
})

