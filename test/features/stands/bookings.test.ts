import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { coExhibitors, standBookingHistory } from '../../../src/db/schema.js'
import { hashToken } from '../../../src/features/auth/tokens.js'
import { problem } from '../../helpers/problem.js'
import { must, standsSetup, type Exhibitor, type Json } from '../../helpers/stands.js'

// The stand booking workflow through HTTP: every action from every state, who may act, the booking window, one
// live booking per association, reassignment and freed stands, history and emails. The approval race on real
// PostgreSQL: bookings-race.test.ts; passes: passes.test.ts.

const s = await standsSetup(t)
const { inject, organizer, admin } = s
const fair = await s.event()

type Action = 'approve' | 'waitlist' | 'reject' | 'withdraw' | 'cancel'
type State = 'requested' | 'approved' | 'waitlisted' | 'rejected' | 'withdrawn' | 'cancelled'

/** Takes an action as the actor the workflow names for it (members withdraw, organizers do the rest). */
async function act(booking: Json, exhibitor: Exhibitor, action: Action, standId?: string) {
  switch (action) {
    case 'approve':
      return inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: standId ?? (await s.stand(fair.id)).id })
    case 'waitlist':
      return inject('POST', `/v1/stand-bookings/${booking.id}/waitlist`, organizer.auth, {})
    case 'reject':
      return inject('POST', `/v1/stand-bookings/${booking.id}/reject`, organizer.auth, { reason: 'Kein Platz mehr' })
    case 'withdraw':
      return inject('DELETE', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth)
    case 'cancel':
      return inject('DELETE', `/v1/stand-bookings/${booking.id}`, organizer.auth)
  }
}

/** A fresh association with a booking brought into `state`. */
async function bookingIn(state: State): Promise<{ booking: Json; exhibitor: Exhibitor }> {
  const exhibitor = await s.association()
  const booking = await s.book(fair.id, exhibitor)
  const via: Record<State, Action | null> = { requested: null, approved: 'approve', waitlisted: 'waitlist', rejected: 'reject', withdrawn: 'withdraw', cancelled: 'cancel' }
  const action = via[state]
  if (action) t.equal(must(await act(booking, exhibitor, action), 200).status, state)
  return { booking, exhibitor }
}

// Written out, not derived from booking-states.ts: the contract's table, `approved → approve` being a move.
const EXPECTED: Record<State, Record<Action, State | null>> = {
  requested: { approve: 'approved', waitlist: 'waitlisted', reject: 'rejected', withdraw: 'withdrawn', cancel: 'cancelled' },
  waitlisted: { approve: 'approved', waitlist: null, reject: 'rejected', withdraw: 'withdrawn', cancel: 'cancelled' },
  approved: { approve: 'approved', waitlist: null, reject: null, withdraw: 'withdrawn', cancel: 'cancelled' },
  rejected: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
  withdrawn: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
  cancelled: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
}

t.test('every action from every state: allowed ones move the booking, the others are 409 invalid_transition', async (t) => {
  for (const [state, row] of Object.entries(EXPECTED) as [State, Record<Action, State | null>][]) {
    for (const [action, to] of Object.entries(row) as [Action, State | null][]) {
      const { booking, exhibitor } = await bookingIn(state)
      const res = await act(booking, exhibitor, action)
      if (to) {
        const body = must(res, 200)
        t.equal(body.status, to, `${state} --${action}--> ${to}`)
        t.equal(body.stand !== null, to === 'approved', 'a stand exactly while approved')
      } else {
        const p = problem(t, res, 409, 'invalid_transition')
        t.ok(p.detail.length > 10, `${state} --${action}--> refused: ${p.detail}`)
        const unchanged = must(await inject('GET', `/v1/stand-bookings/${booking.id}`, organizer.auth), 200)
        t.equal(unchanged.status, state, 'unchanged')
      }
    }
  }
})

