import t, { type Test } from 'tap'
import { eq } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { events, magicLinks, scanners, sessions } from '../../src/db/schema.js'
import { hashToken, newToken } from '../../src/features/auth/tokens.js'
import { SCANNER_TOKEN_TTL_MS } from '../../src/features/checkin/scanners.service.js'
import { eraseExpiredRegistrations } from '../../src/features/registrations/privacy.service.js'
import { bearer, doorSetup, must, type Door } from '../helpers/door.js'

// Dead and bad credentials (issue #7 item 2): expired, revoked, malformed and wrong-prefix tokens of every kind
// are refused with 401 `unauthenticated` (API.md "Errors", "Credentials"), as problem+json with
// `WWW-Authenticate: Bearer`, on every kind of route: a dead token is reported even where no token is needed.
// Each token is first shown to work, so that a 401 afterwards is about the token and nothing else.

type Header = Record<string, string>

/** 401 unauthenticated as problem+json, with WWW-Authenticate (one line per check, named by `what`). */
function refused(t: Test, res: LightMyRequestResponse, what: string) {
  const body = res.statusCode === 401 ? res.json() : { code: res.body.slice(0, 200) }
  t.equal(res.statusCode, 401, `${what}: 401`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
  t.match(body, { code: 'unauthenticated', status: 401, type: 'urn:vereinsmesse:problem:unauthenticated' }, `${what}: code unauthenticated`)
  t.equal(res.headers['www-authenticate'], 'Bearer', `${what}: WWW-Authenticate names the scheme`)
}

/** A route of each kind, with the status a live credential of the right kind gets there. */
function probes(d: Door, eventId: string, registrationId: string) {
  return [
    { what: 'a public route', send: (h?: Header) => d.inject('GET', '/v1/events', h) },
    { what: 'an account route', send: (h?: Header) => d.inject('GET', '/v1/me', h) },
    { what: 'a door route', send: (h?: Header) => d.inject('GET', `/v1/events/${eventId}/occupancy`, h) },
    { what: 'a registration route', send: (h?: Header) => d.inject('GET', `/v1/registrations/${registrationId}`, h) },
  ]
}

/** The same 43 random characters behind another prefix: the hash covers the whole token, prefix included. */
const swapPrefix = (token: string, prefix: string) => prefix + token.slice(4)

t.test('malformed Authorization headers and wrong prefixes are 401 on every kind of route', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const guest = await d.register(fair.id)
  const scanner = await d.scanner(fair.id)
  const session = d.organizer.token
  const live = [session, scanner.token, guest.manageToken]

  const malformed: [string, string][] = [
    ['Bearer', 'no token'],
    ['Bearer ', 'an empty token'],
    [`Bearer  ${session}`, 'two spaces'],
    [`Bearer ${session} extra`, 'a second word'],
    [session, 'no scheme'],
    [`Basic ${Buffer.from('admin:secret').toString('base64')}`, 'Basic instead of Bearer'],
    [`Token ${session}`, 'another scheme'],
    ['Bearer vms_short', 'too short'],
    [`Bearer ${session}x`, 'one character too many'],
    [`Bearer ${session.slice(0, -1)}`, 'one character too few'],
    [`Bearer ${session.slice(0, -1)}!`, 'a character outside base64url'],
    [`Bearer ${session.slice(0, -1)}=`, 'base64 padding'],
    [`Bearer ${session.slice(0, 10)}\u0130${session.slice(11)}`, 'a non-ASCII character'],
    [`Bearer ${swapPrefix(session, 'VMS_')}`, 'an upper-case prefix'],
    [`Bearer ${swapPrefix(session, 'vmx_')}`, 'an unknown prefix'],
    [`Bearer ${swapPrefix(session, 'vms-')}`, 'a hyphen for the underscore'],
    [`Bearer ${swapPrefix(session, 'vml_')}`, 'a magic-link prefix (vml_ is no bearer token)'],
    [`Bearer ${session.slice(4)}`, 'no prefix'],
  ]
  // every one of the live tokens with another kind's prefix
  for (const token of live) {
    for (const prefix of ['vms_', 'vmd_', 'vmr_']) {
      if (token.startsWith(prefix)) continue
      malformed.push([`Bearer ${swapPrefix(token, prefix)}`, `a ${token.slice(0, 4)} token as ${prefix}`])
    }
  }
  for (const token of [newToken('vms_').token, newToken('vmd_').token, newToken('vmr_').token]) {
    malformed.push([`Bearer ${token}`, `a well-formed ${token.slice(0, 4)} token never issued`])
  }

  for (const probe of probes(d, fair.id, guest.id)) {
    for (const [header, what] of malformed) refused(t, await probe.send({ authorization: header }), `${probe.what}: ${what}`)
  }

  // the live tokens themselves work, also with the scheme in another case (RFC 9110: case-insensitive)
  t.equal((await d.inject('GET', '/v1/me', { authorization: `bearer ${session}` })).statusCode, 200, 'bearer, lower case')
  t.equal((await d.inject('GET', `/v1/events/${fair.id}/occupancy`, { authorization: `BEARER ${scanner.token}` })).statusCode, 200, 'BEARER')
  t.equal((await d.inject('GET', `/v1/registrations/${guest.id}`, bearer(guest.manageToken))).statusCode, 200, 'the manage token')
})

