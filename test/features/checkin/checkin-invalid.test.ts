import t from 'tap'
import { eq } from 'drizzle-orm'
import { checkins, invalidScans } from '../../../src/db/schema.js'
import { invalidScanRecorder } from '../../../src/features/checkin/invalid-scans.js'
import { doorSetup, must } from '../../helpers/door.js'
import { countStatements } from '../../helpers/statements.js'

// Codes that fail the format or signature check are answered without any database statement (counted at the
// driver: db.$client), counted in memory and written in batches: on close, at 5,000 waiting, and every second.

/** A well-formed code with one signature byte changed: it parses, names the event's key, and does not verify. */
function forge(code: string): string {
  const raw = Buffer.from(code.slice(3), 'base64url')
  raw[60] ^= 0x80
  return `VM1${raw.toString('base64url')}`
}

t.test('forged, garbled and oversized codes never reach the database', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id, { label: 'Phone', gate: 'East' })
  const guest = await d.register(fair.id, 2)
  // The first scan of this device and event reads the token and the event's key; later ones need neither.
  must(await d.checkin(fair.id, phone.auth, { code: guest.ticket.code }), 200)

  const control = countStatements(d.ctx.db)
  must(await d.checkin(fair.id, phone.auth, { code: guest.ticket.code, direction: 'exit' }), 200)
  t.ok(control.count >= 1, `the spy sees a genuine scan reach the database (${control.statements.join(' / ').slice(0, 200)})`)
  control.restore()

  const codes = [
    forge(guest.ticket.code),
    `VM1${'A'.repeat(115)}`, // the right shape, a key id nobody has... and zero bytes: not canonical either
    'https://example.org/not-a-ticket',
    'VM1' + 'x'.repeat(4000),
    '',
    guest.ticket.code.slice(0, 100),
    '\u00e4\u00f6\u00fc 💥',
  ]
  const spy = countStatements(d.ctx.db)
  for (const code of codes) {
    const res = must(await d.checkin(fair.id, phone.auth, { code, nonce: `n-${code.length}` }), 200)
    t.same(res, { status: 'rejected', reason: 'invalid_code' }, `${JSON.stringify(code.slice(0, 24))} (${code.length} characters)`)
  }
  const batch = must(await d.batch(fair.id, phone.auth, codes.map((code) => ({ code }))), 200)
  t.same(batch.results, codes.map(() => ({ status: 'rejected', reason: 'invalid_code' })), 'a batch of them too')
  t.same(spy.statements, [], 'no statement reached the database')
  spy.restore()

  t.equal((await d.ctx.db.select().from(invalidScans)).length, 0, 'nothing written yet (on the request path)')
  t.equal((await d.ctx.db.select().from(checkins).where(eq(checkins.eventId, fair.id))).length, 2, 'and nothing in the scan log')
  await d.ctx.app.close()
  const rows = await d.ctx.db.select().from(invalidScans).where(eq(invalidScans.eventId, fair.id))
  t.equal(rows.reduce((n, r) => n + r.count, 0), codes.length * 2, 'closing the app wrote the count')
  t.ok(rows.every((r) => r.scannerId === phone.id && r.gate === 'East' && r.accountId === null), 'by device and gate')
  t.ok(rows.every((r) => r.firstAt <= r.lastAt))
})

t.test('5,000 waiting start a write at once; the stats include them', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const phone = await d.scanner(fair.id)
  for (let n = 0; n < 5; n++) {
    const garbage = Array.from({ length: 1000 }, (_, i) => ({ code: `garbage-${n}-${i}` }))
    must(await d.batch(fair.id, phone.auth, garbage), 200)
  }
  // The write was started by the 5,000th count (or the timer): wait for it to land (with a generous limit).
  const written = async () => (await d.ctx.db.select().from(invalidScans).where(eq(invalidScans.eventId, fair.id))).reduce((n, r) => n + r.count, 0)
  for (let waited = 0; (await written()) < 5000 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20))
  t.equal(await written(), 5000)

  must(await d.checkin(fair.id, phone.auth, { code: 'one more' }), 200)
  const stats = must(await d.inject('GET', `/v1/events/${fair.id}/stats`, d.organizer.auth), 200)
  t.equal(stats.scans.byReason.invalid_code, 5001, 'the stats flush what is waiting first')
  t.equal(stats.scans.rejected, 5001)
  t.same(stats.gates, [{ gate: 'North', entries: 0, exits: 0, rejected: 5001 }])
})

t.test('the recorder: one row per door and write; a failed write keeps its counts', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const warnings: unknown[] = []
  const log = { warn: (...args: unknown[]) => warnings.push(args) } as never
  const recorder = invalidScanRecorder(d.ctx.db, log, { flushEveryMs: 3_600_000, flushAt: 1_000_000 })
  t.teardown(() => recorder.close())
  const north = { eventId: fair.id, scannerId: null, accountId: d.organizer.id, gate: 'North' }
  const south = { ...north, gate: 'South' }
  for (let i = 0; i < 3; i++) recorder.record(north)
  recorder.record(south)
  await recorder.flush()
  const rows = await d.ctx.db.select().from(invalidScans).where(eq(invalidScans.eventId, fair.id))
  t.same(rows.map((r) => [r.gate, r.count]).sort(), [['North', 3], ['South', 1]])
  await recorder.flush()
  t.equal((await d.ctx.db.select().from(invalidScans)).length, 2, 'nothing more to write')

  // An event id that does not exist fails the write (foreign key): kept, and retried with later counts.
  const ghost = { ...north, eventId: '00000000-0000-4000-8000-000000000000' }
  recorder.record(ghost)
  await recorder.flush()
  t.equal(warnings.length, 1, 'the failure is logged')
  recorder.record(ghost)
  recorder.record(north)
  await recorder.flush()
  t.equal(warnings.length, 2, 'retried together with the new counts, and failed again')
  t.equal((await d.ctx.db.select().from(invalidScans)).length, 2, 'the batch is all or nothing')
})
