import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, eventBody, type TestContext } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

// Events: creation, reading and visibility, and the list with its keyset pagination.
// Changing, publishing, cancelling and organizers are in events-manage.test.ts.

const DAY = 24 * 60 * 60 * 1000
const HOUR = 60 * 60 * 1000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

type Auth = { authorization: string } | undefined
type EventJson = Record<string, any> & { id: string; slug: string; startsAt: string; status: string }

/** A 400 invalid_request whose `errors` name at least these fields. */
function invalid(t: Test, res: LightMyRequestResponse, ...paths: string[]) {
  const body = problem(t, res, 400, 'invalid_request')
  const listed = (body.errors ?? []).map((e) => e.path)
  for (const path of paths) t.ok(listed.includes(path), `errors name ${path} (got ${listed.join(', ')})`)
  for (const e of body.errors ?? []) t.type(e.message, 'string')
  return body
}

function success(t: Test, res: LightMyRequestResponse, status: number) {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 600) })
  t.match(String(res.headers['content-type']), /^application\/json/, 'json')
  return res.json()
}

async function createEvent(t: Test, ctx: TestContext, auth: Auth, overrides: Record<string, unknown> = {}): Promise<EventJson> {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: eventBody(overrides) })
  return success(t, res, 201)
}

/** startsAt `days` from now at 09:00 UTC (plus `minutes`), ending 8 hours later. */
function at(days: number, minutes = 0) {
  const start = new Date(Date.now() + days * DAY)
  start.setUTCHours(9, minutes, 0, 0)
  return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 8 * HOUR).toISOString() }
}

async function list(ctx: TestContext, query: string, auth?: Auth) {
  return ctx.app.inject({ method: 'GET', url: `/v1/events${query}`, headers: auth })
}

const byStartThenId = (a: EventJson, b: EventJson) =>
  a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