t.test('sessions (vms_): expired and revoked ones are refused', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const guest = await d.register(fair.id)
  const expiring = await d.ctx.account('organizer')
  const loggingOut = await d.ctx.account('exhibitor')
  for (const a of [expiring, loggingOut]) must(await d.inject('GET', '/v1/me', a.auth), 200)

  await d.ctx.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.tokenHash, hashToken(expiring.token)))
  for (const probe of probes(d, fair.id, guest.id)) refused(t, await probe.send(expiring.auth), `expired session, ${probe.what}`)

  must(await d.inject('POST', '/v1/auth/logout', loggingOut.auth), 204)
  for (const probe of probes(d, fair.id, guest.id)) refused(t, await probe.send(loggingOut.auth), `logged-out session, ${probe.what}`)
  refused(t, await d.inject('POST', '/v1/auth/logout', loggingOut.auth), 'logging out twice')

  // the account's other sessions live on
  const again = must(await d.inject('POST', '/v1/auth/login', undefined, { email: loggingOut.email, password: 'correct horse battery' }), 200)
  must(await d.inject('GET', '/v1/me', bearer(again.token)), 200)
})

t.test('scanners (vmd_): a revoked scanner is refused at once here, and by every other process within the TTL', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const guest = await d.register(fair.id)
  const lost = await d.scanner(fair.id, { label: 'Lost phone' })
  const elsewhere = await d.scanner(fair.id, { label: 'Revoked by another API process' })
  for (const s of [lost, elsewhere]) must(await d.inject('GET', `/v1/events/${fair.id}/occupancy`, s.auth), 200)

  must(await d.inject('DELETE', `/v1/scanners/${lost.id}`, d.organizer.auth), 204)
  for (const probe of probes(d, fair.id, guest.id)) refused(t, await probe.send(lost.auth), `revoked scanner, ${probe.what}`)
  refused(t, await d.checkin(fair.id, lost.auth, { code: guest.ticket.code }), 'revoked scanner scanning')
  refused(t, await d.batch(fair.id, lost.auth, [{ code: guest.ticket.code, scannedAt: new Date().toISOString() }]), 'revoked scanner uploading')

  // Revoked in the database by another process: this one may trust a token it resolved for SCANNER_TOKEN_TTL_MS
  // (the cache entry dates from the last lookup, before the revocation), and not a moment longer.
  const revokedAt = Date.now()
  await d.ctx.db.update(scanners).set({ revokedAt: new Date() }).where(eq(scanners.id, elsewhere.id))
  await new Promise((r) => setTimeout(r, revokedAt + SCANNER_TOKEN_TTL_MS + 50 - Date.now()))
  refused(t, await d.inject('GET', `/v1/events/${fair.id}/occupancy`, elsewhere.auth), `scanner revoked by another process, after ${SCANNER_TOKEN_TTL_MS} ms`)
  refused(t, await d.checkin(fair.id, elsewhere.auth, { code: guest.ticket.code }), 'and scanning with it')
  // a scanner has no expiry of its own: the organizers revoke it (docs: "a lost phone")
})