t.test('who may act: organizers decide, members withdraw, strangers learn nothing', async (t) => {
  const { booking, exhibitor } = await bookingIn('requested')
  const stand = await s.stand(fair.id)
  const stranger = await s.association()
  const otherOrganizer = await s.ctx.account('organizer')
  for (const path of ['approve', 'waitlist', 'reject']) {
    const body = path === 'approve' ? { standId: stand.id } : path === 'reject' ? { reason: 'x' } : {}
    problem(t, await inject('POST', `/v1/stand-bookings/${booking.id}/${path}`, exhibitor.member.auth, body), 403, 'forbidden')
    problem(t, await inject('POST', `/v1/stand-bookings/${booking.id}/${path}`, stranger.member.auth, body), 404, 'not_found')
    problem(t, await inject('POST', `/v1/stand-bookings/${booking.id}/${path}`, otherOrganizer.auth, body), 404, 'not_found')
    problem(t, await inject('POST', `/v1/stand-bookings/${booking.id}/${path}`, undefined, body), 401, 'unauthenticated')
  }
  problem(t, await inject('GET', `/v1/stand-bookings/${booking.id}`, stranger.member.auth), 404, 'not_found')
  problem(t, await inject('DELETE', `/v1/stand-bookings/${booking.id}`, stranger.member.auth), 404, 'not_found')
  must(await inject('GET', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  must(await inject('GET', `/v1/stand-bookings/${booking.id}`, admin.auth), 200)
  // a final booking: still 403 for the member, so a refusal never tells the state to someone who may not act
  const done = await bookingIn('rejected')
  problem(t, await inject('POST', `/v1/stand-bookings/${done.booking.id}/waitlist`, done.exhibitor.member.auth, {}), 403, 'forbidden')
  // DELETE is a withdrawal by a member, a cancellation by an organizer
  const a = await bookingIn('requested')
  t.equal(must(await inject('DELETE', `/v1/stand-bookings/${a.booking.id}`, a.exhibitor.member.auth), 200).status, 'withdrawn')
  const b = await bookingIn('requested')
  t.equal(must(await inject('DELETE', `/v1/stand-bookings/${b.booking.id}`, admin.auth), 200).status, 'cancelled')
  // only members book for their association
  problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, stranger.member.auth, { associationId: exhibitor.id }), 403, 'forbidden')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, undefined, { associationId: exhibitor.id }), 401, 'unauthenticated')
})

t.test('booking: one live booking per association, the window, unpublished events, bad references', async (t) => {
  const exhibitor = await s.association()
  const booking = await s.book(fair.id, exhibitor, { requirements: { tables: 2, power: true, notes: 'Bitte Ecke' }, staffPasses: 3 })
  t.match(booking, { status: 'requested', association: { id: exhibitor.id, name: exhibitor.name }, stand: null, requirements: { tables: 2, power: true, notes: 'Bitte Ecke' }, staffPasses: 3 })
  problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, exhibitor.member.auth, { associationId: exhibitor.id }), 409, 'already_booked')
  must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  t.equal((await s.book(fair.id, exhibitor)).status, 'requested', 'a new booking after withdrawing')

  const later = await s.event({ standBookingOpensAt: new Date(Date.now() + 24 * 3600_000).toISOString() })
  problem(t, await inject('POST', `/v1/events/${later.id}/stand-bookings`, exhibitor.member.auth, { associationId: exhibitor.id }), 409, 'booking_closed')
  const draft = await s.event({}, { publish: false })
  problem(t, await inject('POST', `/v1/events/${draft.id}/stand-bookings`, exhibitor.member.auth, { associationId: exhibitor.id }), 404, 'not_found')

  const other = await s.association()
  const elsewhere = await s.stand(later.id)
  const p = problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, other.member.auth, { associationId: other.id, preferredStandIds: [elsewhere.id] }), 400, 'invalid_request')
  t.same(p.errors, [{ path: '/body/preferredStandIds/0', message: 'is not a stand of this event' }])
  problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, other.member.auth, { associationId: other.id, coExhibitorAssociationIds: [other.id] }), 400, 'invalid_request')
  problem(t, await inject('POST', `/v1/events/${fair.id}/stand-bookings`, other.member.auth, { associationId: other.id, staffPasses: 0 }), 400, 'invalid_request')
  const { booking: b } = await bookingIn('requested')
  problem(t, await inject('POST', `/v1/stand-bookings/${b.id}/approve`, organizer.auth, { standId: elsewhere.id }), 400, 'invalid_request')
  problem(t, await inject('POST', `/v1/stand-bookings/${b.id}/reject`, organizer.auth, {}), 400, 'invalid_request')
})

