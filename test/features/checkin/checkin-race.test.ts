import t from 'tap'
import type { Test } from 'tap'
import { eq, sql } from 'drizzle-orm'
import { checkins, invalidScans, occupancyShards, tickets } from '../../../src/db/schema.js'
import { doorSetup, must, type Door, type Json } from '../../helpers/door.js'

// Scans at the same moment: one ticket at many doors, entries racing exits, batches racing single scans, a
// retried nonce racing itself; then a mixed run after which occupancy, stats, the tickets and the scan log must
// agree. On real PostgreSQL (TEST_DATABASE_URL) the requests run on 10 connections at once; on PGlite their
// statements interleave on one connection (the single scans are no transactions, so the conditional update still
// decides), while batches run one at a time.

const onPostgres = Boolean(process.env.TEST_DATABASE_URL)

/** A small seeded PRNG (mulberry32), so a failing run can be repeated exactly. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const outcome = (r: Json) => (r.status === 'ok' ? 'ok' : r.reason)
const tally = (results: Json[]) => results.map(outcome).reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {})

/** The counters, the tickets and the scan log of an event, checked against each other. */
async function checkConsistency(t: Test, d: Door, eventId: string) {
  const db = d.ctx.db
  const [counters] = await db
    .select({
      inside: sql<number>`coalesce(sum(${occupancyShards.inside}), 0)::int`,
      entries: sql<number>`coalesce(sum(${occupancyShards.entries}), 0)::int`,
      exits: sql<number>`coalesce(sum(${occupancyShards.exits}), 0)::int`,
    })
    .from(occupancyShards)
    .where(eq(occupancyShards.eventId, eventId))
  const ticketRows = await db.select().from(tickets).where(eq(tickets.eventId, eventId))
  const log = await db.select().from(checkins).where(eq(checkins.eventId, eventId))
  const accepted = log.filter((r) => r.result === 'ok')
  const people = (direction: 'entry' | 'exit') => accepted.filter((r) => r.direction === direction).reduce((n, r) => n + r.people, 0)
  t.equal(counters.inside, ticketRows.reduce((n, x) => n + x.insidePeople, 0), 'inside = the people of the tickets inside')
  t.equal(counters.entries, people('entry'), 'entries = the accepted entries in the log')
  t.equal(counters.exits, people('exit'), 'exits = the accepted exits in the log')
  t.equal(counters.inside, counters.entries - counters.exits, 'inside = entries − exits')
  for (const ticket of ticketRows) {
    const mine = accepted.filter((r) => r.ticketId === ticket.id).sort((a, b) => a.scannedAt.getTime() - b.scannedAt.getTime() || a.seq - b.seq)
    const alternates = mine.every((r, i) => r.direction === (i % 2 === 0 ? 'entry' : 'exit'))
    if (!alternates || ticket.acceptedScans !== mine.length || ticket.inside !== (mine.length % 2 === 1)) {
      const all = log.filter((r) => r.ticketId === ticket.id).sort((a, b) => a.seq - b.seq)
      t.fail(`ticket ${ticket.id}: accepted scans alternate and match its state`, {
        accepted: mine.map((r) => `${r.direction} at ${r.scannedAt.toISOString()}`),
        log: all.map((r) => `${r.direction} ${r.result} ${r.reason ?? ''} scanned ${r.scannedAt.toISOString()} received ${r.receivedAt.toISOString()}`),
      })
    }
  }
  t.pass(`${ticketRows.length} tickets: accepted scans alternate entry/exit and match each ticket's state`)
  return { counters, log, ticketRows }
}

t.test('20 doors scan one ticket at once: exactly one ok', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phones = await Promise.all(['A', 'B', 'C', 'D'].map((gate) => d.scanner(fair.id, { label: `Phone ${gate}`, gate })))
  const guest = await d.register(fair.id, 4)
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => d.scan(fair.id, phones[i % 4].auth, { code: guest.ticket.code })))
  t.same(tally(results), { ok: 1, already_checked_in: 19 })
  const winner = results.find((r) => r.status === 'ok')!
  t.equal(winner.occupancy.inside, 4)
  const losers = results.filter((r) => r.status !== 'ok')
  t.ok(losers.every((r) => r.previous?.gate), 'each refusal says where it was accepted')
  t.equal(new Set(losers.map((r) => r.previous.gate)).size, 1, 'the same gate for all')
  const rows = await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))
  t.equal(rows.length, 20, 'every scan recorded')
  t.equal(rows.filter((r) => r.result === 'ok').length, 1)
  await checkConsistency(t, d, fair.id)
})

