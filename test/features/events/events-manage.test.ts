import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { eq } from 'drizzle-orm'
import { events } from '../../../src/db/schema.js'
import { build, eventBody, type TestContext } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

// Events after creation: PATCH, publish and cancel, and the organizers of an event.

const DAY = 24 * 60 * 60 * 1000
const HOUR = 60 * 60 * 1000
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

type Auth = { authorization: string } | undefined
type EventJson = Record<string, any> & { id: string; slug: string; status: string }

function invalid(t: Test, res: LightMyRequestResponse, ...paths: string[]) {
  const body = problem(t, res, 400, 'invalid_request')
  const listed = (body.errors ?? []).map((e) => e.path)
  for (const path of paths) t.ok(listed.includes(path), `errors name ${path} (got ${listed.join(', ')})`)
  return body
}

function success(t: Test, res: LightMyRequestResponse, status: number) {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 600) })
  t.match(String(res.headers['content-type']), /^application\/json/, 'json')
  return res.json()
}

/** An app with an admin, an organizer assigned to every event made by `event()`, another organizer and an exhibitor. */
async function setup(t: Test) {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const otherOrganizer = await ctx.account('organizer')
  const exhibitor = await ctx.account('exhibitor')
  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers?: Auth, payload?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  async function event(overrides: Record<string, unknown> = {}, opts: { publish?: boolean; assign?: boolean } = {}) {
    let e: EventJson = success(t, await inject('POST', '/v1/events', admin.auth, eventBody(overrides)), 201)
    if (opts.assign !== false) success(t, await inject('PUT', `/v1/events/${e.id}/organizers/${organizer.id}`, admin.auth), 200)
    if (opts.publish) e = success(t, await inject('POST', `/v1/events/${e.id}/publish`, admin.auth), 200)
    return e
  }
  const read = async (id: string) => success(t, await inject('GET', `/v1/events/${id}`, admin.auth), 200) as EventJson
  return { ctx, admin, organizer, otherOrganizer, exhibitor, inject, event, read }
}