t.test('approval: any free stand; a taken one is 409 stand_taken; moving frees the old stand and names who wanted it', async (t) => {
  const [s1, s2, s3] = [await s.stand(fair.id), await s.stand(fair.id), await s.stand(fair.id)]
  const first = await bookingIn('requested')
  const second = await bookingIn('requested')
  const approved = must(await inject('POST', `/v1/stand-bookings/${first.booking.id}/approve`, organizer.auth, { standId: s1.id }), 200)
  t.match(approved, { status: 'approved', stand: { id: s1.id, code: s1.code } })
  t.notOk(approved.freedStand)
  problem(t, await inject('POST', `/v1/stand-bookings/${second.booking.id}/approve`, organizer.auth, { standId: s1.id }), 409, 'stand_taken')
  t.equal(must(await inject('GET', `/v1/stand-bookings/${second.booking.id}`, organizer.auth), 200).status, 'requested', 'unchanged')

  // two waitlisted bookings prefer s1, one prefers s3 only
  const wantsS1 = []
  for (const preferred of [[s1.id], [s3.id, s1.id], [s3.id]]) {
    const exhibitor = await s.association()
    const b = await s.book(fair.id, exhibitor, { preferredStandIds: preferred })
    must(await inject('POST', `/v1/stand-bookings/${b.id}/waitlist`, organizer.auth, {}), 200)
    if (preferred.includes(s1.id)) wantsS1.push(b.id)
  }
  const same = must(await inject('POST', `/v1/stand-bookings/${first.booking.id}/approve`, organizer.auth, { standId: s1.id }), 200)
  t.equal(same.stand.id, s1.id, 'approving onto the same stand changes nothing')
  t.notOk(same.freedStand)
  const moved = must(await inject('POST', `/v1/stand-bookings/${first.booking.id}/approve`, organizer.auth, { standId: s2.id }), 200)
  t.match(moved, { status: 'approved', stand: { id: s2.id } })
  t.same(moved.freedStand, { id: s1.id, code: s1.code, waitlistedPreferring: wantsS1 }, 'the freed stand and who preferred it, first come first')
  const cancelled = must(await inject('DELETE', `/v1/stand-bookings/${first.booking.id}`, organizer.auth), 200)
  t.same(cancelled.freedStand, { id: s2.id, code: s2.code, waitlistedPreferring: [] })
  t.equal(cancelled.stand, null)
  t.equal(must(await inject('POST', `/v1/stand-bookings/${second.booking.id}/approve`, organizer.auth, { standId: s1.id }), 200).status, 'approved', 'the freed stand is free')
})

t.test('a withdrawal tells the organizers by email which waitlisted associations wanted the stand; their own cancellation does not', async (t) => {
  const stand = await s.stand(fair.id)
  const { booking, exhibitor } = await bookingIn('requested')
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: stand.id }), 200)
  const hopefuls = []
  for (const name of ['Elternnetzwerk Hörde', 'Türkischer Elternverein Eving']) {
    const a = await s.association(name)
    const b = await s.book(fair.id, a, { preferredStandIds: [stand.id] })
    must(await inject('POST', `/v1/stand-bookings/${b.id}/waitlist`, organizer.auth, {}), 200)
    hopefuls.push(b.id)
  }
  const before = (await s.emailsTo(organizer.email)).length
  const withdrawn = must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  t.equal(withdrawn.status, 'withdrawn')
  t.same(withdrawn.freedStand.waitlistedPreferring, hopefuls)
  const emails = (await s.emailsTo(organizer.email)).slice(before)
  t.equal(emails.length, 1, 'one email to the organizer of the event')
  t.equal(emails[0].template, 'stand-freed')
  t.equal(emails[0].eventId, fair.id)
  t.match(emails[0].data, {
    standCode: stand.code,
    associationName: exhibitor.name,
    waitlisted: 'Elternnetzwerk Hörde\nTürkischer Elternverein Eving',
    bookingsUrl: `${s.ctx.config.publicUrl}/events/${fair.id}/stand-bookings?status=waitlisted`,
  })

  // The organizer who cancels reads the same list in the answer: no email.
  const again = await bookingIn('requested')
  must(await inject('POST', `/v1/stand-bookings/${again.booking.id}/approve`, organizer.auth, { standId: stand.id }), 200)
  const cancelled = must(await inject('DELETE', `/v1/stand-bookings/${again.booking.id}`, organizer.auth), 200)
  t.same(cancelled.freedStand.waitlistedPreferring, hopefuls)
  t.equal((await s.emailsTo(organizer.email)).length, before + 1, 'no second email')
})

