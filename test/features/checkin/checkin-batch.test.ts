import t from 'tap'
import { eq } from 'drizzle-orm'
import { checkins, tickets } from '../../../src/db/schema.js'
import { doorSetup, must, type Json } from '../../helpers/door.js'
import { problem } from '../../helpers/problem.js'

// POST /v1/events/{eventId}/checkins/batch: offline scans uploaded later, judged in the order they were scanned
// and placed among what was recorded online meanwhile; answers in the order of the request.

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()
const outcome = (r: Json) => (r.status === 'ok' ? 'ok' : r.reason)

t.test('judged in scannedAt order, answered in request order', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id, { label: 'Offline phone', gate: 'Garden' })
  const guest = await d.register(fair.id, 2)
  const at = { 30: minutesAgo(30), 20: minutesAgo(20), 10: minutesAgo(10), 5: minutesAgo(5) }
  const res = must(
    await d.batch(fair.id, phone.auth, [
      { code: guest.ticket.code, direction: 'exit', scannedAt: at[20] },
      { code: guest.ticket.code, direction: 'entry', scannedAt: at[30] },
      { code: guest.ticket.code, direction: 'entry', scannedAt: at[10] },
      { code: guest.ticket.code, direction: 'entry', scannedAt: at[5] },
    ]),
    200,
  )
  t.same(res.results.map(outcome), ['ok', 'ok', 'ok', 'already_checked_in'], 'entry 30, exit 20, entry 10, entry 5 again')
  t.same(res.results.map((r: Json) => r.previous?.at ?? null), [at[30], null, at[20], at[10]], 'previous: the accepted scan before each')
  t.same(res.results[3].previous, { at: at[10], gate: 'Garden' })
  t.ok(res.results.every((r: Json) => r.occupancy.inside === 2), 'each answer carries the occupancy after the batch')
  const [ticket] = await d.ctx.db.select().from(tickets).where(eq(tickets.id, guest.ticket.id))
  t.match(ticket, { inside: true, insidePeople: 2, acceptedScans: 3, lastAcceptedGate: 'Garden' })
  t.same(await d.occupancy(fair.id, phone.auth), { inside: 2, capacity: 100, entries: 4, exits: 2 })
})

t.test('an offline exit and re-entry placed between an online entry and an online exit', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const online = await d.scanner(fair.id, { label: 'Online', gate: 'Main' })
  const offline = await d.scanner(fair.id, { label: 'Offline', gate: 'Garden' })
  const guest = await d.register(fair.id, 3)

  t.equal((await d.scan(fair.id, online.auth, { code: guest.ticket.code, scannedAt: minutesAgo(60) })).status, 'ok', 'entry online, 60 min ago')
  // Meanwhile, offline in the garden: out at 40, back in at 30. The server does not know; the person leaves online at 10.
  t.equal((await d.scan(fair.id, online.auth, { code: guest.ticket.code, direction: 'exit', scannedAt: minutesAgo(10) })).status, 'ok', 'exit online')
  const res = must(
    await d.batch(fair.id, offline.auth, [
      { code: guest.ticket.code, direction: 'exit', scannedAt: minutesAgo(40), nonce: 'g-1' },
      { code: guest.ticket.code, direction: 'entry', scannedAt: minutesAgo(30), nonce: 'g-2' },
    ]),
    200,
  )
  t.same(res.results.map(outcome), ['ok', 'ok'], 'both accepted: they happened while the ticket was inside')
  t.equal(res.results[0].previous.gate, 'Main', 'the offline exit follows the online entry')
  t.equal(res.results[1].previous.gate, 'Garden')
  const [ticket] = await d.ctx.db.select().from(tickets).where(eq(tickets.id, guest.ticket.id))
  t.equal(ticket.inside, false, 'the person is outside: the online exit came last')
  t.equal(ticket.lastAcceptedGate, 'Main')
  t.same(await d.occupancy(fair.id, online.auth), { inside: 0, capacity: 100, entries: 6, exits: 6 }, 'in twice, out twice')
  t.equal(res.results[0].occupancy.inside, 0)

  // Scanning the ticket now continues from the end of its timeline.
  t.equal((await d.scan(fair.id, online.auth, { code: guest.ticket.code })).status, 'ok')
})