t.test('patch', async (t) => {
  t.test('the assigned organizer and admins change an event', async (t) => {
    const { admin, organizer, inject, event, read } = await setup(t)
    const draft = await event({ description: 'alt' })
    await new Promise((r) => setTimeout(r, 5))
    const byOrganizer = success(t, await inject('PATCH', `/v1/events/${draft.id}`, organizer.auth, { title: 'Neuer Titel' }), 200)
    t.equal(byOrganizer.title, 'Neuer Titel')
    t.equal(byOrganizer.description, 'alt', 'fields not in the patch are kept')
    t.equal(byOrganizer.status, 'draft')
    t.equal(byOrganizer.createdAt, draft.createdAt)
    t.ok(Date.parse(byOrganizer.updatedAt) > Date.parse(draft.updatedAt), 'updatedAt moves')
    t.same(await read(draft.id), byOrganizer, 'stored')

    const patch = {
      venue: { name: 'Westfalenhallen', address: 'Rheinlanddamm 200, 44139 Dortmund' },
      visitorCapacity: 1200,
      maxPartySize: 2,
      waitlist: true,
      timezone: 'europe/istanbul',
      reminders: [{ audience: 'exhibitors', minutesBefore: 2880 }],
      description: 'neu',
    }
    const byAdmin = success(t, await inject('PATCH', `/v1/events/${draft.slug}`, admin.auth, patch), 200)
    t.match(byAdmin, { ...patch, timezone: 'Europe/Istanbul', title: 'Neuer Titel' })
    t.same(byAdmin.reminders, patch.reminders)

    const published = await event({}, { publish: true })
    const patched = success(t, await inject('PATCH', `/v1/events/${published.id}`, organizer.auth, { visitorCapacity: 10 }), 200)
    t.equal(patched.status, 'published', 'a patch does not change the status')
    t.equal(patched.publishedAt, published.publishedAt)
    t.equal(patched.visitorCapacity, 10)
  })

  t.test('who may not', async (t) => {
    const { otherOrganizer, exhibitor, inject, event, read } = await setup(t)
    const draft = await event()
    const published = await event({}, { publish: true })
    const patch = (id: string, auth?: Auth) => inject('PATCH', `/v1/events/${id}`, auth, { title: 'gekapert' })

    problem(t, await patch(published.id, otherOrganizer.auth), 403, 'forbidden')
    problem(t, await patch(draft.id, otherOrganizer.auth), 404, 'not_found')
    problem(t, await patch(draft.slug, otherOrganizer.auth), 404, 'not_found')
    problem(t, await patch(published.id, exhibitor.auth), 403, 'forbidden')
    problem(t, await patch(draft.id, exhibitor.auth), 404, 'not_found')
    for (const id of [published.id, draft.id, 'no-such-event']) {
      const res = await patch(id)
      problem(t, res, 401, 'unauthenticated')
      t.equal(res.headers['www-authenticate'], 'Bearer')
    }
    problem(t, await patch('no-such-event', otherOrganizer.auth), 404, 'not_found')

    t.equal((await read(draft.id)).title, draft.title, 'nothing changed')
    t.equal((await read(published.id)).title, published.title)
  })

  t.test('the body is validated strictly', async (t) => {
    const { organizer, inject, event, read } = await setup(t)
    const e = await event()
    const patch = (payload: unknown) => inject('PATCH', `/v1/events/${e.id}`, organizer.auth, payload)

    invalid(t, await patch({}))
    invalid(t, await patch({ status: 'published' }), '/body/status')
    invalid(t, await patch({ id: e.id }), '/body/id')
    invalid(t, await patch({ visitorCapacity: '5' }), '/body/visitorCapacity')
    invalid(t, await patch({ visitorCapacity: -1 }), '/body/visitorCapacity')
    invalid(t, await patch({ waitlist: 'false' }), '/body/waitlist')
    invalid(t, await patch({ title: null }), '/body/title')
    invalid(t, await patch({ startsAt: null }), '/body/startsAt')
    invalid(t, await patch({ venue: null }), '/body/venue')
    invalid(t, await patch({ venue: { name: 'nur Name' } }), '/body/venue/address')
    invalid(t, await patch({ title: '  ' }), '/body/title')
    invalid(t, await patch({ venue: { name: ' ', address: 'Weg 1' } }), '/body/venue/name')
    invalid(t, await patch({ slug: 'Gross' }), '/body/slug')
    invalid(t, await patch({ slug: '3f2b8c1e-0000-4000-8000-000000000000' }), '/body/slug')
    const several = invalid(t, await patch({ maxPartySize: 0, reminders: 'none' }), '/body/maxPartySize', '/body/reminders')
    t.ok(several.errors!.length >= 2)
    t.same(await read(e.id), e, 'nothing changed')
  })

  t.test('null clears the optional fields', async (t) => {
    const { organizer, inject, event } = await setup(t)
    const start = Date.parse(eventBody().startsAt)
    const e = await event({
      description: 'Vereine stellen sich vor.',
      registrationOpensAt: new Date(start - 10 * DAY).toISOString(),
      registrationClosesAt: new Date(start - DAY).toISOString(),
      standBookingOpensAt: new Date(start - 20 * DAY).toISOString(),
      standBookingClosesAt: new Date(start - 5 * DAY).toISOString(),
    })
    const cleared = success(
      t,
      await inject('PATCH', `/v1/events/${e.id}`, organizer.auth, { registrationOpensAt: null, description: null }),
      200,
    )
    t.equal(cleared.registrationOpensAt, null)
    t.equal(cleared.description, null)
    t.equal(cleared.registrationClosesAt, e.registrationClosesAt, 'the other end of the window is kept')
    t.equal(cleared.standBookingOpensAt, e.standBookingOpensAt)

    const all = success(
      t,
      await inject('PATCH', `/v1/events/${e.id}`, organizer.auth, {
        registrationClosesAt: null,
        standBookingOpensAt: null,
        standBookingClosesAt: null,
      }),
      200,
    )
    t.match(all, { registrationOpensAt: null, registrationClosesAt: null, standBookingOpensAt: null, standBookingClosesAt: null })
    const description = success(t, await inject('PATCH', `/v1/events/${e.id}`, organizer.auth, { description: '' }), 200)
    t.equal(description.description, '', 'an empty description is a description')
  })

  t.test('slugs', async (t) => {
    const { admin, organizer, inject, event } = await setup(t)
    const a = await event({ slug: 'messe-nord' }, { publish: true })
    await event({ slug: 'messe-sued' })
    problem(t, await inject('PATCH', `/v1/events/${a.id}`, organizer.auth, { slug: 'messe-sued' }), 409, 'slug_taken')
    const same = success(t, await inject('PATCH', `/v1/events/${a.id}`, organizer.auth, { slug: 'messe-nord' }), 200)
    t.equal(same.slug, 'messe-nord', 'keeping its own slug is no conflict')
    const renamed = success(t, await inject('PATCH', `/v1/events/messe-nord`, organizer.auth, { slug: 'messe-ost' }), 200)
    t.equal(renamed.slug, 'messe-ost')
    t.equal(success(t, await inject('GET', '/v1/events/messe-ost'), 200).id, a.id)
    problem(t, await inject('GET', '/v1/events/messe-nord', admin.auth), 404, 'not_found')
    success(t, await inject('POST', '/v1/events', admin.auth, eventBody({ slug: 'messe-nord' })), 201)
  })

  t.test('a cancelled event cannot be changed', async (t) => {
    const { admin, organizer, inject, event, read } = await setup(t)
    const e = await event({}, { publish: true })
    success(t, await inject('POST', `/v1/events/${e.id}/cancel`, organizer.auth), 200)
    problem(t, await inject('PATCH', `/v1/events/${e.id}`, organizer.auth, { title: 'doch nicht' }), 409, 'invalid_transition')
    problem(t, await inject('PATCH', `/v1/events/${e.id}`, admin.auth, { visitorCapacity: 1 }), 409, 'invalid_transition')
    const after = await read(e.id)
    t.equal(after.title, e.title)
    t.equal(after.visitorCapacity, e.visitorCapacity)
  })

  t.test('date rules: 400 and nothing changed', async (t) => {
    const { organizer, inject, event, read } = await setup(t)
    const start = Date.parse(eventBody().startsAt)
    const iso = (ms: number) => new Date(ms).toISOString()
    const e = await event({
      registrationOpensAt: iso(start - 10 * DAY),
      registrationClosesAt: iso(start + 6 * HOUR),
      reminders: [{ audience: 'visitors', minutesBefore: 60 }],
    })
    const patch = (payload: Record<string, unknown>) => inject('PATCH', `/v1/events/${e.id}`, organizer.auth, payload)

    invalid(t, await patch({ endsAt: e.startsAt }), '/body/endsAt')
    invalid(t, await patch({ startsAt: iso(Date.parse(e.endsAt) + HOUR) }), '/body/endsAt')
    invalid(t, await patch({ startsAt: iso(Date.now() - 2 * DAY), endsAt: iso(Date.now() - DAY) }), '/body/endsAt')
    // Moving the end before the stored close of registration breaks a rule between a new and an old value.
    invalid(t, await patch({ endsAt: iso(start + 2 * HOUR) }), '/body/registrationClosesAt')
    invalid(t, await patch({ registrationOpensAt: iso(start + 7 * HOUR) }), '/body/registrationClosesAt')
    invalid(t, await patch({ registrationClosesAt: iso(start - 11 * DAY) }), '/body/registrationClosesAt')
    invalid(t, await patch({ standBookingClosesAt: iso(Date.parse(e.endsAt) + 1) }), '/body/standBookingClosesAt')
    invalid(t, await patch({ timezone: 'Mars/Olympus' }), '/body/timezone')
    invalid(
      t,
      await patch({ reminders: [{ audience: 'visitors', minutesBefore: 60 }, { audience: 'visitors', minutesBefore: 60 }] }),
      '/body/reminders/1',
    )
    invalid(t, await patch({ endsAt: `${new Date(start).getUTCFullYear()}-12-31T23:59:60Z` }), '/body/endsAt')
    // A valid field next to an invalid one is not applied either.
    invalid(t, await patch({ title: 'Zwischenstand', endsAt: e.startsAt }), '/body/endsAt')

    t.same(await read(e.id), e, 'GET shows the old values')

    const moved = success(t, await patch({ startsAt: iso(start + DAY), endsAt: iso(start + DAY + 8 * HOUR) }), 200)
    t.equal(moved.startsAt, iso(start + DAY), 'a valid move is applied')
    t.equal(moved.registrationClosesAt, e.registrationClosesAt)
  })

  t.test('an event that has begun or ended stays editable while its dates are left alone', async (t) => {
    const { ctx, organizer, inject, event, read } = await setup(t)
    const e = await event({}, { publish: true })
    // Time passes: the event is over (only the database can make that so).
    const startsAt = new Date(Date.now() - 3 * DAY)
    const endsAt = new Date(Date.now() - 2 * DAY)
    await ctx.db.update(events).set({ startsAt, endsAt }).where(eq(events.id, e.id))
    const patch = (payload: Record<string, unknown>) => inject('PATCH', `/v1/events/${e.id}`, organizer.auth, payload)

    const res = success(t, await patch({ title: 'Rückblick', description: 'Danke!' }), 200)
    t.equal(res.title, 'Rückblick')
    t.equal(res.startsAt, startsAt.toISOString())
    t.equal(res.endsAt, endsAt.toISOString())
    success(t, await patch({ reminders: [] }), 200)
    success(t, await patch({ timezone: 'Europe/Berlin' }), 200)

    invalid(t, await patch({ endsAt: new Date(Date.now() - DAY).toISOString() }), '/body/endsAt')
    t.equal((await read(e.id)).endsAt, endsAt.toISOString(), 'still ended')
  })
})