t.test('entries and exits of one ticket racing: the accepted ones alternate', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 2)
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => d.scan(fair.id, phone.auth, { code: guest.ticket.code, direction: i % 2 ? 'exit' : 'entry' })),
    )
    t.ok(results.every((r) => ['ok', 'already_checked_in', 'not_checked_in'].includes(outcome(r))), `round ${round}: only door outcomes`)
  }
  await checkConsistency(t, d, fair.id)
})

t.test('the same nonce sent many times at once: one scan', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  const guest = await d.register(fair.id, 1)
  const results = await Promise.all(Array.from({ length: 10 }, () => d.scan(fair.id, phone.auth, { code: guest.ticket.code, nonce: 'flaky-wifi' })))
  t.ok(results.every((r) => r.status === 'ok'), 'every answer is the first answer: ok')
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))).length, 1, 'recorded once')
  const batches = await Promise.all(
    Array.from({ length: 5 }, () => d.batch(fair.id, phone.auth, [{ code: guest.ticket.code, direction: 'exit', nonce: 'flaky-batch' }])),
  )
  t.ok(batches.every((b) => b.statusCode === 200 && b.json().results[0].status === 'ok'), 'concurrent uploads of one batch: the same answer')
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.ticketId, guest.ticket.id))).length, 2)
  await checkConsistency(t, d, fair.id)
})

t.test('scans of many tickets at once share commits: one ok per ticket, nonces once, counters exact', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event({ visitorCapacity: 500, maxPartySize: 3 })
  const phones = await Promise.all(['A', 'B', 'C'].map((gate) => d.scanner(fair.id, { label: `Phone ${gate}`, gate })))
  const guests = []
  for (let i = 0; i < 60; i++) guests.push(await d.register(fair.id, 1 + (i % 3)))
  // Every ticket twice from two gates, and a third time as a retry of the first request (same phone, same nonce).
  const requests = guests.flatMap((g, i) => [
    { phone: phones[i % 3], body: { code: g.ticket.code, nonce: `n-${i}` } },
    { phone: phones[(i + 1) % 3], body: { code: g.ticket.code } },
    { phone: phones[i % 3], body: { code: g.ticket.code, nonce: `n-${i}` } },
  ])
  const results = await Promise.all(requests.map((r) => d.scan(fair.id, r.phone.auth, r.body)))
  const people = guests.reduce((n, g, i) => n + 1 + (i % 3), 0)
  guests.forEach((g, i) => {
    const [first, other, retry] = results.slice(3 * i, 3 * i + 3)
    const oks = [first, other].filter((r) => r.status === 'ok').length
    if (oks !== 1 || retry.status !== first.status || (retry.reason ?? null) !== (first.reason ?? null)) {
      t.fail(`ticket ${i}: one ok, and the retry answers as the first`, { first, other, retry })
    }
  })
  t.pass('each ticket: exactly one ok of its two scans; each retried nonce got the first answer')
  const oks = results.filter((r, i) => r.status === 'ok' && i % 3 !== 2)
  t.equal(oks.length, guests.length, 'one accepted entry per ticket')
  t.ok(oks.every((r) => r.occupancy.inside > 0 && r.occupancy.inside <= people), 'every accepted answer shows people inside')
  const { counters, log } = await checkConsistency(t, d, fair.id)
  t.equal(counters.inside, people, `all ${people} people inside`)
  t.equal(log.length, 2 * guests.length, 'two scans recorded per ticket: the retries recorded nothing')
  // Rows written by one transaction share its xmin: fewer transactions than accepted scans means commits were shared.
  const [shared] = await d.ctx.db.execute(
    sql`select count(distinct xmin::text)::int as transactions from checkins where event_id = ${fair.id} and result = 'ok'`,
  ).then((r) => (Array.isArray(r) ? r : (r as unknown as { rows: { transactions: number }[] }).rows) as { transactions: number }[])
  // On PGlite, one connection, the requests' own reads (the scanner's token) run between the batches, so they
  // rarely meet; sharing a commit is for PostgreSQL, where each commit waits for a WAL flush.
  if (onPostgres) t.ok(shared.transactions < guests.length / 2, `${guests.length} accepted scans in ${shared.transactions} transactions`)
  else t.comment(`${guests.length} accepted scans in ${shared.transactions} transactions`)
})