t.test('an offline entry before an online exit that was refused stays where it is', async (t) => {
  // Documented limit (docs/decisions/0042-offline-scanning.md): the online exit was refused (not_checked_in) and stays refused; the
  // late entry is accepted, so the ticket counts inside until its next exit. The count errs towards more inside.
  const d = await doorSetup(t)
  const fair = await d.event()
  const online = await d.scanner(fair.id, { label: 'Online' })
  const offline = await d.scanner(fair.id, { label: 'Offline' })
  const guest = await d.register(fair.id, 1)
  t.equal((await d.scan(fair.id, online.auth, { code: guest.ticket.code, direction: 'exit', scannedAt: minutesAgo(5) })).reason, 'not_checked_in')
  const res = must(await d.batch(fair.id, offline.auth, [{ code: guest.ticket.code, scannedAt: minutesAgo(15) }]), 200)
  t.equal(outcome(res.results[0]), 'ok')
  t.equal(res.results[0].occupancy.inside, 1)
  const rows = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id)).orderBy(checkins.scannedAt)
  t.same(rows.map((r) => [r.direction, r.result]), [['entry', 'ok'], ['exit', 'rejected']], 'the log keeps both, as answered')
})

t.test('a single scan dated before the ticket\'s last accepted scan is placed the same way', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 2)
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code, scannedAt: minutesAgo(30) })
  await d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit', scannedAt: minutesAgo(10) })
  // A retry that arrives late (a phone that was offline for a single scan): an entry at 20, while inside.
  const late = await d.scan(fair.id, phone.auth, { code: guest.ticket.code, scannedAt: minutesAgo(20) })
  t.equal(late.reason, 'already_checked_in', 'judged at 20 minutes ago, when the ticket was inside')
  t.ok(Math.abs(Date.parse(late.previous.at) - Date.parse(minutesAgo(30))) < 5000, 'previous: the entry at 30')
  const now = await d.scan(fair.id, phone.auth, { code: guest.ticket.code })
  t.equal(now.status, 'ok', 'and now it enters again')
})

t.test('nonces in batches', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const a = await d.register(fair.id, 1)
  const b = await d.register(fair.id, 2)
  const single = await d.scan(fair.id, phone.auth, { code: a.ticket.code, nonce: 'p-1' })
  const scans = [
    { code: a.ticket.code, nonce: 'p-1' }, // sent before as a single scan
    { code: b.ticket.code, nonce: 'p-2', scannedAt: minutesAgo(2) },
    { code: b.ticket.code, nonce: 'p-2', scannedAt: minutesAgo(2) }, // the same scan twice in one upload
    { code: b.ticket.code, nonce: 'p-3', scannedAt: minutesAgo(1) },
    { code: 'garbage', nonce: 'p-4' },
  ]
  const first = must(await d.batch(fair.id, phone.auth, scans), 200)
  t.same(first.results.map(outcome), ['ok', 'ok', 'ok', 'already_checked_in', 'invalid_code'])
  t.same(first.results[0].ticket, single.ticket, 'the single scan replayed')
  t.same(first.results[2], first.results[1], 'the duplicate answers as the first')
  const count = async () => (await d.ctx.db.select().from(checkins).where(eq(checkins.eventId, fair.id))).length
  t.equal(await count(), 3, 'a single, p-2 and p-3')

  const again = must(await d.batch(fair.id, phone.auth, scans), 200)
  t.same(again.results, first.results, 'uploading the same batch again answers the same')
  t.equal(await count(), 3, 'and records nothing')
  t.same(await d.occupancy(fair.id, phone.auth), { inside: 3, capacity: 100, entries: 3, exits: 0 })
})

