import t from 'tap'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { readdir } from 'node:fs/promises'
import { and, eq } from 'drizzle-orm'
import { associationMembers } from '../../src/db/schema.js'
import { build, eventBody } from '../helpers/app.js'
import { signUpBody } from '../helpers/associations.js'
import { bearer, must, type Auth } from '../helpers/stands.js'
import { CALLERS, matrixFixtures, type Caller, type MatrixFixtures } from '../helpers/matrix-fixtures.js'
import { ensureDoorBuilt } from '../helpers/door-browser.js'

await ensureDoorBuilt()
const doorAsset = async () => `/door/assets/${(await readdir(new URL('../../dist/door/assets/', import.meta.url))).find((f) => f.endsWith('.css'))}`

// The authorisation matrix (issue #7 item 2): every route of the app × every kind of caller, with the status the
// contract (API.md "Errors", "Credentials") gives it. A route the app serves without a row here fails the test.
//
// Each cell sends a request whose params, query and body are VALID for the route, so a 4xx can only come from
// authorisation. Routes that change state take a fresh subject per cell (a new registration, event, stand,
// booking, pass, token …) so that one allowed call cannot change the answer of the next cell.
//
// The callers, relative to "this" event A, "this" registration and "this" association X (matrix-fixtures.ts):
//   anon   no Authorization header
//   vis    the vmr_ manage token of the registration concerned     visO   a vmr_ token of another registration of A
//   scan   a vmd_ scanner of A                                     scanO  a vmd_ scanner of event B
//   exh    a member of association X                               exhO   a member of association Y only
//   orgO   an organizer of event B only                            org    an organizer of A
//   admin
//
// Reading the codes: 401 no credentials; 403 a valid credential that may not do this, on something it can see
// (a published event, a public stand, its own kind of route); 404 something it may not know exists (another
// person's registration or ticket, a booking or pass of another association, a scanner, a draft event).

interface CellRequest {
  url: string
  payload?: unknown
  headers?: Record<string, string>
  /** credentials that belong to this cell's fresh subject (e.g. the manage token of a fresh registration) */
  as?: Partial<Record<Caller, Auth | undefined>>
}

interface Row {
  method: HTTPMethods
  url: string
  /** a second row for the same route tests another kind of subject */
  variant?: string
  /** one status per caller, in the order of CALLERS */
  expect: number[]
  request(fx: MatrixFixtures, caller: Caller): Promise<CellRequest>
}

let n = 0
const unique = () => `${++n}${Math.random().toString(36).slice(2, 8)}`
const labels = (de: string) => ({ de, en: de, tr: de, ar: de })

const req = (url: string, payload?: unknown): CellRequest => ({ url, payload })
/** a request about the draft event, whose own scanner is the `scanner` of the cell */
const draft = (fx: MatrixFixtures, url: string, payload?: unknown): CellRequest => ({ url, payload, as: { scanner: fx.draft.scanner } })