t.test('publish and cancel', async (t) => {
  t.test('draft → published → cancelled, idempotently', async (t) => {
    const { organizer, inject, event, read } = await setup(t)
    const e = await event()
    const before = Date.now()
    const published = success(t, await inject('POST', `/v1/events/${e.id}/publish`, organizer.auth), 200)
    t.equal(published.status, 'published')
    t.match(published.publishedAt, ISO)
    t.ok(Math.abs(Date.parse(published.publishedAt) - before) < 60_000, 'publishedAt is now')
    t.equal(published.cancelledAt, null)

    await new Promise((r) => setTimeout(r, 10))
    const again = success(t, await inject('POST', `/v1/events/${e.slug}/publish`, organizer.auth), 200)
    t.equal(again.status, 'published')
    t.equal(again.publishedAt, published.publishedAt, 'publishing twice keeps the first publishedAt')

    const cancelled = success(t, await inject('POST', `/v1/events/${e.id}/cancel`, organizer.auth), 200)
    t.equal(cancelled.status, 'cancelled')
    t.match(cancelled.cancelledAt, ISO)
    t.ok(Date.parse(cancelled.cancelledAt) >= Date.parse(published.publishedAt))
    t.equal(cancelled.publishedAt, published.publishedAt, 'publishedAt is kept')

    await new Promise((r) => setTimeout(r, 10))
    const cancelledAgain = success(t, await inject('POST', `/v1/events/${e.id}/cancel`, organizer.auth), 200)
    t.equal(cancelledAgain.status, 'cancelled')
    t.equal(cancelledAgain.cancelledAt, cancelled.cancelledAt, 'cancelling twice keeps the first cancelledAt')

    problem(t, await inject('POST', `/v1/events/${e.id}/publish`, organizer.auth), 409, 'invalid_transition')
    const stored = await read(e.id)
    t.equal(stored.status, 'cancelled', 'still cancelled')
    t.equal(stored.cancelledAt, cancelled.cancelledAt)
  })

  t.test('a draft can be cancelled without ever being published', async (t) => {
    const { admin, inject, event } = await setup(t)
    const e = await event()
    const cancelled = success(t, await inject('POST', `/v1/events/${e.id}/cancel`, admin.auth), 200)
    t.equal(cancelled.status, 'cancelled')
    t.equal(cancelled.publishedAt, null)
    t.match(cancelled.cancelledAt, ISO)
    problem(t, await inject('POST', `/v1/events/${e.id}/publish`, admin.auth), 409, 'invalid_transition')
  })

  t.test('who may publish and cancel', async (t) => {
    const { admin, organizer, otherOrganizer, exhibitor, inject, event, read } = await setup(t)
    for (const action of ['publish', 'cancel']) {
      const draft = await event()
      const published = await event({}, { publish: true })
      const post = (id: string, auth?: Auth) => inject('POST', `/v1/events/${id}/${action}`, auth)
      problem(t, await post(draft.id), 401, 'unauthenticated')
      problem(t, await post(published.id), 401, 'unauthenticated')
      problem(t, await post(draft.id, otherOrganizer.auth), 404, 'not_found')
      problem(t, await post(published.id, otherOrganizer.auth), 403, 'forbidden')
      problem(t, await post(draft.id, exhibitor.auth), 404, 'not_found')
      problem(t, await post(published.id, exhibitor.auth), 403, 'forbidden')
      problem(t, await post('no-such-event', admin.auth), 404, 'not_found')
      problem(t, await post('00000000-0000-4000-8000-000000000000', organizer.auth), 404, 'not_found')
      t.equal((await read(draft.id)).status, 'draft', `${action}: the draft is untouched`)
      t.equal((await read(published.id)).status, 'published', `${action}: the published event is untouched`)
      const byAdmin = success(t, await post(draft.id, admin.auth), 200)
      t.equal(byAdmin.status, action === 'publish' ? 'published' : 'cancelled')
    }
  })
})

