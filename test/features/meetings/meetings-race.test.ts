import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { meetingCounts, meetings } from '../../../src/db/schema.js'
import { meetingsSetup, must } from '../../helpers/meetings.js'

// Concurrent accepts into one slot, concurrent reschedules, and concurrent accepts pushing one association over its
// limit: the database decides (meeting_claims_no_overlap, meeting_counts). On PGlite the requests run one after
// the other, which checks the same answers; on PostgreSQL (TEST_DATABASE_URL) they really race.

const s = await meetingsSetup(t)
const { inject } = s
const N = 8

t.test('many accepts into one slot for one association: exactly one wins', async (t) => {
  const fair = await s.fair({ tables: 0 })
  const slot = new Date(fair.startsAt).toISOString()
  const hub = await s.exhibitor(fair.id)
  const others = await Promise.all(Array.from({ length: N }, () => s.exhibitor(fair.id)))
  const requests = []
  for (const o of others) requests.push(await s.request(fair.id, o, hub))
  const answers = await Promise.all(requests.map((m) => inject('POST', `/v1/meetings/${m.id}/accept`, hub.member.auth, { startsAt: slot })))
  const codes = answers.map((a) => (a.statusCode === 200 ? 200 : a.json().code)).sort()
  t.same(codes, [200, ...Array(N - 1).fill('slot_taken')])
  const scheduled = await s.ctx.db.select().from(meetings).where(eq(meetings.eventId, fair.id))
  t.equal(scheduled.filter((m) => m.status === 'scheduled').length, 1)
  const [count] = await s.ctx.db.select().from(meetingCounts).where(eq(meetingCounts.associationId, hub.id))
  t.equal(count.active, 1, 'the losers took back their count')
})

t.test('concurrent reschedules of two meetings of one association into one slot', async (t) => {
  const fair = await s.fair({ tables: 0 })
  const start = new Date(fair.startsAt).getTime()
  const slot = (i: number) => new Date(start + i * 20 * 60_000).toISOString()
  const hub = await s.exhibitor(fair.id)
  const [x, y] = [await s.exhibitor(fair.id), await s.exhibitor(fair.id)]
  const mx = await s.request(fair.id, x, hub)
  const my = await s.request(fair.id, y, hub)
  must(await inject('POST', `/v1/meetings/${mx.id}/accept`, hub.member.auth, { startsAt: slot(0) }), 200)
  must(await inject('POST', `/v1/meetings/${my.id}/accept`, hub.member.auth, { startsAt: slot(1) }), 200)
  const answers = await Promise.all([
    inject('POST', `/v1/meetings/${mx.id}/reschedule`, x.member.auth, { startsAt: slot(4) }),
    inject('POST', `/v1/meetings/${my.id}/reschedule`, y.member.auth, { startsAt: slot(4) }),
  ])
  t.same(answers.map((a) => (a.statusCode === 200 ? 200 : a.json().code)).sort(), [200, 'slot_taken'])
})

t.test('concurrent accepts never push an association over maxPerAssociation', async (t) => {
  const fair = await s.fair({ tables: 0, maxPerAssociation: 3 })
  const hub = await s.exhibitor(fair.id)
  const others = await Promise.all(Array.from({ length: N }, () => s.exhibitor(fair.id)))
  const requests = []
  for (const o of others) requests.push(await s.request(fair.id, hub, o))
  const answers = await Promise.all(requests.map((m, i) => inject('POST', `/v1/meetings/${m.id}/accept`, others[i].member.auth, {})))
  const codes = answers.map((a) => (a.statusCode === 200 ? 200 : a.json().code))
  t.equal(codes.filter((c) => c === 200).length, 3)
  t.equal(codes.filter((c) => c === 'meeting_limit').length, N - 3)
  const [row] = await s.ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(meetings)
    .where(sql`${meetings.eventId} = ${fair.id} and ${meetings.status} in ('accepted', 'scheduled', 'held')`)
  t.equal(Number(row.n), 3)
})