t.test('a mixed run: occupancy and stats agree with the recorded scans', async (t) => {
  const d = await doorSetup(t, { LOG_LEVEL: 'silent' })
  const fair = await d.event({ visitorCapacity: 400, maxPartySize: 4 })
  const otherFair = await d.event()
  const gates = ['North', 'South', 'Garden']
  const phones = await Promise.all(gates.map((gate) => d.scanner(fair.id, { label: gate, gate })))
  const next = random(onPostgres ? 55 : 5)
  const guests = []
  for (let i = 0; i < 40; i++) guests.push(await d.register(fair.id, 1 + Math.floor(next() * 4)))
  const passes = [await d.exhibitorPass(fair.id), await d.exhibitorPass(fair.id)]
  const foreign = await d.register(otherFair.id, 1)
  const codes = [...guests.map((g) => g.ticket.code), ...passes.map((p) => p.code)]

  const requests: Promise<Json>[] = []
  let invalid = 0
  for (let i = 0; i < 300; i++) {
    const phone = phones[Math.floor(next() * phones.length)]
    const roll = next()
    if (roll < 0.05) {
      invalid++
      requests.push(d.scan(fair.id, phone.auth, { code: `junk-${i}` }))
    } else if (roll < 0.08) {
      requests.push(d.scan(fair.id, phone.auth, { code: foreign.ticket.code }))
    } else if (roll < 0.1) {
      requests.push(d.scan(fair.id, d.organizer.auth, { code: codes[Math.floor(next() * codes.length)] }))
    } else if (roll < 0.13) {
      // an offline device's upload of a few scans made "now"
      const scans = Array.from({ length: 5 }, () => ({ code: codes[Math.floor(next() * codes.length)], direction: next() < 0.5 ? 'entry' : 'exit' }))
      requests.push(d.batch(fair.id, phone.auth, scans).then((res) => ({ batch: must(res, 200).results })))
    } else {
      const direction = next() < 0.6 ? 'entry' : 'exit'
      requests.push(d.scan(fair.id, phone.auth, { code: codes[Math.floor(next() * codes.length)], direction, nonce: `mix-${i}` }))
    }
  }
  const answers = (await Promise.all(requests)).flatMap((a) => (a.batch ? a.batch : [a]))
  const counted = tally(answers)
  t.ok(counted.ok > 30, `a busy door: ${JSON.stringify(counted)}`)
  t.equal(counted.invalid_code, invalid)

  const { counters, log } = await checkConsistency(t, d, fair.id)
  t.equal(log.length, answers.length - invalid, 'one log row per answered genuine code')
  t.equal(log.filter((r) => r.result === 'ok').length, counted.ok, 'one accepted row per ok answer')

  const occupancy = await d.occupancy(fair.id, phones[0].auth)
  t.same(occupancy, { inside: counters.inside, capacity: 400, entries: counters.entries, exits: counters.exits }, 'GET occupancy = the counters')

  const stats = must(await d.inject('GET', `/v1/events/${fair.id}/stats`, d.organizer.auth), 200)
  t.equal(stats.inside, counters.inside)
  t.equal(stats.entries, counters.entries)
  t.equal(stats.exits, counters.exits)
  t.equal(stats.scans.ok, counted.ok)
  t.equal(stats.scans.rejected, answers.length - counted.ok)
  for (const [reason, n] of Object.entries(stats.scans.byReason)) t.equal(n, counted[reason] ?? 0, `scans rejected as ${reason}`)
  const sum = (rows: Json[], field: string) => rows.reduce((n, r) => n + r[field], 0)
  t.equal(sum(stats.gates, 'entries'), counters.entries, 'the gates add up to the entries')
  t.equal(sum(stats.gates, 'exits'), counters.exits, 'and the exits')
  t.equal(sum(stats.gates, 'rejected'), stats.scans.rejected, 'and the rejections')
  t.equal(sum(stats.checkinsPer15Minutes, 'entries'), counters.entries, 'the quarter hours add up to the entries')
  t.equal(sum(stats.checkinsPer15Minutes, 'exits'), counters.exits)
  const firstEntries = new Map<string, number>()
  for (const r of log.filter((r) => r.result === 'ok' && r.direction === 'entry').sort((a, b) => a.scannedAt.getTime() - b.scannedAt.getTime() || a.seq - b.seq)) {
    if (!firstEntries.has(r.ticketId)) firstEntries.set(r.ticketId, r.people)
  }
  t.equal(stats.checkedIn.people, [...firstEntries.values()].reduce((n, p) => n + p, 0), 'checkedIn: each ticket once')
  t.equal((await d.ctx.db.select().from(invalidScans).where(eq(invalidScans.eventId, fair.id))).reduce((n, r) => n + r.count, 0), invalid, 'the invalid codes were written before the stats')
})
