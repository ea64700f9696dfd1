import t, { type Test } from 'tap'
import { and, eq } from 'drizzle-orm'
import { standBookings, tickets } from '../../../src/db/schema.js'
import { must, standsSetup, type Json } from '../../helpers/stands.js'

// Two organizers approving two bookings onto one stand at the same moment: exactly one 200 and one
// 409 stand_taken, decided by the partial unique index `stand_bookings_stand_approved_key`, with no passes or
// emails left behind by the loser. Needs real PostgreSQL (TEST_DATABASE_URL): PGlite is one connection and runs
// the two transactions one after the other, which proves nothing; a sequential version runs on both.

const onPostgres = Boolean(process.env.TEST_DATABASE_URL)
const needsPostgres = onPostgres ? false : 'needs real PostgreSQL (TEST_DATABASE_URL): PGlite runs one transaction at a time'
const ROUNDS = 20

const s = await standsSetup(t)
const { inject, organizer } = s
const second = await s.ctx.account('organizer')
const fair = await s.event()
must(await inject('PUT', `/v1/events/${fair.id}/organizers/${second.id}`, s.admin.auth), 200)

async function round(t: Test, concurrent: boolean) {
  const stand = await s.stand(fair.id)
  const [a, b] = [await s.association(), await s.association()]
  const [ba, bb] = [await s.book(fair.id, a), await s.book(fair.id, b)]
  const approve = (booking: Json, auth: { authorization: string }) => inject('POST', `/v1/stand-bookings/${booking.id}/approve`, auth, { standId: stand.id })
  const results = concurrent
    ? await Promise.all([approve(ba, organizer.auth), approve(bb, second.auth)])
    : [await approve(ba, organizer.auth), await approve(bb, second.auth)]
  const codes = results.map((r) => (r.statusCode === 200 ? 200 : `${r.statusCode} ${r.json().code}`)).sort()
  t.same(codes, [200, '409 stand_taken'], 'one wins, one is told the stand is taken')
  const holders = await s.ctx.db.select().from(standBookings).where(and(eq(standBookings.standId, stand.id), eq(standBookings.status, 'approved')))
  t.equal(holders.length, 1, 'the stand holds one approved booking')
  const loser = holders[0].id === ba.id ? bb : ba
  t.equal((await s.ctx.db.select().from(standBookings).where(eq(standBookings.id, loser.id)))[0].status, 'requested', 'the loser is unchanged')
  t.same(await s.ctx.db.select().from(tickets).where(eq(tickets.bookingId, loser.id)), [], 'and has no passes')
  t.equal((await s.emailsTo(loser.id === ba.id ? a.contactEmail : b.contactEmail)).length, 1, 'nor an approval email')
}

t.test('sequential: the second approval onto a taken stand is 409 stand_taken', async (t) => {
  await round(t, false)
})

t.test(`concurrent, ${ROUNDS} times`, { skip: needsPostgres }, async (t) => {
  for (let i = 0; i < ROUNDS; i++) await t.test(`round ${i + 1}`, async (t) => round(t, true))
})
