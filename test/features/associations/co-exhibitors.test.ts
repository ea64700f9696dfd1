import t from 'tap'
import { eq } from 'drizzle-orm'
import { coExhibitors, standBookings } from '../../../src/db/schema.js'
import { build } from '../../helpers/app.js'
import { insertAssociation, insertBooking, insertExhibitor, inviteCoExhibitor, publishedEvent } from '../../helpers/exhibitors.js'
import { problem } from '../../helpers/problem.js'

t.test('confirm: once, again is the same answer, the other answer is a conflict; then listed with the stand', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const host = await insertExhibitor(ctx.db, event.id, 'A-01', { name: 'Gastgeber e. V.' })
  const guest = await insertAssociation(ctx.db, { name: 'Mitaussteller e. V.', contactEmail: 'mit@example.org' })
  const token = await inviteCoExhibitor(ctx.db, host.booking.id, guest.id)

  const listed = async () =>
    (await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors` })).json().items[0].coExhibitors.map((c: { id: string }) => c.id)
  t.same(await listed(), [], 'an invited co-exhibitor is not shown')

  const confirm = () => ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token } })
  const first = await confirm()
  t.equal(first.statusCode, 200, first.body)
  const body = first.json()
  t.same({ bookingId: body.bookingId, eventId: body.eventId, status: body.status }, { bookingId: host.booking.id, eventId: event.id, status: 'confirmed' })
  t.equal(body.association.id, guest.id)
  t.notOk('contactEmail' in body.association, 'public fields only')
  const [row] = await ctx.db.select().from(coExhibitors).where(eq(coExhibitors.associationId, guest.id))
  t.ok(row.respondedAt, 'the answer time is kept')

  const again = await confirm()
  t.equal(again.statusCode, 200, 'a second click gives the same answer')
  t.equal(again.json().status, 'confirmed')
  const [after] = await ctx.db.select().from(coExhibitors).where(eq(coExhibitors.associationId, guest.id))
  t.same(after.respondedAt, row.respondedAt, 'and changes nothing')

  const decline = await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/decline', payload: { token } })
  problem(t, decline, 409, 'already_responded')
  t.same(await listed(), [guest.id], 'shown with the stand once confirmed')
})

t.test('decline twice; a declined co-exhibitor is never listed', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const host = await insertExhibitor(ctx.db, event.id, 'A-01', { name: 'Gastgeber e. V.' })
  const guest = await insertAssociation(ctx.db, { name: 'Lieber nicht e. V.' })
  const token = await inviteCoExhibitor(ctx.db, host.booking.id, guest.id)

  for (const attempt of ['first', 'second']) {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/decline', payload: { token } })
    t.equal(res.statusCode, 200, `${attempt} decline`)
    t.equal(res.json().status, 'declined')
  }
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token } }), 409, 'already_responded')
  const list = await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}/exhibitors` })
  t.same(list.json().items[0].coExhibitors, [])
})

t.test('confirm and decline at the same time: exactly one answer stands', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const host = await insertExhibitor(ctx.db, event.id, 'A-01', { name: 'Gastgeber e. V.' })
  const guest = await insertAssociation(ctx.db, { name: 'Unentschieden e. V.' })
  const token = await inviteCoExhibitor(ctx.db, host.booking.id, guest.id)
  const answers = await Promise.all(
    ['confirm', 'decline', 'confirm', 'decline'].map((action) =>
      ctx.app.inject({ method: 'POST', url: `/v1/co-exhibitors/${action}`, payload: { token } }),
    ),
  )
  const [row] = await ctx.db.select().from(coExhibitors).where(eq(coExhibitors.associationId, guest.id))
  const winner = row.status === 'confirmed' ? 'confirm' : 'decline'
  t.not(row.status, 'invited')
  t.same(
    answers.map((a) => a.statusCode),
    ['confirm', 'decline', 'confirm', 'decline'].map((action) => (action === winner ? 200 : 409)),
    'the winning answer is 200 every time, the other 409',
  )
})

t.test('bad, unknown and dead tokens', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token: 'x'.repeat(43) } }), 404, 'not_found')
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/decline', payload: { token: 'x'.repeat(43) } }), 404, 'not_found')
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token: 'short' } }), 400, 'invalid_request')
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token: 'has spaces and more than sixteen' } }), 400, 'invalid_request')
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: {} }), 400, 'invalid_request')

  // The booking was withdrawn before the invitation was answered: nothing left to join.
  const host = await insertAssociation(ctx.db, { name: 'Zurückgezogen e. V.' })
  const booking = await insertBooking(ctx.db, event.id, host.id, 'requested')
  const guest = await insertAssociation(ctx.db, { name: 'Zu spät e. V.' })
  const token = await inviteCoExhibitor(ctx.db, booking.id, guest.id)
  await ctx.db.update(standBookings).set({ status: 'withdrawn' }).where(eq(standBookings.id, booking.id))
  problem(t, await ctx.app.inject({ method: 'POST', url: '/v1/co-exhibitors/confirm', payload: { token } }), 409, 'invalid_transition')
  const [row] = await ctx.db.select().from(coExhibitors).where(eq(coExhibitors.associationId, guest.id))
  t.equal(row.status, 'invited', 'unchanged')
})