t.test('every reason in one batch', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const otherFair = await d.event()
  const phone = await d.scanner(fair.id)
  const ok = await d.register(fair.id, 1)
  const cancelled = await d.register(fair.id, 1)
  must(await d.inject('DELETE', `/v1/registrations/${cancelled.id}`, { authorization: `Bearer ${cancelled.manageToken}` }), 204)
  const elsewhere = await d.register(otherFair.id, 1)
  const res = must(
    await d.batch(fair.id, phone.auth, [
      { code: 'nope' },
      { ticketId: '00000000-0000-4000-8000-000000000001' },
      { code: elsewhere.ticket.code },
      { code: cancelled.ticket.code },
      { code: ok.ticket.code, scannedAt: minutesAgo(3) },
      { code: ok.ticket.code, scannedAt: minutesAgo(2) },
      { code: ok.ticket.code, direction: 'exit', scannedAt: minutesAgo(1) },
      { code: ok.ticket.code, direction: 'exit' },
    ]),
    200,
  )
  t.same(res.results.map(outcome), ['invalid_code', 'unknown_ticket', 'wrong_event', 'revoked', 'ok', 'already_checked_in', 'ok', 'not_checked_in'])
  const nobody = must(await d.batch(fair.id, phone.auth, [{ ticketId: '00000000-0000-4000-8000-000000000002', nonce: 'ghost' }]), 200)
  t.equal(outcome(nobody.results[0]), 'unknown_ticket', 'a batch of only unknown tickets')
  t.notOk(res.results[0].occupancy, 'invalid_code: no occupancy')
  t.notOk(res.results[2].ticket, 'wrong_event: no ticket')
  t.equal(res.results[3].ticket.id, cancelled.ticket.id)
})

t.test('an organizer uploads a batch; limits and bad scans', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 1)
  const byOrganizer = must(await d.batch(fair.id, d.organizer.auth, [{ code: guest.ticket.code }]), 200)
  t.equal(byOrganizer.results[0].status, 'ok')

  const tooMany = Array.from({ length: 1001 }, () => ({ code: 'x' }))
  const over = problem(t, await d.batch(fair.id, phone.auth, tooMany), 400, 'invalid_request')
  t.equal(over.errors?.[0].path, '/body/scans')
  const full = Array.from({ length: 1000 }, (_, i) => ({ code: guest.ticket.code, direction: i % 2 ? 'entry' : 'exit', nonce: `full-${i}` }))
  const thousand = must(await d.batch(fair.id, phone.auth, full), 200)
  t.equal(thousand.results.length, 1000, '1,000 is allowed')
  t.equal(thousand.results.filter((r: Json) => r.status === 'ok').length, 1000, 'out, in, out, in … all accepted in order')
  problem(t, await d.batch(fair.id, phone.auth, []), 400, 'invalid_request')
  const mixed = problem(t, await d.batch(fair.id, phone.auth, [{ code: guest.ticket.code }, { direction: 'entry' }, { code: 'x', scannedAt: new Date(Date.now() + 3_600_000).toISOString() }]), 400, 'invalid_request')
  t.same(mixed.errors?.map((e) => e.path), ['/body/scans/1/code', '/body/scans/2/scannedAt'], 'every bad scan named')
  problem(t, await d.inject('POST', `/v1/events/${fair.id}/checkins/batch`, phone.auth, { scans: [{ code: 'x', extra: 1 }] }), 400, 'invalid_request')
  problem(t, await d.inject('POST', `/v1/events/${fair.id}/checkins/batch`, phone.auth, [{ code: 'x' }]), 400, 'invalid_request')
  problem(t, await d.batch(fair.id, undefined as never, [{ code: 'x' }]), 401, 'unauthenticated')
  const big = Array.from({ length: 300 }, () => ({ code: 'x'.repeat(4000) }))
  problem(t, await d.batch(fair.id, phone.auth, big), 413, 'payload_too_large')
})