t.test('create', async (t) => {
  t.test('an admin creates a draft; omitted fields take their defaults', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const body = eventBody()
    const before = Date.now()
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: body })
    const event = success(t, res, 201)
    t.match(event.id, UUID)
    t.same(
      { ...event, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        slug: body.slug,
        title: body.title,
        description: null,
        venue: body.venue,
        startsAt: body.startsAt,
        endsAt: body.endsAt,
        timezone: 'Europe/Berlin',
        visitorCapacity: 500,
        maxPartySize: 5,
        waitlist: false,
        registrationOpensAt: null,
        registrationClosesAt: null,
        standBookingOpensAt: null,
        standBookingClosesAt: null,
        reminders: [],
        retentionDays: null,
        sessionReminderMinutesBefore: 30,
        meetings: { enabled: false, slotMinutes: 20, windows: [], tables: 0, maxPerAssociation: 8 },
        status: 'draft',
        publishedAt: null,
        cancelledAt: null,
        createdAt: undefined,
        updatedAt: undefined,
      },
    )
    t.match(event.createdAt, ISO)
    t.match(event.updatedAt, ISO)
    t.ok(Math.abs(Date.parse(event.createdAt) - before) < 60_000, 'createdAt is now')

    const read = success(t, await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}`, headers: admin.auth }), 200)
    t.same(read, event, 'what was answered is what was stored')
  })

  t.test('every optional field is stored; offsets are normalised to UTC', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const start = new Date(Date.now() + 60 * DAY)
    start.setUTCHours(8, 0, 0, 0)
    const local = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+02:00') // the same wall clock, two hours earlier in UTC
    const body = {
      ...eventBody(),
      description: 'Vereine stellen sich vor.',
      startsAt: local(start),
      endsAt: local(new Date(start.getTime() + 6 * HOUR)),
      timezone: 'Europe/Istanbul',
      visitorCapacity: 0,
      maxPartySize: 20,
      waitlist: true,
      registrationOpensAt: new Date(start.getTime() - 20 * DAY).toISOString(),
      registrationClosesAt: new Date(start.getTime() + 4 * HOUR).toISOString(),
      standBookingOpensAt: new Date(start.getTime() - 40 * DAY).toISOString(),
      standBookingClosesAt: new Date(start.getTime() - 7 * DAY).toISOString(),
      reminders: [
        { audience: 'visitors', minutesBefore: 1440 },
        { audience: 'exhibitors', minutesBefore: 1440 },
        { audience: 'visitors', minutesBefore: 60 },
      ],
    }
    const event = await createEvent(t, ctx, admin.auth, body)
    t.equal(event.startsAt, new Date(start.getTime() - 2 * HOUR).toISOString())
    t.equal(event.endsAt, new Date(start.getTime() + 4 * HOUR).toISOString())
    t.match(event, {
      description: 'Vereine stellen sich vor.',
      timezone: 'Europe/Istanbul',
      visitorCapacity: 0,
      maxPartySize: 20,
      waitlist: true,
      registrationOpensAt: body.registrationOpensAt,
      registrationClosesAt: body.registrationClosesAt,
      standBookingOpensAt: body.standBookingOpensAt,
      standBookingClosesAt: body.standBookingClosesAt,
      status: 'draft',
    })
    t.same(event.reminders, body.reminders, 'reminders kept in order')
  })

  t.test('only admins create events', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const organizer = await ctx.account('organizer')
    const exhibitor = await ctx.account('exhibitor')
    const post = (headers?: Auth) => ctx.app.inject({ method: 'POST', url: '/v1/events', headers, payload: eventBody() })

    const anonymous = await post()
    problem(t, anonymous, 401, 'unauthenticated')
    t.equal(anonymous.headers['www-authenticate'], 'Bearer')
    problem(t, await post({ authorization: 'Bearer vms_not-a-real-token' }), 401, 'unauthenticated')
    problem(t, await post({ authorization: `Bearer vms_${'A'.repeat(43)}` }), 401, 'unauthenticated')
    problem(t, await post(exhibitor.auth), 403, 'forbidden')
    problem(t, await post(organizer.auth), 403, 'forbidden')

    const all = success(t, await list(ctx, '', admin.auth), 200)
    t.same(all.items, [], 'none of them created anything')
  })

  t.test('schema failures: 400 listing every bad field, nothing coerced, nothing stored', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const post = (payload: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: payload as object })

    const { title: _title, ...noTitle } = eventBody()
    const several = invalid(t, await post({ ...noTitle, visitorCapacity: -1 }), '/body/title', '/body/visitorCapacity')
    t.ok(several.errors!.length >= 2, 'both fields at once')

    const nested = invalid(t, await post(eventBody({ venue: { name: 'Halle' }, maxPartySize: 0 })), '/body/venue/address', '/body/maxPartySize')
    t.ok(nested.errors!.length >= 2)

    const extra = invalid(t, await post(eventBody({ organizerNotes: 'x' })), '/body/organizerNotes')
    t.equal(extra.errors!.find((e) => e.path === '/body/organizerNotes')!.message, 'is not allowed')
    invalid(t, await post(eventBody({ venue: { name: 'Halle', address: 'Weg 1', floor: 2 } })), '/body/venue/floor')
    invalid(t, await post(eventBody({ status: 'published' })), '/body/status')

    invalid(t, await post(eventBody({ visitorCapacity: '5' })), '/body/visitorCapacity')
    invalid(t, await post(eventBody({ visitorCapacity: 1.5 })), '/body/visitorCapacity')
    invalid(t, await post(eventBody({ visitorCapacity: 1_000_001 })), '/body/visitorCapacity')
    invalid(t, await post(eventBody({ maxPartySize: '3' })), '/body/maxPartySize')
    invalid(t, await post(eventBody({ maxPartySize: 21 })), '/body/maxPartySize')
    invalid(t, await post(eventBody({ waitlist: 'true' })), '/body/waitlist')
    invalid(t, await post(eventBody({ waitlist: 1 })), '/body/waitlist')
    invalid(t, await post(eventBody({ description: null })), '/body/description')
    invalid(t, await post(eventBody({ title: '' })), '/body/title')
    invalid(t, await post(eventBody({ title: 'x'.repeat(201) })), '/body/title')
    invalid(t, await post(eventBody({ reminders: [{ audience: 'everyone', minutesBefore: 60 }] })), '/body/reminders/0/audience')
    invalid(t, await post(eventBody({ reminders: [{ audience: 'visitors', minutesBefore: 0 }] })), '/body/reminders/0/minutesBefore')
    invalid(t, await post(eventBody({ reminders: [{ audience: 'visitors', minutesBefore: 43_201 }] })), '/body/reminders/0/minutesBefore')

    const { startsAt } = eventBody()
    invalid(t, await post(eventBody({ startsAt: startsAt.replace(/\.\d{3}Z$/, '') })), '/body/startsAt') // no offset
    invalid(t, await post(eventBody({ startsAt: `${new Date().getUTCFullYear() + 1}-02-30T10:00:00Z` })), '/body/startsAt')
    invalid(t, await post(eventBody({ startsAt: 'tomorrow' })), '/body/startsAt')
    invalid(t, await post(eventBody({ startsAt: Date.now() + DAY })), '/body/startsAt')

    const badJson = await ctx.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...admin.auth, 'content-type': 'application/json' },
      payload: '{"slug": "a",',
    })
    problem(t, badJson, 400, 'invalid_request')
    problem(t, await post([eventBody()]), 400, 'invalid_request')

    const all = success(t, await list(ctx, '', admin.auth), 200)
    t.same(all.items, [], 'no invalid event was stored')
  })

  t.test('rules between fields and against now', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const post = (overrides: Record<string, unknown>) =>
      ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody(overrides) })
    const { startsAt, endsAt } = eventBody()
    const start = Date.parse(startsAt)
    const end = Date.parse(endsAt)
    const iso = (ms: number) => new Date(ms).toISOString()

    invalid(t, await post({ endsAt: iso(start - HOUR) }), '/body/endsAt')
    invalid(t, await post({ endsAt: startsAt }), '/body/endsAt')
    invalid(t, await post({ endsAt: iso(start + 32 * DAY) }), '/body/endsAt')
    const past = invalid(t, await post({ startsAt: iso(Date.now() - 2 * DAY), endsAt: iso(Date.now() - DAY) }), '/body/endsAt')
    t.match(past.errors!.find((e) => e.path === '/body/endsAt')!.message, /future/)
    invalid(t, await post({ startsAt: iso(Date.now() + 6 * 365 * DAY), endsAt: iso(Date.now() + 6 * 365 * DAY + HOUR) }), '/body/startsAt')

    invalid(t, await post({ timezone: 'Mars/Olympus' }), '/body/timezone')
    invalid(t, await post({ timezone: '+01:00' }), '/body/timezone')
    invalid(t, await post({ timezone: '' }), '/body/timezone')

    invalid(t, await post({ registrationOpensAt: iso(start - DAY), registrationClosesAt: iso(start - 2 * DAY) }), '/body/registrationClosesAt')
    invalid(t, await post({ registrationOpensAt: iso(start - DAY), registrationClosesAt: iso(start - DAY) }), '/body/registrationClosesAt')
    invalid(t, await post({ registrationClosesAt: iso(end + 1) }), '/body/registrationClosesAt')
    invalid(t, await post({ registrationOpensAt: endsAt }), '/body/registrationOpensAt')
    invalid(t, await post({ registrationOpensAt: iso(start - 3 * 365 * DAY) }), '/body/registrationOpensAt')
    invalid(t, await post({ standBookingOpensAt: iso(start - DAY), standBookingClosesAt: iso(start - 2 * DAY) }), '/body/standBookingClosesAt')
    invalid(t, await post({ standBookingClosesAt: iso(end + DAY) }), '/body/standBookingClosesAt')

    const dup = invalid(
      t,
      await post({
        reminders: [
          { audience: 'visitors', minutesBefore: 60 },
          { audience: 'exhibitors', minutesBefore: 60 },
          { audience: 'visitors', minutesBefore: 60 },
        ],
      }),
      '/body/reminders/2',
    )
    t.same(dup.errors!.map((e) => e.path), ['/body/reminders/2'], 'only the repeat is named')

    const many = invalid(t, await post({ endsAt: iso(start - HOUR), timezone: 'Mars/Olympus' }), '/body/endsAt', '/body/timezone')
    t.equal(many.errors!.length, 2, 'every rule violation at once')

    // Accepted at the edges: the window may close exactly at the end, and the event may last 31 days.
    await createEvent(t, ctx, admin.auth, { registrationClosesAt: endsAt, standBookingClosesAt: endsAt })
    await createEvent(t, ctx, admin.auth, { endsAt: iso(start + 31 * DAY) })
    // A window opening in the past is fine: registration is simply open already.
    await createEvent(t, ctx, admin.auth, { registrationOpensAt: iso(Date.now() - DAY) })

    const all = success(t, await list(ctx, '', admin.auth), 200)
    t.equal(all.items.length, 3, 'only the valid events were stored')
  })

  t.test('timestamps that pass the schema but are no instant are refused, not a 500', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const year = new Date().getUTCFullYear() + 1
    const post = (overrides: Record<string, unknown>) =>
      ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody(overrides) })
    // RFC 3339 allows a leap second; JavaScript's Date does not parse one.
    invalid(t, await post({ startsAt: `${year}-06-30T23:59:60Z`, endsAt: `${year}-07-01T10:00:00Z` }), '/body/startsAt')
    invalid(t, await post({ registrationOpensAt: `${year - 1}-12-31T23:59:60Z` }), '/body/registrationOpensAt')
    t.same(success(t, await list(ctx, '', admin.auth), 200).items, [])
  })

  t.test('text fields that are only blanks are refused (they would be stored empty)', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: admin.auth,
      payload: eventBody({ title: '   ', venue: { name: '\t', address: ' ' } }),
    })
    invalid(t, res, '/body/title', '/body/venue/name', '/body/venue/address')
    const trimmed = await createEvent(t, ctx, admin.auth, { title: '  Messe  ', venue: { name: ' Halle ', address: ' Weg 1 ' } })
    t.equal(trimmed.title, 'Messe')
    t.same(trimmed.venue, { name: 'Halle', address: 'Weg 1' })
  })

  t.test('slugs: unique, lowercase, never a UUID', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const post = (slug: unknown) =>
      ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody({ slug }) })

    const first = success(t, await post('vereinsmesse-2027'), 201)
    const taken = problem(t, await post('vereinsmesse-2027'), 409, 'slug_taken')
    t.notMatch(JSON.stringify(taken), /events_slug_key|duplicate key|insert/i, 'no SQL leaks')

    invalid(t, await post('3f2b8c1e-0000-4000-8000-000000000000'), '/body/slug')
    invalid(t, await post(first.id), '/body/slug')
    invalid(t, await post('Vereinsmesse'), '/body/slug')
    invalid(t, await post('ab'), '/body/slug')
    invalid(t, await post('-messe'), '/body/slug')
    invalid(t, await post('messe--2027'), '/body/slug')
    invalid(t, await post('messe 2027'), '/body/slug')
    invalid(t, await post('messe/2027'), '/body/slug')
    invalid(t, await post('m'.repeat(81)), '/body/slug')
    invalid(t, await post(2027), '/body/slug')

    const all = success(t, await list(ctx, '', admin.auth), 200)
    t.same(all.items.map((e: EventJson) => e.slug), ['vereinsmesse-2027'])
  })

  t.test('time zones are stored under their canonical name', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    for (const [given, stored] of [
      ['europe/berlin', 'Europe/Berlin'],
      ['EUROPE/ISTANBUL', 'Europe/Istanbul'],
      ['utc', 'UTC'],
      ['America/New_York', 'America/New_York'],
    ]) {
      const event = await createEvent(t, ctx, admin.auth, { timezone: given })
      t.equal(event.timezone, stored, `${given} → ${stored}`)
    }
  })
})

t.test('read one event', async (t) => {
  t.test('by id (any case) and by slug', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const event = await createEvent(t, ctx, admin.auth)
    await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth })
    const get = (key: string) => ctx.app.inject({ method: 'GET', url: `/v1/events/${key}` })
    const byId = success(t, await get(event.id), 200)
    const bySlug = success(t, await get(event.slug), 200)
    const byUpperId = success(t, await get(event.id.toUpperCase()), 200)
    t.equal(byId.id, event.id)
    t.same(bySlug, byId)
    t.same(byUpperId, byId)

    problem(t, await get('no-such-fair'), 404, 'not_found')
    problem(t, await get('00000000-0000-4000-8000-000000000000'), 404, 'not_found')
    problem(t, await get(event.slug.toUpperCase()), 404, 'not_found')
    problem(t, await get('x'.repeat(81)), 400, 'invalid_request')
  })

  t.test('a draft is known only to its organizers and admins', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const assigned = await ctx.account('organizer')
    const other = await ctx.account('organizer')
    const exhibitor = await ctx.account('exhibitor')
    const draft = await createEvent(t, ctx, admin.auth)
    const put = await ctx.app.inject({ method: 'PUT', url: `/v1/events/${draft.id}/organizers/${assigned.id}`, headers: admin.auth })
    t.equal(put.statusCode, 200)
    const get = (key: string, headers?: Auth) => ctx.app.inject({ method: 'GET', url: `/v1/events/${key}`, headers })

    for (const key of [draft.id, draft.slug]) {
      const hidden = problem(t, await get(key), 404, 'not_found')
      const missing = problem(t, await get('00000000-0000-4000-8000-000000000000'), 404, 'not_found')
      t.equal(hidden.detail, missing.detail, 'the same answer as for an event that does not exist')
      problem(t, await get(key, exhibitor.auth), 404, 'not_found')
      problem(t, await get(key, other.auth), 404, 'not_found')
      t.equal(success(t, await get(key, assigned.auth), 200).status, 'draft')
      t.equal(success(t, await get(key, admin.auth), 200).status, 'draft')
    }
  })

  t.test('a published event is public; once cancelled it stays readable', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const exhibitor = await ctx.account('exhibitor')
    const organizer = await ctx.account('organizer')
    const event = await createEvent(t, ctx, admin.auth)
    success(t, await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth }), 200)
    const get = (headers?: Auth) => ctx.app.inject({ method: 'GET', url: `/v1/events/${event.slug}`, headers })

    for (const who of [undefined, exhibitor.auth, organizer.auth]) {
      const read = success(t, await get(who), 200)
      t.equal(read.status, 'published')
      t.match(read.publishedAt, ISO)
    }

    success(t, await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/cancel`, headers: admin.auth }), 200)
    const cancelled = success(t, await get(), 200)
    t.equal(cancelled.status, 'cancelled')
    t.match(cancelled.cancelledAt, ISO)
    t.match(cancelled.publishedAt, ISO, 'it had been published')
  })

  t.test('a draft that was cancelled never becomes public', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const event = await createEvent(t, ctx, admin.auth)
    success(t, await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/cancel`, headers: admin.auth }), 200)
    problem(t, await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}` }), 404, 'not_found')
    t.equal(success(t, await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}`, headers: admin.auth }), 200).status, 'cancelled')
  })

  t.test('a dead token is refused even on the public read', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const event = await createEvent(t, ctx, admin.auth)
    await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth })
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/events/${event.id}`, headers: { authorization: 'Bearer garbage' } })
    problem(t, res, 401, 'unauthenticated')
  })
})

