import t from 'tap'
import { build, eventBody } from '../../helpers/app.js'
import { insertAssociation, insertBooking, insertExhibitor, insertStand, inviteCoExhibitor, publishedEvent } from '../../helpers/exhibitors.js'
import { problem } from '../../helpers/problem.js'
import { countStatements } from '../../helpers/statements.js'

const PUBLIC_FIELDS = [
  'address',
  'description',
  'district',
  'fieldsOfActivity',
  'id',
  'languages',
  'legalForm',
  'migrantOrganization',
  'name',
  'targetGroups',
  'website',
]

t.test('only approved bookings, by stand code, public fields only, confirmed co-exhibitors only', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const b = await insertExhibitor(ctx.db, event.id, 'B-01', { name: 'Chor Hörde', fieldsOfActivity: ['arts'] })
  const a = await insertExhibitor(ctx.db, event.id, 'A-07', { name: 'Sportverein Eving', fieldsOfActivity: ['sport'] })
  // Not exhibitors: a booking that waits, one that was withdrawn, and one rejected.
  for (const status of ['requested', 'waitlisted', 'withdrawn', 'rejected'] as const) {
    const other = await insertAssociation(ctx.db, { name: `Verein ${status}` })
    await insertBooking(ctx.db, event.id, other.id, status)
  }
  await insertStand(ctx.db, event.id, 'C-01')
  // Another fair's exhibitor stays on its own list.
  const { event: other } = await publishedEvent(ctx)
  await insertExhibitor(ctx.db, other.id, 'A-01', { name: 'Anderswo e. V.' })

  const confirmed = await insertAssociation(ctx.db, { name: 'Elterncafé Nord' })
  const invited = await insertAssociation(ctx.db, { name: 'Noch unentschlossen e. V.' })
  const declined = await insertAssociation(ctx.db, { name: 'Abgesagt e. V.' })
  await inviteCoExhibitor(ctx.db, a.booking.id, confirmed.id, 'confirmed')
  await inviteCoExhibitor(ctx.db, a.booking.id, invited.id, 'invited')
  await inviteCoExhibitor(ctx.db, a.booking.id, declined.id, 'declined')

  const res = await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.slug}/exhibitors` })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.nextCursor, null)
  t.same(
    body.items.map((i: { stand: { code: string } }) => i.stand.code),
    ['A-07', 'B-01'],
    'approved bookings only, by stand code',
  )
  const [first, second] = body.items
  t.same(first.stand, { id: a.stand.id, code: 'A-07', area: 'Halle 1' })
  t.equal(first.association.id, a.association.id)
  t.same(Object.keys(first.association).sort(), PUBLIC_FIELDS, 'public profile fields only')
  t.same(
    first.coExhibitors.map((c: { name: string }) => c.name),
    ['Elterncafé Nord'],
    'confirmed co-exhibitors only',
  )
  t.same(Object.keys(first.coExhibitors[0]).sort(), PUBLIC_FIELDS)
  t.same(second.coExhibitors, [])
  t.equal(second.association.id, b.association.id)
  for (const secret of ['contact-', '+49 231', 'VR ']) t.notOk(res.body.includes(secret), `nothing private: ${secret}`)
})

t.test('keyset pagination with a constant number of statements per page', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const codes: string[] = []
  for (let i = 1; i <= 7; i++) {
    const code = `S-${String(i).padStart(2, '0')}`
    codes.push(code)
    const { booking } = await insertExhibitor(ctx.db, event.id, code, { name: `Verein ${i}` })
    // Every exhibitor has a confirmed co-exhibitor: an N+1 would show in the statement count.
    const partner = await insertAssociation(ctx.db, { name: `Partner ${i}` })
    await inviteCoExhibitor(ctx.db, booking.id, partner.id, 'confirmed')
  }

  const seen: string[] = []
  const perPage: number[] = []
  let cursor: string | null = null
  do {
    const counter = countStatements(ctx.db)
    const url: string = `/v1/events/${event.id}/exhibitors?limit=3${cursor ? `&cursor=${cursor}` : ''}`
    const res = await ctx.app.inject({
      method: 'GET',
      url,
    })
    counter.restore()
    perPage.push(counter.count)
    t.equal(res.statusCode, 200)
    const body = res.json() as { items: { stand: { code: string }; coExhibitors: unknown[] }[]; nextCursor: string | null }
    for (const item of body.items) {
      seen.push(item.stand.code)
      t.equal(item.coExhibitors.length, 1)
    }
    cursor = body.nextCursor
  } while (cursor)
  t.same(seen, codes, 'every exhibitor once, in order')
  t.same(perPage.length, 3)
  t.ok(perPage.every((n) => n === perPage[0]), `the same statements per page whatever its contents: ${perPage.join(', ')}`)
  t.ok(perPage[0] <= 4, `event, bookings, co-exhibitors (${perPage[0]})`)

  const bad = await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors?cursor=bm9wZQ` })
  problem(t, bad, 400, 'invalid_request')
})

t.test('a draft event has no public exhibitor list; its staff see it', async (t) => {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const created = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })
  const draft = created.json()
  problem(t, await ctx.app.inject({ method: 'GET', url: `/v1/events/${draft.id}/exhibitors` }), 404, 'not_found')
  const staff = await ctx.app.inject({ method: 'GET', url: `/v1/events/${draft.id}/exhibitors`, headers: admin.auth })
  t.equal(staff.statusCode, 200)
  t.same(staff.json(), { items: [], nextCursor: null })
  problem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events/no-such-fair/exhibitors' }), 404, 'not_found')
})