t.test('organizers', async (t) => {
  t.test('admins assign organizers, idempotently', async (t) => {
    const { admin, organizer, otherOrganizer, inject, event } = await setup(t)
    const e = await event({}, { assign: false })
    const url = (accountId: string, id = e.id) => `/v1/events/${id}/organizers/${accountId}`

    const first = success(t, await inject('PUT', url(organizer.id), admin.auth), 200)
    t.equal(first.items.length, 1)
    t.match(first.items[0], { id: organizer.id, email: organizer.email, role: 'organizer', name: 'Test organizer' })
    t.match(first.items[0].createdAt, ISO)
    t.same(Object.keys(first.items[0]).sort(), ['active', 'createdAt', 'email', 'id', 'language', 'name', 'role'], 'no secrets')

    const again = success(t, await inject('PUT', url(organizer.id), admin.auth), 200)
    t.same(again, first, 'assigning twice changes nothing')

    const both = success(t, await inject('PUT', url(otherOrganizer.id, e.slug), admin.auth), 200)
    t.same(both.items.map((a: { id: string }) => a.id).sort(), [organizer.id, otherOrganizer.id].sort())

    const listed = success(t, await inject('GET', `/v1/events/${e.id}/organizers`, organizer.auth), 200)
    t.same(listed, both, 'an assigned organizer sees the organizers')
    t.same(success(t, await inject('GET', `/v1/events/${e.slug}/organizers`, admin.auth), 200), both)
  })

  t.test('only admins assign, only organizer accounts can be assigned', async (t) => {
    const { admin, organizer, otherOrganizer, exhibitor, inject, event } = await setup(t)
    const e = await event()
    const put = (accountId: string, auth?: Auth, id = e.id) => inject('PUT', `/v1/events/${id}/organizers/${accountId}`, auth)

    problem(t, await put(otherOrganizer.id), 401, 'unauthenticated')
    problem(t, await put(otherOrganizer.id, organizer.auth), 403, 'forbidden')
    problem(t, await put(organizer.id, organizer.auth), 403, 'forbidden')
    problem(t, await put(otherOrganizer.id, exhibitor.auth), 403, 'forbidden')
    problem(t, await put(otherOrganizer.id, otherOrganizer.auth), 403, 'forbidden')
    problem(t, await put(exhibitor.id, admin.auth), 409, 'not_an_organizer')
    problem(t, await put(admin.id, admin.auth), 409, 'not_an_organizer')
    problem(t, await put('00000000-0000-4000-8000-000000000000', admin.auth), 404, 'not_found')
    invalid(t, await put('not-a-uuid', admin.auth), '/params/accountId')
    problem(t, await put(otherOrganizer.id, admin.auth, 'no-such-event'), 404, 'not_found')

    const listed = success(t, await inject('GET', `/v1/events/${e.id}/organizers`, admin.auth), 200)
    t.same(listed.items.map((a: { id: string }) => a.id), [organizer.id], 'only the first assignment stands')
  })

  t.test('reading the organizers of an event', async (t) => {
    const { otherOrganizer, exhibitor, inject, event } = await setup(t)
    const draft = await event()
    const published = await event({}, { publish: true })
    const get = (id: string, auth?: Auth) => inject('GET', `/v1/events/${id}/organizers`, auth)
    problem(t, await get(draft.id), 401, 'unauthenticated')
    problem(t, await get(published.id), 401, 'unauthenticated')
    problem(t, await get(draft.id, otherOrganizer.auth), 404, 'not_found')
    problem(t, await get(published.id, otherOrganizer.auth), 403, 'forbidden')
    problem(t, await get(published.id, exhibitor.auth), 403, 'forbidden')
    problem(t, await get(draft.id, exhibitor.auth), 404, 'not_found')
  })

  t.test('removal: 204, then 404; the removed organizer loses the event', async (t) => {
    const { admin, organizer, otherOrganizer, inject, event } = await setup(t)
    const draft = await event()
    const published = await event({}, { publish: true })
    const del = (id: string, accountId: string, auth?: Auth) => inject('DELETE', `/v1/events/${id}/organizers/${accountId}`, auth)

    success(t, await inject('PATCH', `/v1/events/${draft.id}`, organizer.auth, { title: 'vorher' }), 200)
    problem(t, await del(draft.id, organizer.id), 401, 'unauthenticated')
    problem(t, await del(draft.id, organizer.id, organizer.auth), 403, 'forbidden')
    problem(t, await del(draft.id, otherOrganizer.id, admin.auth), 404, 'not_found')

    for (const e of [draft, published]) {
      const removed = await del(e.id, organizer.id, admin.auth)
      t.equal(removed.statusCode, 204)
      t.equal(removed.body, '', 'no body')
      problem(t, await del(e.id, organizer.id, admin.auth), 404, 'not_found')
    }
    const organizers = success(t, await inject('GET', `/v1/events/${draft.id}/organizers`, admin.auth), 200)
    t.same(organizers.items, [])

    problem(t, await inject('PATCH', `/v1/events/${draft.id}`, organizer.auth, { title: 'nachher' }), 404, 'not_found')
    problem(t, await inject('PATCH', `/v1/events/${published.id}`, organizer.auth, { title: 'nachher' }), 403, 'forbidden')
    problem(t, await inject('POST', `/v1/events/${published.id}/cancel`, organizer.auth), 403, 'forbidden')
    problem(t, await inject('GET', `/v1/events/${draft.id}`, organizer.auth), 404, 'not_found')
    problem(t, await inject('GET', `/v1/events/${draft.id}/organizers`, organizer.auth), 404, 'not_found')
    const listed = success(t, await inject('GET', '/v1/events', organizer.auth), 200)
    t.same(listed.items.map((e: EventJson) => e.id), [published.id], 'the draft left the organizer’s list')

    // Assigned again, the organizer has the event back.
    success(t, await inject('PUT', `/v1/events/${draft.id}/organizers/${organizer.id}`, admin.auth), 200)
    t.equal(success(t, await inject('PATCH', `/v1/events/${draft.id}`, organizer.auth, { title: 'wieder' }), 200).title, 'wieder')
  })
})