// prettier-ignore
const MATRIX: Row[] = [
  //                                                                    anon  vis visO scan scanO exh exhO orgO org admin
  { method: 'GET', url: '/health/live', expect:                        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/health/live') },
  { method: 'GET', url: '/health/ready', expect:                       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/health/ready') },
  { method: 'GET', url: '/openapi.json', expect:                       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/openapi.json') },
  // The door app's files: public, the token lives in the page's storage, not in these requests.
  { method: 'GET', url: '/door', expect:                               [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/door') },
  { method: 'GET', url: '/door/sw.js', expect:                         [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/door/sw.js') },
  { method: 'GET', url: '/door/manifest.webmanifest', expect:          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/door/manifest.webmanifest') },
  { method: 'GET', url: '/door/assets/:file', expect:                  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req(await doorAsset()) },

  // auth and accounts
  { method: 'POST', url: '/v1/auth/login', expect:                     [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req('/v1/auth/login', fx.login) },
  { method: 'POST', url: '/v1/auth/magic-link', expect:                [202, 202, 202, 202, 202, 202, 202, 202, 202, 202], request: async (fx) => req('/v1/auth/magic-link', { email: fx.login.email }) },
  { method: 'POST', url: '/v1/auth/magic-link/verify', expect:         [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req('/v1/auth/magic-link/verify', { token: await fx.freshMagicLink() }) },
  { method: 'POST', url: '/v1/auth/logout', expect:                    [401, 403, 403, 403, 403, 204, 204, 204, 204, 204], request: async (fx, c) => ({ url: '/v1/auth/logout', as: { [c]: await fx.freshSession(c) } }) },
  { method: 'GET', url: '/v1/me', expect:                              [401, 403, 403, 403, 403, 200, 200, 200, 200, 200], request: async () => req('/v1/me') },
  { method: 'POST', url: '/v1/accounts', expect:                       [401, 403, 403, 403, 403, 403, 403, 403, 403, 201], request: async () => req('/v1/accounts', { email: `acc-${unique()}@example.org`, name: 'Neu', role: 'exhibitor' }) },
  { method: 'GET', url: '/v1/accounts', expect:                        [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async () => req('/v1/accounts?limit=5') },
  { method: 'PATCH', url: '/v1/accounts/:id', expect:                   [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async (fx) => req(`/v1/accounts/${fx.accounts.spareOrganizer.id}`, { language: 'de' }) },
  { method: 'POST', url: '/v1/accounts/:id/deactivate', expect:         [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async (fx) => req(`/v1/accounts/${(await fx.freshAccount()).id}/deactivate`) },
  { method: 'POST', url: '/v1/accounts/:id/reactivate', expect:         [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async (fx) => req(`/v1/accounts/${(await fx.freshAccount()).id}/reactivate`) },
  { method: 'POST', url: '/v1/accounts/:id/erase', expect:              [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async (fx) => req(`/v1/accounts/${(await fx.freshAccount()).id}/erase`) },
  // the own account: any account session, about itself only (there is no id to name another one)
  { method: 'PATCH', url: '/v1/me', expect:                             [401, 403, 403, 403, 403, 200, 200, 200, 200, 200], request: async () => req('/v1/me', { language: 'de' }) },
  // the same password again: a change ends the account's other sessions, never the one it is sent with
  { method: 'POST', url: '/v1/me/password', expect:                     [401, 403, 403, 403, 403, 204, 204, 204, 204, 204], request: async () => req('/v1/me/password', { currentPassword: 'correct horse battery', newPassword: 'correct horse battery' }) },
  { method: 'GET', url: '/v1/me/sessions', expect:                      [401, 403, 403, 403, 403, 200, 200, 200, 200, 200], request: async () => req('/v1/me/sessions') },
  { method: 'DELETE', url: '/v1/me/sessions/:loginId', expect:        [401, 403, 403, 403, 403, 204, 204, 204, 204, 204], request: async (fx, c) => req(`/v1/me/sessions/${await fx.freshSessionId(c)}`) },
  { method: 'DELETE', url: '/v1/me/sessions', expect:                   [401, 403, 403, 403, 403, 204, 204, 204, 204, 204], request: async () => req('/v1/me/sessions') },
  { method: 'GET', url: '/v1/me/personal-data', expect:                 [401, 403, 403, 403, 403, 200, 200, 200, 200, 200], request: async () => req('/v1/me/personal-data') },
  { method: 'POST', url: '/v1/me/erase', expect:                        [401, 403, 403, 403, 403, 202, 202, 202, 202, 202], request: async () => req('/v1/me/erase') },
  // the token in the body is the credential (of a fresh account each time); a bearer token beside it changes nothing
  { method: 'POST', url: '/v1/me/erase/confirm', expect:                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req('/v1/me/erase/confirm', { token: await fx.freshErasureToken() }) },

  // events
  { method: 'POST', url: '/v1/events', expect:                         [401, 403, 403, 403, 403, 403, 403, 403, 403, 201], request: async () => req('/v1/events', eventBody()) },
  { method: 'GET', url: '/v1/events', expect:                          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/v1/events') },
  { method: 'GET', url: '/v1/events/:eventId', expect:                 [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}`) },
  { method: 'PATCH', url: '/v1/events/:eventId', expect:               [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}`, { title: 'Vereinsmesse Dortmund A' }) },
  // a draft: nobody but its staff may know it exists, not even its own scanner
  { method: 'POST', url: '/v1/events/:eventId/publish', expect:        [401, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => { const f = await fx.freshEvent(false); return { url: `/v1/events/${f.event.id}/publish`, as: { scanner: f.scanner } } } },
  { method: 'POST', url: '/v1/events/:eventId/cancel', expect:         [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => { const f = await fx.freshEvent(); return { url: `/v1/events/${f.event.id}/cancel`, as: { scanner: f.scanner } } } },
  { method: 'GET', url: '/v1/events/:eventId/organizers', expect:      [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/organizers`) },
  { method: 'PUT', url: '/v1/events/:eventId/organizers/:accountId', expect:
                                                                       [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/organizers/${fx.accounts.spareOrganizer.id}`) },
  { method: 'DELETE', url: '/v1/events/:eventId/organizers/:accountId', expect:
                                                                       [401, 403, 403, 403, 403, 403, 403, 403, 403, 204], request: async (fx) => {
    await fx.s.inject('PUT', `/v1/events/${fx.eventA.id}/organizers/${fx.accounts.spareOrganizer.id}`, fx.accounts.admin.auth)
    return req(`/v1/events/${fx.eventA.id}/organizers/${fx.accounts.spareOrganizer.id}`)
  } },
  { method: 'GET', url: '/v1/events/:eventId/stats', expect:           [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stats`) },

  // email
  { method: 'POST', url: '/v1/events/:eventId/announcements', expect:  [401, 403, 403, 403, 403, 403, 403, 403, 202, 202], request: async (fx) => req(`/v1/events/${fx.eventA.id}/announcements`, { audience: 'exhibitors', subject: 'Aufbau', body: 'Der Aufbau beginnt um 8 Uhr.' }) },
  { method: 'GET', url: '/v1/events/:eventId/emails', expect:          [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/emails`) },

  // registrations: public to create; a registration is its token's and its event's staff's, unknown to everyone else
  { method: 'POST', url: '/v1/events/:eventId/registrations', expect:  [201, 201, 201, 201, 201, 201, 201, 201, 201, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/registrations`, { email: `reg-${unique()}@example.org`, name: 'Zeynep Kaya', consent: { privacy: true } }) },
  { method: 'GET', url: '/v1/events/:eventId/registrations', expect:   [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/registrations`) },
  { method: 'POST', url: '/v1/events/:eventId/registrations/resend', expect:
                                                                       [202, 202, 202, 202, 202, 202, 202, 202, 202, 202], request: async (fx) => req(`/v1/events/${fx.eventA.id}/registrations/resend`, { email: fx.registration.email }) },
  { method: 'GET', url: '/v1/registrations/:id', expect:               [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/registrations/${fx.registration.id}`) },
  { method: 'PATCH', url: '/v1/registrations/:id', expect:             [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/registrations/${fx.registration.id}`, { name: 'Guest Renamed' }) },
  { method: 'DELETE', url: '/v1/registrations/:id', expect:            [401, 204, 404, 404, 404, 404, 404, 404, 204, 204], request: async (fx) => { const r = await fx.freshRegistration(); return { url: `/v1/registrations/${r.id}`, as: { visitor: bearer(r.manageToken) } } } },
  { method: 'GET', url: '/v1/registrations/:id/calendar.ics', expect:  [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/registrations/${fx.registration.id}/calendar.ics`) },
  { method: 'GET', url: '/v1/registrations/:id/personal-data', expect: [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/registrations/${fx.registration.id}/personal-data`) },
  { method: 'POST', url: '/v1/registrations/:id/erase', expect:        [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => { const r = await fx.freshRegistration(); return { url: `/v1/registrations/${r.id}/erase`, as: { visitor: bearer(r.manageToken) } } } },

  // tickets: a visitor's ticket is its registration's; an exhibitor pass also its association's members'
  { method: 'GET', url: '/v1/tickets/:ticketId/qr.png', expect:        [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/tickets/${fx.registration.ticket.id}/qr.png`) },
  { method: 'GET', url: '/v1/tickets/:ticketId/qr.svg', expect:        [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/tickets/${fx.registration.ticket.id}/qr.svg`) },
  { method: 'GET', url: '/v1/tickets/:ticketId/qr.png', variant: 'an exhibitor pass', expect:
                                                                       [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/tickets/${fx.passX.id}/qr.png`) },
  { method: 'GET', url: '/v1/tickets/:ticketId/qr.svg', variant: 'an exhibitor pass', expect:
                                                                       [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/tickets/${fx.passX.id}/qr.svg`) },

  // the door
  { method: 'POST', url: '/v1/events/:eventId/scanners', expect:       [401, 403, 403, 403, 403, 403, 403, 403, 201, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/scanners`, { label: `Phone ${unique()}`, gate: 'West' }) },
  { method: 'GET', url: '/v1/events/:eventId/scanners', expect:        [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/scanners`) },
  // a scanner is only its event's staff's business: everyone else, its sibling devices too, gets the 404 of an unknown id
  { method: 'DELETE', url: '/v1/scanners/:id', expect:                 [401, 404, 404, 404, 404, 404, 404, 404, 204, 204], request: async (fx) => req(`/v1/scanners/${(await fx.freshScanner()).id}`) },
  { method: 'POST', url: '/v1/events/:eventId/checkins', expect:       [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/checkins`, { code: fx.registration.ticket.code, nonce: `n-${unique()}` }) },
  { method: 'POST', url: '/v1/events/:eventId/checkins/batch', expect: [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/checkins/batch`, { scans: [{ code: fx.otherRegistration.ticket.code, direction: 'entry', scannedAt: new Date().toISOString(), nonce: `b-${unique()}` }] }) },
  { method: 'POST', url: '/v1/sessions/:sessionId/checkins', expect:   [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}/checkins`, { code: fx.registration.ticket.code, nonce: `r-${unique()}` }) },
  { method: 'POST', url: '/v1/sessions/:sessionId/checkins/batch', expect:
                                                                      [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}/checkins/batch`, { scans: [{ code: fx.otherRegistration.ticket.code, scannedAt: new Date().toISOString(), nonce: `rb-${unique()}` }] }) },
  { method: 'GET', url: '/v1/events/:eventId/occupancy', expect:       [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/occupancy`) },
  { method: 'GET', url: '/v1/events/:eventId/checkin-snapshot', expect:[401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/checkin-snapshot`) },
  { method: 'GET', url: '/v1/events/:eventId/attendees', expect:       [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/attendees?q=guest`) },

  // the same routes on a draft: only its staff (and, at the door, its own scanner) may know it exists
  { method: 'GET', url: '/v1/events/:eventId', variant: 'a draft', expect:            [404, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}`) },
  { method: 'PATCH', url: '/v1/events/:eventId', variant: 'a draft', expect:          [401, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}`, { title: 'Entwurf' }) },
  { method: 'GET', url: '/v1/events/:eventId/stats', variant: 'a draft', expect:      [401, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/stats`) },
  { method: 'GET', url: '/v1/events/:eventId/occupancy', variant: 'a draft', expect:  [401, 404, 404, 200, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/occupancy`) },
  { method: 'GET', url: '/v1/events/:eventId/attendees', variant: 'a draft', expect:  [401, 404, 404, 200, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/attendees?q=gu`) },
  { method: 'GET', url: '/v1/events/:eventId/stands', variant: 'a draft', expect:     [404, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/stands`) },
  { method: 'GET', url: '/v1/events/:eventId/exhibitors', variant: 'a draft', expect: [404, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/exhibitors`) },
  { method: 'GET', url: '/v1/events/:eventId/stand-bookings', variant: 'a draft', expect:
                                                                                      [401, 403, 403, 403, 403, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/stand-bookings`) },
  { method: 'GET', url: '/v1/events/:eventId/registrations', variant: 'a draft', expect:
                                                                                      [401, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => draft(fx, `/v1/events/${fx.draft.event.id}/registrations`) },
  { method: 'POST', url: '/v1/sessions/:sessionId/checkins', variant: 'a draft session', expect:
                                                                                      [401, 404, 404, 404, 404, 404, 404, 404, 404, 404], request: async (fx) => req(`/v1/sessions/${fx.draftSessionA.id}/checkins`, { code: fx.registration.ticket.code }) },
  // events by slug: the same answers, the scanner's short cut included
  { method: 'POST', url: '/v1/events/:eventId/checkins', variant: 'by slug', expect:  [401, 403, 403, 200, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.slug}/checkins`, { code: fx.registration.ticket.code, direction: 'exit', nonce: `s-${unique()}` }) },
  { method: 'GET', url: '/v1/events/:eventId/stats', variant: 'by slug', expect:      [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.slug}/stats`) },

  // associations
  { method: 'GET', url: '/v1/vocabularies', expect:                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/v1/vocabularies') },
  { method: 'POST', url: '/v1/vocabularies/:kind', expect:             [401, 403, 403, 403, 403, 403, 403, 403, 403, 201], request: async () => req('/v1/vocabularies/targetGroups', { key: `gruppe-${unique()}`, labels: labels('Gruppe') }) },
  { method: 'PATCH', url: '/v1/vocabularies/:kind/:key', expect:       [401, 403, 403, 403, 403, 403, 403, 403, 403, 200], request: async () => req('/v1/vocabularies/fieldsOfActivity/culture', { labels: { de: 'Kultur', en: 'Culture', tr: 'Kültür', ar: 'ثقافة' } }) },
  { method: 'POST', url: '/v1/associations', expect:                   [201, 201, 201, 201, 201, 201, 201, 201, 201, 201], request: async () => req('/v1/associations', signUpBody()) },
  { method: 'GET', url: '/v1/associations', expect:                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async () => req('/v1/associations') },
  { method: 'GET', url: '/v1/associations/:id', expect:                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/associations/${fx.associationX.id}`) },
  { method: 'PATCH', url: '/v1/associations/:id', expect:              [401, 403, 403, 403, 403, 200, 403, 403, 403, 200], request: async (fx) => req(`/v1/associations/${fx.associationX.id}`, { description: 'Musik und Nachbarschaft.' }) },
  { method: 'GET', url: '/v1/associations/:id/members', expect:        [401, 403, 403, 403, 403, 200, 403, 403, 403, 200], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/members`) },
  { method: 'POST', url: '/v1/associations/:id/members', expect:       [401, 403, 403, 403, 403, 201, 403, 403, 403, 201], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/members`, { email: `member-${unique()}@example.org`, name: 'Emre Demir' }) },
  { method: 'DELETE', url: '/v1/associations/:id/members/:accountId', expect:
                                                                       [401, 403, 403, 403, 403, 204, 403, 403, 403, 204], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/members/${await fx.freshMemberX()}`) },
  { method: 'POST', url: '/v1/associations/:id/contact', expect:        [401, 403, 403, 403, 403, 200, 403, 403, 403, 200], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/contact`, { accountId: fx.accounts.exhibitor.id }) },
  { method: 'GET', url: '/v1/events/:eventId/exhibitors', expect:      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/exhibitors`) },
  { method: 'GET', url: '/v1/events/:eventId/matches', expect:         [401, 403, 403, 403, 403, 200, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/matches?associationId=${fx.associationX.id}`) },
  // the token in the body is the credential; a bearer token beside it changes nothing
  { method: 'POST', url: '/v1/co-exhibitors/confirm', expect:          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req('/v1/co-exhibitors/confirm', { token: await fx.freshCoExhibitorToken() }) },
  { method: 'POST', url: '/v1/co-exhibitors/decline', expect:          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req('/v1/co-exhibitors/decline', { token: await fx.freshCoExhibitorToken() }) },

  // stands: public to read, so someone who may not change one gets 403
  { method: 'POST', url: '/v1/events/:eventId/stands', expect:         [401, 403, 403, 403, 403, 403, 403, 403, 201, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stands`, { code: `M${unique()}` }) },
  { method: 'GET', url: '/v1/events/:eventId/stands', expect:          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stands`) },
  { method: 'POST', url: '/v1/events/:eventId/stands/import', expect:  [401, 403, 403, 403, 403, 403, 403, 403, 201, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stands/import`, [{ code: `I${unique()}`, area: 'Halle 2' }]) },
  // the program (rooms, sessions, reservations)
  { method: 'POST', url: '/v1/events/:eventId/rooms', expect:          [401, 403, 403, 403, 403, 403, 403, 403, 201, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/rooms`, { name: `Raum ${unique()}`, capacity: 10 }) },
  { method: 'GET', url: '/v1/events/:eventId/rooms', expect:           [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/rooms`) },
  { method: 'PATCH', url: '/v1/rooms/:roomId', expect:                 [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/rooms/${fx.roomA.id}`, { notes: 'Beamer' }) },
  { method: 'DELETE', url: '/v1/rooms/:roomId', expect:                [401, 403, 403, 403, 403, 403, 403, 403, 204, 204], request: async (fx) => req(`/v1/rooms/${(await fx.freshRoom()).id}`) },
  { method: 'POST', url: '/v1/events/:eventId/sessions', expect:       [401, 403, 403, 403, 403, 403, 403, 403, 201, 201], request: async (fx) => { const room = await fx.freshRoom(); return req(`/v1/events/${fx.eventA.id}/sessions`, { title: 'Talk', kind: 'talk', topics: [], languages: ['en'], roomId: room.id, startsAt: fx.eventA.startsAt, endsAt: fx.eventA.endsAt }) } },
  { method: 'GET', url: '/v1/events/:eventId/sessions', expect:        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/sessions?limit=5`) },
  { method: 'GET', url: '/v1/events/:eventId/program.ics', expect:     [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/program.ics`) },
  { method: 'GET', url: '/v1/sessions/:sessionId', expect:             [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}`) },
  { method: 'GET', url: '/v1/sessions/:sessionId', variant: 'draft', expect: [404, 404, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/sessions/${(await fx.freshProgramSession(false)).id}`) },
  { method: 'PATCH', url: '/v1/sessions/:sessionId', expect:           [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}`, { description: 'Mit Dolmetschung' }) },
  { method: 'POST', url: '/v1/sessions/:sessionId/publish', expect:    [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${(await fx.freshProgramSession(false)).id}/publish`) },
  { method: 'POST', url: '/v1/sessions/:sessionId/cancel', expect:     [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${(await fx.freshProgramSession()).id}/cancel`) },
  { method: 'GET', url: '/v1/sessions/:sessionId/reservations', expect: [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}/reservations`) },
  { method: 'GET', url: '/v1/sessions/:sessionId/stats', expect:       [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/sessions/${fx.sessionA.id}/stats`) },
  { method: 'POST', url: '/v1/registrations/:id/sessions/:sessionId', expect: [401, 201, 404, 404, 404, 404, 404, 404, 201, 201], request: async (fx) => req(`/v1/registrations/${fx.registration.id}/sessions/${(await fx.freshProgramSession()).id}`) },
  { method: 'GET', url: '/v1/registrations/:id/sessions', expect:      [401, 200, 404, 404, 404, 404, 404, 404, 200, 200], request: async (fx) => req(`/v1/registrations/${fx.registration.id}/sessions`) },
  { method: 'DELETE', url: '/v1/registrations/:id/sessions/:sessionId', expect: [401, 204, 404, 404, 404, 404, 404, 404, 204, 204], request: async (fx) => {
    const r = await fx.freshRegistration()
    const session = await fx.freshProgramSession()
    must(await fx.s.inject('POST', `/v1/registrations/${r.id}/sessions/${session.id}`, bearer(r.manageToken)), 201)
    return { url: `/v1/registrations/${r.id}/sessions/${session.id}`, as: { visitor: bearer(r.manageToken) } }
  } },
  { method: 'PATCH', url: '/v1/stands/:standId', expect:               [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/stands/${fx.standX.id}`, { area: 'Halle 1' }) },
  { method: 'DELETE', url: '/v1/stands/:standId', expect:              [401, 403, 403, 403, 403, 403, 403, 403, 204, 204], request: async (fx) => req(`/v1/stands/${(await fx.freshStand()).id}`) },

  // stand bookings: an association's business and its event's staff's; unknown to everyone else
  { method: 'POST', url: '/v1/events/:eventId/stand-bookings', expect: [401, 403, 403, 403, 403, 201, 403, 403, 403, 201], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stand-bookings`, { associationId: (await fx.freshAssociation()).id }) },
  { method: 'GET', url: '/v1/events/:eventId/stand-bookings', expect:  [401, 403, 403, 403, 403, 200, 200, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/stand-bookings`) },
  { method: 'GET', url: '/v1/stand-bookings/:id', expect:              [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${fx.bookingX.id}`) },
  { method: 'POST', url: '/v1/stand-bookings/:id/approve', expect:     [401, 404, 404, 404, 404, 403, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${(await fx.freshBooking()).id}/approve`, { standId: (await fx.freshStand()).id }) },
  { method: 'POST', url: '/v1/stand-bookings/:id/reject', expect:      [401, 404, 404, 404, 404, 403, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${(await fx.freshBooking()).id}/reject`, { reason: 'Kein Platz mehr.' }) },
  { method: 'POST', url: '/v1/stand-bookings/:id/waitlist', expect:    [401, 404, 404, 404, 404, 403, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${(await fx.freshBooking()).id}/waitlist`, {}) },
  { method: 'DELETE', url: '/v1/stand-bookings/:id', expect:           [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${(await fx.freshBooking()).id}`) },
  { method: 'GET', url: '/v1/stand-bookings/:id/passes', expect:       [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/stand-bookings/${fx.bookingX.id}/passes`) },
  { method: 'GET', url: '/v1/events/:eventId/meeting-slots', expect:    [401, 403, 403, 403, 403, 200, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/meeting-slots?associationId=${fx.associationX.id}`) },
  { method: 'POST', url: '/v1/events/:eventId/meetings', expect:        [401, 403, 403, 403, 403, 201, 403, 403, 403, 403], request: async (fx) => req(`/v1/events/${fx.eventA.id}/meetings`, { fromAssociationId: fx.associationX.id, toAssociationId: (await fx.freshExhibitor()).id }) },
  { method: 'POST', url: '/v1/meetings/:id/accept', expect:             [401, 403, 403, 403, 403, 200, 404, 404, 404, 404], request: async (fx) => req(`/v1/meetings/${(await fx.freshMeeting()).id}/accept`, {}) },
  { method: 'POST', url: '/v1/meetings/:id/decline', expect:            [401, 403, 403, 403, 403, 200, 404, 404, 404, 404], request: async (fx) => req(`/v1/meetings/${(await fx.freshMeeting()).id}/decline`, { reason: 'Keine Zeit' }) },
  { method: 'POST', url: '/v1/meetings/:id/reschedule', expect:         [401, 403, 403, 403, 403, 200, 404, 404, 404, 404], request: async (fx) => req(`/v1/meetings/${(await fx.freshMeeting('accepted')).id}/reschedule`, { startsAt: fx.meetingSlot }) },
  { method: 'POST', url: '/v1/meetings/:id/held', expect:               [401, 403, 403, 403, 403, 200, 404, 404, 404, 404], request: async (fx) => req(`/v1/meetings/${(await fx.freshMeeting('scheduled')).id}/held`, {}) },
  { method: 'DELETE', url: '/v1/meetings/:id', expect:                  [401, 403, 403, 403, 403, 200, 404, 404, 404, 404], request: async (fx) => req(`/v1/meetings/${(await fx.freshMeeting()).id}`) },
  { method: 'GET', url: '/v1/associations/:id/meetings', expect:        [401, 403, 403, 403, 403, 200, 403, 403, 403, 403], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/meetings?eventId=${fx.eventA.id}`) },
  { method: 'GET', url: '/v1/associations/:id/agenda.ics', expect:      [401, 403, 403, 403, 403, 200, 403, 403, 403, 403], request: async (fx) => req(`/v1/associations/${fx.associationX.id}/agenda.ics?eventId=${fx.eventA.id}`) },
  { method: 'POST', url: '/v1/events/:eventId/meetings/schedule', expect: [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/meetings/schedule`) },
  { method: 'GET', url: '/v1/events/:eventId/meetings/stats', expect:   [401, 403, 403, 403, 403, 403, 403, 403, 200, 200], request: async (fx) => req(`/v1/events/${fx.eventA.id}/meetings/stats`) },
  { method: 'PATCH', url: '/v1/passes/:ticketId', expect:              [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/passes/${fx.passX.id}`, { holderName: 'Fatma Öztürk' }) },
  { method: 'POST', url: '/v1/passes/:ticketId/revoke', expect:        [401, 404, 404, 404, 404, 200, 404, 404, 200, 200], request: async (fx) => req(`/v1/passes/${(await fx.freshPass()).id}/revoke`) },
]

/**
 * Routes not in the matrix, and why:
 * - /docs and everything under it: @fastify/swagger-ui's static pages of the interactive documentation, public
 *   by design and holding nothing but the same OpenAPI document that GET /openapi.json (a row) serves.
 * - HEAD routes: Fastify adds one to every GET (exposeHeadRoutes), running the GET's handler and hooks; every
 *   GET row is sent as HEAD too and must answer the same status.
 */
const isExcluded = (method: string, url: string) => url === '/docs' || url.startsWith('/docs/') || method === 'HEAD'

const EXPECTED_PROBLEM: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' }

/**
 * Every (method, url) the router knows. Fastify 5 has no public list of routes and buildApp registers them before
 * it returns (too late for an onRoute hook), so this reads `printRoutes()`' tree and checks each entry back with
 * `hasRoute()`: a line the parser misreads fails the test instead of silently dropping a route.
 */
function appRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!m) throw new Error(`printRoutes line not understood: ${JSON.stringify(line)}`)
    const depth = m[1].length / 4
    stack.length = depth
    stack.push(m[2])
    const url = stack.join('')
    for (const method of m[3]?.split(', ') ?? []) {
      // the wildcard of @fastify/swagger-ui's static files is not one hasRoute() matches by its pattern
      if (isExcluded(method, url) && url.startsWith('/docs')) {
        routes.push({ method, url })
        continue
      }
      if (!app.hasRoute({ method: method as HTTPMethods, url })) throw new Error(`parsed ${method} ${url}, which the router does not know`)
      routes.push({ method, url })
    }
  }
  return routes
}

const key = (method: string, url: string) => `${method} ${url}`

/** What the matrix lacks for the routes served: a route without a row, a row without a route, a row of the wrong width. */
function matrixGaps(served: { method: string; url: string }[], matrix: Row[]): string[] {
  const gaps: string[] = []
  const rows = new Set(matrix.map((r) => key(r.method, r.url)))
  const gets = new Set(served.filter((r) => r.method === 'GET').map((r) => r.url))
  for (const { method, url } of served) {
    if (method === 'HEAD' && !gets.has(url) && !isExcluded('GET', url)) gaps.push(`HEAD ${url} has no GET`)
    if (isExcluded(method, url)) continue
    if (!rows.has(key(method, url))) gaps.push(`${method} ${url} has no row in the authorisation matrix`)
  }
  const servedKeys = new Set(served.map((r) => key(r.method, r.url)))
  for (const row of rows) if (!servedKeys.has(row)) gaps.push(`${row} is a row but not a route of the app`)
  for (const row of matrix) if (row.expect.length !== CALLERS.length) gaps.push(`${row.method} ${row.url} has ${row.expect.length} statuses`)
  return gaps
}

t.test('the matrix has a row for every route of the app, and none for a route it lacks', async (t) => {
  const { app } = await build(t)
  const served = appRoutes(app)
  t.ok(served.filter((r) => !isExcluded(r.method, r.url)).length >= 68, `found ${served.length} routes`)
  t.same(matrixGaps(served, MATRIX), [], 'no route without a row, no row without a route')
  // The check can fail: a route the table forgets, and one the app no longer has, are both named.
  const forgotten = MATRIX.find((r) => r.url === '/v1/passes/:ticketId/revoke')!
  t.same(matrixGaps(served, MATRIX.filter((r) => r !== forgotten)), ['POST /v1/passes/:ticketId/revoke has no row in the authorisation matrix'])
  const stale = { ...forgotten, url: '/v1/passes/:ticketId/unrevoke' }
  t.same(matrixGaps(served, [...MATRIX, stale]), ['POST /v1/passes/:ticketId/unrevoke is a row but not a route of the app'])
})

t.test('every route answers every caller as the contract says', async (t) => {
  const started = Date.now()
  const fx = await matrixFixtures(t)
  const app = fx.s.ctx.app
  let cells = 0
  const wrong: string[] = []

  const send = async (method: HTTPMethods, row: Row, caller: Caller, expected: number) => {
    const cell = await row.request(fx, caller)
    const auth = cell.as && caller in cell.as ? cell.as[caller] : fx.auth[caller]
    const res = await app.inject({
      method,
      url: cell.url,
      headers: { ...cell.headers, ...auth },
      ...(cell.payload === undefined ? {} : { payload: cell.payload as object }),
    })
    cells++
    const label = `${method} ${row.url}${row.variant ? ` (${row.variant})` : ''} as ${caller}`
    if (res.statusCode !== expected) {
      wrong.push(`${label}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`)
      return
    }
    const code = EXPECTED_PROBLEM[expected]
    if (code && method !== 'HEAD') {
      const body = res.json()
      if (!String(res.headers['content-type']).startsWith('application/problem+json') || body.code !== code) {
        wrong.push(`${label}: ${expected} without problem+json code ${code}: ${res.body.slice(0, 200)}`)
      }
    }
  }

  for (const row of MATRIX) {
    // CALLERS ends with the organizer and the admin: the callers allowed to change things go last.
    for (const [i, caller] of CALLERS.entries()) {
      await send(row.method, row, caller, row.expect[i])
      if (row.method === 'GET') await send('HEAD', row, caller, row.expect[i])
    }
  }
  t.same(wrong, [], 'every cell answers its expected status (the list holds the cells that did not)')
  const routes = new Set(MATRIX.map((r) => key(r.method, r.url))).size
  t.comment(`authorisation matrix: ${MATRIX.length} rows (${routes} routes) × ${CALLERS.length} callers, ${cells} requests (GET rows sent as HEAD too) in ${Date.now() - started} ms`)
})

// GET /v1/associations/:id answers everyone, but the private fields (contact address and phone, register number)
// only to X's members, admins and organizers of an event X has a booking at (A): least privilege, issue #19.
t.test('the private fields of an association: which callers see them', async (t) => {
  const fx = await matrixFixtures(t)
  //                  anon   vis    visO   scan   scanO  exh   exhO   orgO   org   admin
  const expected = [false, false, false, false, false, true, false, false, true, true]
  for (const [i, caller] of CALLERS.entries()) {
    const res = await fx.s.ctx.app.inject({ method: 'GET', url: `/v1/associations/${fx.associationX.id}`, headers: { ...fx.auth[caller] } })
    t.equal(res.statusCode, 200, caller)
    const body = res.json()
    t.equal(['contactEmail', 'contactPhone', 'registerNumber'].every((k) => k in body), expected[i], `${caller}: private fields ${expected[i] ? 'shown' : 'hidden'}`)
    if (!expected[i]) t.notOk('contactEmail' in body || 'contactPhone' in body || 'registerNumber' in body, `${caller}: none of them`)
  }
})

t.test('losing a role takes effect on the very next request: nothing about it is cached with the session', async (t) => {
  const fx = await matrixFixtures(t)
  const { inject } = fx.s
  const organizer = fx.accounts.organizer
  const exhibitor = fx.accounts.exhibitor
  must(await inject('GET', `/v1/events/${fx.eventA.id}/registrations`, organizer.auth), 200)
  must(await inject('GET', `/v1/stand-bookings/${fx.bookingX.id}`, exhibitor.auth), 200)

  must(await inject('DELETE', `/v1/events/${fx.eventA.id}/organizers/${organizer.id}`, fx.accounts.admin.auth), 204)
  t.equal((await inject('GET', `/v1/events/${fx.eventA.id}/registrations`, organizer.auth)).statusCode, 403, 'a removed organizer: 403 on the event')
  t.equal((await inject('GET', `/v1/registrations/${fx.registration.id}`, organizer.auth)).statusCode, 404, 'and its registrations are unknown to them')
  t.equal((await inject('POST', `/v1/events/${fx.eventA.id}/checkins`, organizer.auth, { code: fx.registration.ticket.code })).statusCode, 403, 'and its door')

  // X's contact is someone else, so the member may leave: removed by an admin through the route
  must(await inject('POST', `/v1/associations/${fx.associationX.id}/contact`, fx.accounts.admin.auth, { accountId: await fx.freshMemberX() }), 200)
  must(await inject('DELETE', `/v1/associations/${fx.associationX.id}/members/${exhibitor.id}`, fx.accounts.admin.auth), 204)
  t.equal((await inject('GET', `/v1/stand-bookings/${fx.bookingX.id}`, exhibitor.auth)).statusCode, 404, 'a former member: the booking is unknown')
  t.equal((await inject('PATCH', `/v1/associations/${fx.associationX.id}`, exhibitor.auth, { description: 'Nicht mehr.' })).statusCode, 403, 'the profile is not theirs to change')
  t.equal((await inject('PATCH', `/v1/passes/${fx.passX.id}`, exhibitor.auth, { holderName: 'Niemand' })).statusCode, 404, 'nor the passes')
})