t.test('history: every transition with who, when and why', async (t) => {
  const { booking, exhibitor } = await bookingIn('requested')
  const stand = await s.stand(fair.id)
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/waitlist`, organizer.auth, { reason: 'Erst nach Anmeldeschluss' }), 200)
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: stand.id }), 200)
  must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  const view = must(await inject('GET', `/v1/stand-bookings/${booking.id}`, exhibitor.member.auth), 200)
  t.match(view.history, [
    { fromStatus: null, toStatus: 'requested', actorAccountId: exhibitor.member.id },
    { fromStatus: 'requested', toStatus: 'waitlisted', actorAccountId: organizer.id, reason: 'Erst nach Anmeldeschluss' },
    { fromStatus: 'waitlisted', toStatus: 'approved', actorAccountId: organizer.id, standId: stand.id },
    { fromStatus: 'approved', toStatus: 'withdrawn', actorAccountId: exhibitor.member.id, standId: stand.id },
  ])
  const rows = await s.ctx.db.select().from(standBookingHistory).where(eq(standBookingHistory.bookingId, booking.id)).orderBy(asc(standBookingHistory.at))
  t.equal(rows.length, 4)
})

t.test('emails: each step to the association, in German; co-exhibitors get a link', async (t) => {
  const host = await s.association('Kulturverein Nordstadt')
  const co = await s.association('Elternnetzwerk Hörde')
  const booking = await s.book(fair.id, host, { coExhibitorAssociationIds: [co.id] })
  t.match(booking.coExhibitors, [{ associationId: co.id, name: co.name, status: 'invited' }])
  const stand = await s.stand(fair.id, { code: 'K7' })
  must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: stand.id }), 200)
  must(await inject('DELETE', `/v1/stand-bookings/${booking.id}`, organizer.auth), 200)
  const mails = await s.emailsTo(host.contactEmail)
  t.same(mails.map((m) => [m.template, m.locale, (m.data as Json).status]), [
    ['booking-status', 'de', 'requested'],
    ['booking-status', 'de', 'approved'],
    ['booking-status', 'de', 'cancelled'],
  ])
  t.equal((mails[1].data as Json).standCode, 'K7')
  t.equal((mails[1].data as Json).passes.length, 2, 'the two default passes')
  t.match((mails[0].data as Json).manageUrl, `/stand-bookings/${booking.id}`)

  const [invitation] = await s.emailsTo(co.contactEmail)
  t.equal(invitation.template, 'co-exhibitor-invitation')
  const url = new URL((invitation.data as Json).confirmUrl)
  t.equal(url.pathname, '/co-exhibitors/confirm')
  const token = url.searchParams.get('token')!
  const [row] = await s.ctx.db.select().from(coExhibitors).where(eq(coExhibitors.bookingId, booking.id))
  t.equal(row.tokenHash, hashToken(token), 'only the hash of the token is stored')
  t.equal((invitation.data as Json).hostAssociationName, host.name)
})

t.test('lists: organizers see all, exhibitors their own, filtered by status', async (t) => {
  const fair2 = await s.event()
  const [e1, e2] = [await s.association(), await s.association()]
  const b1 = await s.book(fair2.id, e1)
  const b2 = await s.book(fair2.id, e2)
  must(await inject('POST', `/v1/stand-bookings/${b2.id}/waitlist`, organizer.auth, {}), 200)
  const all = must(await inject('GET', `/v1/events/${fair2.id}/stand-bookings`, organizer.auth), 200)
  t.same(all.items.map((b: Json) => b.id), [b1.id, b2.id])
  const waiting = must(await inject('GET', `/v1/events/${fair2.id}/stand-bookings?status=waitlisted`, organizer.auth), 200)
  t.same(waiting.items.map((b: Json) => b.id), [b2.id])
  const own = must(await inject('GET', `/v1/events/${fair2.id}/stand-bookings`, e1.member.auth), 200)
  t.same(own.items.map((b: Json) => b.id), [b1.id])
  const visitor = await s.ctx.account('organizer')
  problem(t, await inject('GET', `/v1/events/${fair2.id}/stand-bookings`, visitor.auth), 403, 'forbidden')
  problem(t, await inject('GET', `/v1/events/${fair2.id}/stand-bookings`), 401, 'unauthenticated')
  problem(t, await inject('GET', `/v1/events/${fair2.id}/stand-bookings?status=maybe`, organizer.auth), 400, 'invalid_request')
})

t.test('the stand numbers of the stats', async (t) => {
  const { standStats } = await import('../../../src/features/stands/stand-stats.js')
  const fair3 = await s.event()
  const [st1] = [await s.stand(fair3.id), await s.stand(fair3.id)]
  const [e1, e2, e3] = [await s.association(), await s.association(), await s.association()]
  const b1 = await s.book(fair3.id, e1)
  const b2 = await s.book(fair3.id, e2)
  await s.book(fair3.id, e3)
  must(await inject('POST', `/v1/stand-bookings/${b1.id}/approve`, organizer.auth, { standId: st1.id }), 200)
  must(await inject('DELETE', `/v1/stand-bookings/${b2.id}`, e2.member.auth), 200)
  t.same(await standStats(s.ctx.db, fair3.id), {
    stands: { total: 2, booked: 1 },
    bookings: { requested: 1, approved: 1, waitlisted: 0, rejected: 0, withdrawn: 1 },
  })
})
