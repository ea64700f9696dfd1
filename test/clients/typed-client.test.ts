import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { createVereinsmesseClient, type ProblemOf, type VereinsmesseClient } from '../../clients/typescript/index.js'
import { build, eventBody } from '../helpers/app.js'

/** What a front end shows for each way registering can fail: the compiler proves every code has an answer. */
function registrationMessage(problem: ProblemOf<'createRegistration'>): string {
  switch (problem.code) {
    case 'already_registered':
      return 'You are already registered; we can send your confirmation again.'
    case 'event_full':
      return 'Sorry, the fair is full.'
    case 'registration_closed':
      return 'Registration is closed.'
    case 'idempotency_mismatch':
    case 'invalid_request':
    case 'payload_too_large':
    case 'unsupported_media_type':
      return 'Please check the form.'
    case 'not_found':
      return 'There is no such fair.'
    case 'unauthenticated':
      return 'Please open the link from your email again.'
    case 'rate_limited':
    case 'unavailable':
    case 'internal_error':
      return 'Please try again in a moment.'
    default: {
      const unhandled: never = problem
      return unhandled
    }
  }
}

/** The answer's data, or the test fails with the problem the API sent. */
function must<T>(t: Test, result: { data?: T; error?: unknown; response: Response }, status: number): T {
  t.equal(result.response.status, status, `${result.response.url}: ${JSON.stringify(result.error ?? null)}`)
  if (result.data === undefined) throw new Error(`no data from ${result.response.url}`)
  return result.data
}

t.test('a whole visit through the typed client: organizer, visitor, door, association', async (t) => {
  const ctx = await build(t)
  const baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const admin = await ctx.account('admin')
  const as = (token?: string): VereinsmesseClient => createVereinsmesseClient(baseUrl, { token })
  const anyone = as()

  // An admin creates the organizer's account and the event; the organizer logs in and publishes it.
  const organizerEmail = `organizer-${randomUUID()}@example.org`
  const organizerAccount = must(
    t,
    await as(admin.token).POST('/v1/accounts', {
      body: { email: organizerEmail, name: 'Olga Organizer', role: 'organizer', password: 'correct horse battery' },
    }),
    201,
  )
  const { slug, title, venue, startsAt, endsAt, visitorCapacity } = eventBody()
  const draft = must(t, await as(admin.token).POST('/v1/events', { body: { slug, title, venue, startsAt, endsAt, visitorCapacity } }), 201)
  t.equal(draft.status, 'draft')
  must(
    t,
    await as(admin.token).PUT('/v1/events/{eventId}/organizers/{accountId}', {
      params: { path: { eventId: draft.id, accountId: organizerAccount.id } },
    }),
    200,
  )
  const session = must(t, await anyone.POST('/v1/auth/login', { body: { email: organizerEmail, password: 'correct horse battery' } }), 200)
  const organizer = as(session.token)
  const event = must(t, await organizer.POST('/v1/events/{eventId}/publish', { params: { path: { eventId: draft.id } } }), 200)
  t.equal(event.status, 'published')
  const listed = must(t, await anyone.GET('/v1/events', { params: { query: { limit: 10 } } }), 200)
  t.ok(listed.items.some((item) => item.id === event.id), 'the public sees the published event')

  // A visitor registers (a retry with the same Idempotency-Key answers the same registration) and gets a ticket.
  const key = randomUUID()
  const registration = { email: `visitor-${randomUUID()}@example.org`, name: 'Vera Visitor', consent: { privacy: true as const } }
  const first = await anyone.POST('/v1/events/{eventId}/registrations', {
    params: { path: { eventId: event.slug }, header: { 'idempotency-key': key } },
    body: registration,
  })
  const registered = must(t, first, 201)
  t.equal(first.response.headers.get('location'), `/v1/registrations/${registered.id}`, 'a creation says where it lives')
  const retried = must(
    t,
    await anyone.POST('/v1/events/{eventId}/registrations', {
      params: { path: { eventId: event.slug }, header: { 'idempotency-key': key } },
      body: registration,
    }),
    201,
  )
  t.equal(retried.id, registered.id, 'the retry answers the first registration')
  t.equal(registered.status, 'confirmed')
  const ticket = registered.ticket
  if (!ticket) throw new Error('a confirmed registration has a ticket')

  const again = await anyone.POST('/v1/events/{eventId}/registrations', { params: { path: { eventId: event.id } }, body: registration })
  t.equal(again.response.status, 409)
  t.equal(again.response.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  if (!again.error) throw new Error('registering twice is refused')
  t.equal(again.error.code, 'already_registered')
  t.match(registrationMessage(again.error), /already registered/)

  const visitor = as(registered.manageToken)
  const own = must(t, await visitor.GET('/v1/registrations/{id}', { params: { path: { id: registered.id } } }), 200)
  t.equal(own.name, 'Vera Visitor')
  const calendar = await visitor.GET('/v1/registrations/{id}/calendar.ics', { params: { path: { id: registered.id } }, parseAs: 'text' })
  t.match(calendar.response.headers.get('content-type'), /^text\/calendar; charset=utf-8/)
  t.match(calendar.data, /^BEGIN:VCALENDAR/)

  // The organizer adds a door scanner; it admits the ticket once, and refuses it as already inside.
  const scanner = must(t, await organizer.POST('/v1/events/{eventId}/scanners', { params: { path: { eventId: event.id } }, body: { label: 'Phone 1', gate: 'North' } }), 201)
  const door = as(scanner.token)
  const admitted = must(t, await door.POST('/v1/events/{eventId}/checkins', { params: { path: { eventId: event.id } }, body: { code: ticket.code } }), 200)
  t.equal(admitted.status, 'ok')
  const twice = must(t, await door.POST('/v1/events/{eventId}/checkins', { params: { path: { eventId: event.id } }, body: { code: ticket.code } }), 200)
  t.same([twice.status, twice.reason], ['rejected', 'already_checked_in'])
  const occupancy = must(t, await door.GET('/v1/events/{eventId}/occupancy', { params: { path: { eventId: event.id } } }), 200)
  t.equal(occupancy.inside, 1)

  // An association signs up, asks for a stand, and the organizer approves it onto one.
  const stand = must(t, await organizer.POST('/v1/events/{eventId}/stands', { params: { path: { eventId: event.id } }, body: { code: 'A1' } }), 201)
  const signUp = must(
    t,
    await anyone.POST('/v1/associations', {
      body: {
        association: { name: `Kulturverein ${randomUUID().slice(0, 8)}`, district: 'innenstadt-nord', fieldsOfActivity: ['culture'], migrantOrganization: false },
        contact: { name: 'Ayşe Yılmaz', email: `ayse-${randomUUID()}@example.org`, password: 'correct horse battery' },
      },
    }),
    201,
  )
  const exhibitor = as(signUp.token)
  const booking = must(
    t,
    await exhibitor.POST('/v1/events/{eventId}/stand-bookings', {
      params: { path: { eventId: event.id } },
      body: { associationId: signUp.association.id, preferredStandIds: [stand.id] },
    }),
    201,
  )
  t.equal(booking.status, 'requested')
  const approved = must(
    t,
    await organizer.POST('/v1/stand-bookings/{id}/approve', { params: { path: { id: booking.id } }, body: { standId: stand.id } }),
    200,
  )
  t.equal(approved.status, 'approved')
  const taken = await exhibitor.POST('/v1/events/{eventId}/stand-bookings', {
    params: { path: { eventId: event.id } },
    body: { associationId: signUp.association.id },
  })
  t.equal(taken.error?.code, 'already_booked')
})