t.test('manage tokens (vmr_): erased and past-retention registrations refuse theirs; a cancelled one keeps it', async (t) => {
  const d = await doorSetup(t)
  const fair = await d.event()
  const erased = await d.register(fair.id)
  const cancelled = await d.register(fair.id)
  const bystander = await d.register(fair.id)
  for (const r of [erased, cancelled]) must(await d.inject('GET', `/v1/registrations/${r.id}`, bearer(r.manageToken)), 200)

  // An Idempotency-Key replay hands out a second manage token of one registration: erasing revokes both.
  const twice = { email: 'twice@example.org', name: 'Two Links', consent: { privacy: true } }
  const first = must(await d.inject('POST', `/v1/events/${fair.id}/registrations`, { 'idempotency-key': 'k-1' }, twice), 201)
  const second = must(await d.inject('POST', `/v1/events/${fair.id}/registrations`, { 'idempotency-key': 'k-1' }, twice), 201)
  t.equal(second.id, first.id, 'the replay is the same registration')
  t.not(second.manageToken, first.manageToken, 'with a token of its own')
  must(await d.inject('GET', `/v1/registrations/${first.id}`, bearer(second.manageToken)), 200)
  must(await d.inject('POST', `/v1/registrations/${first.id}/erase`, bearer(first.manageToken)), 200)
  for (const token of [first.manageToken, second.manageToken]) refused(t, await d.inject('GET', `/v1/registrations/${first.id}`, bearer(token)), 'an erased registration, each of its tokens')

  must(await d.inject('POST', `/v1/registrations/${erased.id}/erase`, bearer(erased.manageToken)), 200)
  for (const probe of probes(d, fair.id, erased.id)) refused(t, await probe.send(bearer(erased.manageToken)), `erased registration, ${probe.what}`)
  for (const path of ['', '/calendar.ics', '/personal-data']) {
    refused(t, await d.inject('GET', `/v1/registrations/${erased.id}${path}`, bearer(erased.manageToken)), `erased registration, GET ${path || '/'}`)
  }
  refused(t, await d.inject('GET', `/v1/tickets/${erased.ticket.id}/qr.svg`, bearer(erased.manageToken)), 'erased registration, its QR code')

  // cancelling is not revoking: the holder may still read (and export, erase) what is left
  must(await d.inject('DELETE', `/v1/registrations/${cancelled.id}`, bearer(cancelled.manageToken)), 204)
  t.equal(must(await d.inject('GET', `/v1/registrations/${cancelled.id}`, bearer(cancelled.manageToken)), 200).status, 'cancelled')

  // "Expired": the retention job erases the registrations of an event once its retention has run out.
  const past = await d.event({ retentionDays: 1 })
  const visitor = await d.register(past.id)
  must(await d.inject('GET', `/v1/registrations/${visitor.id}`, bearer(visitor.manageToken)), 200)
  const [row] = await d.ctx.db.select().from(events).where(eq(events.id, past.id))
  const afterRetention = new Date(row.endsAt.getTime() + 2 * 24 * 60 * 60 * 1000)
  t.ok((await eraseExpiredRegistrations(d.ctx.db, afterRetention)) >= 1, 'the retention job erased it')
  for (const probe of probes(d, past.id, visitor.id)) refused(t, await probe.send(bearer(visitor.manageToken)), `past retention, ${probe.what}`)
  // everyone else keeps theirs: the event still within its retention, and registrations never erased
  must(await d.inject('GET', `/v1/registrations/${bystander.id}`, bearer(bystander.manageToken)), 200)
})

t.test('magic links (vml_): expired, used, malformed and wrong-prefix tokens are refused, and none is a bearer token', async (t) => {
  const d = await doorSetup(t)
  const account = await d.ctx.account('exhibitor')
  const link = async (expiresAt = new Date(Date.now() + 10 * 60_000)) => {
    const { token, hash } = newToken('vml_')
    await d.ctx.db.insert(magicLinks).values({ accountId: account.id, tokenHash: hash, expiresAt })
    return token
  }
  const verify = (token: string, headers?: Header) => d.inject('POST', '/v1/auth/magic-link/verify', headers, { token })

  const good = await link()
  refused(t, await d.inject('GET', '/v1/me', bearer(good)), 'a live vml_ token as a bearer token')
  const session = must(await verify(good), 200)
  must(await d.inject('GET', '/v1/me', bearer(session.token)), 200)
  refused(t, await verify(good), 'used once already')

  const expired = await link(new Date(Date.now() - 1000))
  refused(t, await verify(expired), 'expired')

  const revoked = await link()
  await d.ctx.db.update(magicLinks).set({ usedAt: new Date() }).where(eq(magicLinks.tokenHash, hashToken(revoked)))
  refused(t, await verify(revoked), 'spent by another request')

  const fresh = await link()
  for (const [token, what] of [
    ['vml_short', 'too short'],
    [`${fresh}x`, 'one character too many'],
    [`${fresh.slice(0, -1)}!`, 'a character outside base64url'],
    [swapPrefix(fresh, 'VML_'), 'an upper-case prefix'],
    [swapPrefix(fresh, 'vms_'), 'a session prefix'],
    [swapPrefix(fresh, 'vmr_'), 'a manage-token prefix'],
    [fresh.slice(4), 'no prefix'],
    [session.token, 'a live session token'],
    [newToken('vml_').token, 'a well-formed vml_ token never issued'],
  ] as const) {
    refused(t, await verify(token), what)
  }
  // none of those spent the live link, which still works once
  must(await verify(fresh), 200)
})