t.test('list', async (t) => {
  t.test('who sees what, and the status filter', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const organizer = await ctx.account('organizer')
    const exhibitor = await ctx.account('exhibitor')
    const action = (id: string, what: string) =>
      ctx.app.inject({ method: 'POST', url: `/v1/events/${id}/${what}`, headers: admin.auth })

    const published1 = await createEvent(t, ctx, admin.auth, at(10))
    const published2 = await createEvent(t, ctx, admin.auth, at(20))
    const ownDraft = await createEvent(t, ctx, admin.auth, at(30))
    const otherDraft = await createEvent(t, ctx, admin.auth, at(40))
    const cancelledPublished = await createEvent(t, ctx, admin.auth, at(50))
    const cancelledDraft = await createEvent(t, ctx, admin.auth, at(60))
    const ownPublished = await createEvent(t, ctx, admin.auth, at(70))
    for (const e of [published1, published2, cancelledPublished, ownPublished]) t.equal((await action(e.id, 'publish')).statusCode, 200)
    for (const e of [cancelledPublished, cancelledDraft]) t.equal((await action(e.id, 'cancel')).statusCode, 200)
    for (const e of [ownDraft, ownPublished]) {
      const put = await ctx.app.inject({ method: 'PUT', url: `/v1/events/${e.id}/organizers/${organizer.id}`, headers: admin.auth })
      t.equal(put.statusCode, 200)
    }

    const ids = async (query: string, auth?: Auth) => {
      const page = success(t, await list(ctx, query, auth), 200)
      t.equal(page.nextCursor, null, 'one page')
      return page.items.map((e: EventJson) => e.id)
    }
    const publicIds = [published1.id, published2.id, ownPublished.id]
    t.same(await ids(''), publicIds, 'anonymous: published only, by start')
    t.same(await ids('', exhibitor.auth), publicIds, 'exhibitor: published only')
    t.same(await ids('', organizer.auth), [published1.id, published2.id, ownDraft.id, ownPublished.id], 'organizer: published and own')
    t.same(
      await ids('', admin.auth),
      [published1, published2, ownDraft, otherDraft, cancelledPublished, cancelledDraft, ownPublished].map((e) => e.id),
      'admin: everything',
    )

    t.same(await ids('?status=published'), publicIds)
    t.same(await ids('?status=draft'), [], 'the public filtering for drafts sees none')
    t.same(await ids('?status=cancelled'), [])
    t.same(await ids('?status=draft', organizer.auth), [ownDraft.id])
    t.same(await ids('?status=published', organizer.auth), publicIds)
    t.same(await ids('?status=draft', admin.auth), [ownDraft.id, otherDraft.id])
    t.same(await ids('?status=cancelled', admin.auth), [cancelledPublished.id, cancelledDraft.id])

    const item = success(t, await list(ctx, '?status=published&limit=1'), 200).items[0]
    const one = success(t, await ctx.app.inject({ method: 'GET', url: `/v1/events/${published1.id}` }), 200)
    t.same(item, one, 'list items are whole events')

    invalid(t, await list(ctx, '?status=archived'), '/querystring/status')
    invalid(t, await list(ctx, '?sort=title'), '/querystring/sort')
  })

  t.test('keyset pagination walks every event once, by start then id, stable under inserts', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    // Ties on startsAt on purpose: the id breaks them.
    const created: EventJson[] = []
    for (const days of [10, 12, 10, 5, 12, 10, 20]) created.push(await createEvent(t, ctx, admin.auth, at(days)))
    const expected = [...created].sort(byStartThenId).map((e) => e.id)

    const walk = async (query: string, limit: number) => {
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page = success(t, await list(ctx, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}${query}`, admin.auth), 200)
        pages++
        if (page.nextCursor !== null) {
          t.equal(page.items.length, limit, 'a page that is not the last is full')
          t.type(page.nextCursor, 'string')
        }
        seen.push(...page.items.map((e: EventJson) => e.id))
        cursor = page.nextCursor
      } while (cursor && pages < 20)
      return { seen, pages }
    }

    const { seen, pages } = await walk('', 2)
    t.equal(pages, 4)
    t.equal(new Set(seen).size, seen.length, 'no duplicates')
    t.same(seen, expected, 'every event once, ordered by startsAt then id')
    t.same((await walk('', 1)).seen, expected)
    t.same((await walk('', 7)).seen, expected)
    t.equal((await walk('', 7)).pages, 1, 'exactly full: no empty extra page')
    t.same((await walk('', 200)).seen, expected)

    // Take the first page, then insert before and after the cursor.
    const first = success(t, await list(ctx, '?limit=2', admin.auth), 200)
    t.same(first.items.map((e: EventJson) => e.id), expected.slice(0, 2))
    const earlier = await createEvent(t, ctx, admin.auth, at(1))
    // The same start as the cursor's item: whether it comes after the cursor depends on its id.
    const tie = await createEvent(t, ctx, admin.auth, { startsAt: first.items[1].startsAt, endsAt: first.items[1].endsAt })
    const later = await createEvent(t, ctx, admin.auth, at(25))
    const rest: string[] = []
    let cursor: string | null = first.nextCursor
    for (let pages = 0; cursor && pages < 20; pages++) {
      const page = success(t, await list(ctx, `?limit=2&cursor=${cursor}`, admin.auth), 200)
      rest.push(...page.items.map((e: EventJson) => e.id))
      cursor = page.nextCursor
    }
    t.notOk(rest.includes(earlier.id), 'an event inserted before the cursor does not appear')
    t.same(
      rest.filter((id) => id !== later.id && id !== tie.id),
      expected.slice(2),
      'the rest of the walk is unchanged: nothing skipped, nothing repeated',
    )
    t.ok(rest.includes(later.id), 'an event inserted after the cursor appears')
    t.equal(rest[rest.length - 1], later.id, 'in its place')
    const tieAfterCursor = byStartThenId(tie, first.items[1]) > 0
    t.equal(rest.includes(tie.id), tieAfterCursor, 'a tie with the cursor is placed by its id')
    const withNew = [...created, later, ...(tieAfterCursor ? [tie] : [])].sort(byStartThenId).map((e) => e.id)
    t.same(rest, withNew.slice(2), 'in (startsAt, id) order')
  })

  t.test('the status filter paginates too', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    const published: EventJson[] = []
    for (const days of [3, 6, 9, 12, 15]) {
      const e = await createEvent(t, ctx, admin.auth, at(days))
      if (days % 2) {
        t.equal((await ctx.app.inject({ method: 'POST', url: `/v1/events/${e.id}/publish`, headers: admin.auth })).statusCode, 200)
        published.push(e)
      }
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = success(t, await list(ctx, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`), 200)
      seen.push(...page.items.map((e: EventJson) => e.id))
      cursor = page.nextCursor
    } while (cursor && seen.length < 10)
    t.same(seen, published.map((e) => e.id))
  })

  t.test('bad limits and cursors are 400, never 500', async (t) => {
    const ctx = await build(t)
    const admin = await ctx.account('admin')
    await createEvent(t, ctx, admin.auth, at(3))
    await createEvent(t, ctx, admin.auth, at(4))
    const first = success(t, await list(ctx, '?limit=1', admin.auth), 200)
    t.type(first.nextCursor, 'string')
    t.match(first.nextCursor, /^[A-Za-z0-9_-]+$/, 'URL-safe')
    t.equal(success(t, await list(ctx, '?limit=200', admin.auth), 200).items.length, 2)

    invalid(t, await list(ctx, '?limit=0', admin.auth), '/querystring/limit')
    invalid(t, await list(ctx, '?limit=201', admin.auth), '/querystring/limit')
    invalid(t, await list(ctx, '?limit=-1', admin.auth), '/querystring/limit')
    invalid(t, await list(ctx, '?limit=two', admin.auth), '/querystring/limit')
    invalid(t, await list(ctx, '?limit=1.5', admin.auth), '/querystring/limit')

    const badCursors = [
      'not a cursor',
      'abc',
      cursorOf('x'),
      cursorOf(['2027-01-01T00:00:00.000Z']),
      cursorOf([1, 2]),
      cursorOf(['not a date', '00000000-0000-4000-8000-000000000000']),
      cursorOf(['2027-01-01T00:00:00.000Z', 'not-a-uuid']),
      cursorOf(['2027-01-01T00:00:00.000Z', "' or 1=1 --"]),
      cursorOf(['-271821-04-20T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
      cursorOf(['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
      cursorOf({ startsAt: '2027-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }),
      'x'.repeat(201),
    ]
    for (const cursor of badCursors) {
      const res = await list(ctx, `?cursor=${encodeURIComponent(cursor)}`, admin.auth)
      invalid(t, res, '/querystring/cursor')
    }
    invalid(t, await list(ctx, '?cursor=', admin.auth), '/querystring/cursor')
  })
})
