import t from 'tap'
import { count, eq } from 'drizzle-orm'
import { accounts, associationMembers, associations, magicLinks, outboxEmails, sessions } from '../../../src/db/schema.js'
import { isAssociationMember, publicAssociation } from '../../../src/features/associations/associations.service.js'
import { createTransport } from '../../../src/mail/transport.js'
import { drainOutbox } from '../../../src/mail/worker.js'
import { build, eventBody, type TestContext } from '../../helpers/app.js'
import { insertBooking } from '../../helpers/exhibitors.js'
import { problem } from '../../helpers/problem.js'
import { startSmtpSink } from '../../helpers/smtp.js'
import { signUpBody } from '../../helpers/associations.js'
import { workerOptions } from '../../helpers/mail.js'

async function rowCounts(ctx: TestContext) {
  const [[a], [m], [acc], [o], [s]] = await Promise.all([
    ctx.db.select({ n: count() }).from(associations),
    ctx.db.select({ n: count() }).from(associationMembers),
    ctx.db.select({ n: count() }).from(accounts),
    ctx.db.select({ n: count() }).from(outboxEmails),
    ctx.db.select({ n: count() }).from(sessions),
  ])
  return { associations: a.n, members: m.n, accounts: acc.n, outbox: o.n, sessions: s.n }
}

const PRIVATE = ['contactEmail', 'contactPhone', 'registerNumber']

t.test('sign-up: account, association, membership and session in one go; the welcome email arrives and verifies the email', async (t) => {
  const ctx = await build(t, { PUBLIC_URL: 'https://messe.example.org' })
  const { app, db, config } = ctx
  const body = signUpBody()
  const res = await app.inject({ method: 'POST', url: '/v1/associations', payload: body, headers: { 'accept-language': 'tr-TR,de;q=0.8' } })
  t.equal(res.statusCode, 201, res.body)
  const out = res.json()
  t.match(out.token, /^vms_/)
  t.equal(out.account.role, 'exhibitor')
  t.equal(out.account.email, body.contact.email)
  t.equal(out.association.contactEmail, body.contact.email, 'the contact email is the first member’s')
  t.equal(out.association.contactPhone, '+49 231 123456')
  t.equal(out.association.registerNumber, 'VR 1234')
  t.same(out.association.fieldsOfActivity, ['culture', 'neighbourhood'])
  t.equal(out.association.migrantOrganization, true)
  t.ok(await isAssociationMember(db, out.account.id, out.association.id), 'the contact is a member')
  const [account] = await db.select().from(accounts).where(eq(accounts.id, out.account.id))
  t.equal(account.emailVerifiedAt, null, 'not verified yet')

  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${out.token}` } })
  t.equal(me.statusCode, 200)
  t.same(me.json().associations, [{ id: out.association.id, name: body.association.name }], '/v1/me lists the association')

  const [queued] = await db.select().from(outboxEmails)
  t.equal(queued.template, 'association-welcome')
  t.equal(queued.locale, 'tr', 'in the language the browser asked for')
  const [link] = await db.select().from(magicLinks).where(eq(magicLinks.accountId, out.account.id))
  const days = (link.expiresAt.getTime() - Date.now()) / 86_400_000
  t.ok(days > 6.9 && days <= 7, 'the link lives 7 days')

  const sink = await startSmtpSink()
  const transport = createTransport({ smtpUrl: sink.url, dataDir: '/tmp', publicUrl: config.publicUrl }, app.log)
  t.teardown(async () => {
    transport.close()
    await sink.stop()
  })
  t.equal(await drainOutbox(workerOptions({ db, transport, mailFrom: config.mailFrom, log: app.log }), 'test-worker'), 1)
  const [sentRow] = await db.select().from(outboxEmails)
  t.equal(sentRow.status, 'sent', 'sent', { row: sentRow })
  const [mail] = await sink.waitFor(1, 60_000)
  t.match(mail.subject, 'Vereinsmesse')
  t.match(mail.text, body.association.name, 'names the association')
  t.match(mail.text, '7 gün', 'the lifetime in days, in Turkish')
  const match = /https:\/\/messe\.example\.org\/login\?token=(vml_[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')
  t.ok(match, 'the link is in the text part')

  const verified = await app.inject({ method: 'POST', url: '/v1/auth/magic-link/verify', payload: { token: match![1] } })
  t.equal(verified.statusCode, 200)
  t.equal(verified.json().account.id, out.account.id)
  const [after] = await db.select().from(accounts).where(eq(accounts.id, out.account.id))
  t.type(after.emailVerifiedAt, Date, 'using the link verified the email')
})

t.test('an email already used is 409 email_taken and writes nothing', async (t) => {
  const ctx = await build(t)
  await ctx.account('exhibitor', 'Taken@Example.org')
  const before = await rowCounts(ctx)
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody({ contact: { email: 'taken@example.org' } }) })
  problem(t, res, 409, 'email_taken')
  t.same(await rowCounts(ctx), before, 'nothing written')
})

t.test('bad input is a 400 problem naming the field, and writes nothing', async (t) => {
  const ctx = await build(t)
  const before = await rowCounts(ctx)
  const post = (payload: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: payload as object })

  const unknownField = problem(t, await post(signUpBody({ association: { fieldsOfActivity: ['culture', 'knitting'] } })), 400, 'invalid_request')
  t.same(unknownField.errors?.map((e) => e.path), ['/body/association/fieldsOfActivity/1'])
  const unknownGroup = problem(t, await post(signUpBody({ association: { targetGroups: ['martians'], district: 'atlantis' } })), 400, 'invalid_request')
  t.same(unknownGroup.errors?.map((e) => e.path).sort(), ['/body/association/district', '/body/association/targetGroups/0'])

  const missing = signUpBody()
  delete (missing.association as Record<string, unknown>).migrantOrganization
  delete (missing.contact as Record<string, unknown>).password
  const missingBody = problem(t, await post(missing), 400, 'invalid_request')
  t.ok(missingBody.errors && missingBody.errors.length >= 2, 'every missing field is named')

  problem(t, await post(signUpBody({ association: { fieldsOfActivity: [] } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { isAdmin: true } })), 400, 'invalid_request')
  problem(t, await post({ ...signUpBody(), role: 'admin' }), 400, 'invalid_request')
  problem(t, await post(signUpBody({ contact: { role: 'admin' } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { description: 'x'.repeat(5001) } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { name: 'n'.repeat(201) } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { name: '   ' } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { website: 'javascript:alert(1)' } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ association: { migrantOrganization: 'yes' } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ contact: { password: 'short' } })), 400, 'invalid_request')
  problem(t, await post(signUpBody({ contact: { email: 'not an email' } })), 400, 'invalid_request')
  const huge = await post(signUpBody({ association: { description: 'x'.repeat(300_000) } }))
  problem(t, huge, 413, huge.json().code)
  t.same(await rowCounts(ctx), before, 'nothing written')
})

t.test('sign-up is rate-limited per IP', async (t) => {
  const ctx = await build(t, { RATE_LIMIT: 'on' })
  const codes: number[] = []
  for (let i = 0; i < 11; i++) {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody(), remoteAddress: '10.1.1.1' })
    codes.push(res.statusCode)
  }
  t.same(codes.slice(0, 10), Array(10).fill(201))
  t.equal(codes[10], 429)
  const other = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody(), remoteAddress: '10.1.1.2' })
  t.equal(other.statusCode, 201, 'another IP is not limited')
})

async function signedUp(ctx: TestContext, overrides = {}) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody(overrides) })
  const out = res.json()
  return { id: out.association.id as string, auth: { authorization: `Bearer ${out.token}` }, accountId: out.account.id as string }
}

t.test('private fields: shown to members, admins and organizers of an event it booked at; hidden from everyone else', async (t) => {
  const ctx = await build(t)
  const mine = await signedUp(ctx)
  const other = await signedUp(ctx)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const bystander = await ctx.account('organizer')
  const get = (headers = {}) => ctx.app.inject({ method: 'GET', url: `/v1/associations/${mine.id}`, headers })
  const sees = async (who: string, headers: Record<string, string>, expected: boolean) => {
    const res = await get(headers)
    t.equal(res.statusCode, 200, who)
    if (expected) {
      t.equal(res.json().registerNumber, 'VR 1234', `${who}: sees the register number`)
      t.equal(res.json().contactPhone, '+49 231 123456', `${who}: sees the phone`)
    } else {
      for (const key of PRIVATE) t.notOk(key in res.json(), `${who}: no ${key}`)
      t.equal(res.json().name.startsWith('Kulturverein'), true)
    }
  }
  // The event of `organizer`; `bystander` organizes another one.
  const eventRes = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })
  const event = eventRes.json()
  const elsewhere = (await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })).json()
  t.equal((await ctx.app.inject({ method: 'PUT', url: `/v1/events/${event.id}/organizers/${organizer.id}`, headers: admin.auth })).statusCode, 200)
  t.equal((await ctx.app.inject({ method: 'PUT', url: `/v1/events/${elsewhere.id}/organizers/${bystander.id}`, headers: admin.auth })).statusCode, 200)

  await sees('anonymous', {}, false)
  await sees('another association’s member', other.auth, false)
  await sees('member', mine.auth, true)
  await sees('admin', admin.auth, true)
  await sees('an organizer before the association booked at their event', organizer.auth, false)
  await insertBooking(ctx.db, event.id, mine.id, 'requested')
  await sees('an organizer of an event it booked at (requested)', organizer.auth, true)
  await sees('an organizer of another event', bystander.auth, false)
  // a booking of another association at the bystander's event changes nothing for this one
  await insertBooking(ctx.db, elsewhere.id, other.id, 'waitlisted')
  await sees('an organizer of an event only another association booked at', bystander.auth, false)
  t.equal((await ctx.app.inject({ method: 'DELETE', url: `/v1/events/${event.id}/organizers/${organizer.id}`, headers: admin.auth })).statusCode, 204)
  await sees('an organizer no longer assigned to that event', organizer.auth, false)
  problem(t, await ctx.app.inject({ method: 'GET', url: '/v1/associations/00000000-0000-4000-8000-000000000000' }), 404, 'not_found')
  problem(t, await ctx.app.inject({ method: 'GET', url: '/v1/associations/nope' }), 400, 'invalid_request')

  const row = await ctx.db.query.associations.findFirst({ where: eq(associations.id, mine.id) })
  for (const key of PRIVATE) t.notOk(key in publicAssociation(row!), `publicAssociation drops ${key}`)
})

t.test('PATCH: members and admins change the profile, others may not; validated like sign-up', async (t) => {
  const ctx = await build(t)
  const mine = await signedUp(ctx)
  const other = await signedUp(ctx)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const patch = (payload: object, headers = {}) => ctx.app.inject({ method: 'PATCH', url: `/v1/associations/${mine.id}`, payload, headers })

  const ok = await patch({ description: 'Neu: auch Sport.', fieldsOfActivity: ['culture', 'sport'], contactPhone: null }, mine.auth)
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().description, 'Neu: auch Sport.')
  t.same(ok.json().fieldsOfActivity, ['culture', 'sport'])
  t.equal(ok.json().contactPhone, null, 'null clears')
  t.equal(ok.json().registerNumber, 'VR 1234', 'what is not sent stays')
  t.equal((await patch({ district: 'hoerde' }, admin.auth)).statusCode, 200, 'admin')

  problem(t, await patch({ name: 'Übernommen' }, other.auth), 403, 'forbidden')
  problem(t, await patch({ name: 'Übernommen' }, organizer.auth), 403, 'forbidden')
  problem(t, await patch({ name: 'Übernommen' }), 401, 'unauthenticated')
  const bad = problem(t, await patch({ district: 'atlantis' }, mine.auth), 400, 'invalid_request')
  t.same(bad.errors?.map((e) => e.path), ['/body/district'])
  problem(t, await patch({}, mine.auth), 400, 'invalid_request')
  problem(t, await patch({ id: mine.id }, mine.auth), 400, 'invalid_request')
  const nowhere = '/v1/associations/00000000-0000-4000-8000-000000000000'
  problem(t, await ctx.app.inject({ method: 'PATCH', url: nowhere, payload: { name: 'x' }, headers: admin.auth }), 404, 'not_found')

  const row = await ctx.db.query.associations.findFirst({ where: eq(associations.id, mine.id) })
  t.equal(row!.district, 'hoerde')
  t.notOk(row!.name === 'Übernommen', 'refused patches changed nothing')
})

t.test('members: list and invite (existing account or new one without password), 409 already_member', async (t) => {
  const ctx = await build(t, { PUBLIC_URL: 'https://messe.example.org' })
  const { app, db } = ctx
  const mine = await signedUp(ctx)
  const other = await signedUp(ctx)
  const admin = await ctx.account('admin')
  const existing = await ctx.account('exhibitor', 'existing@example.org')
  const invite = (payload: object, headers: object = mine.auth) =>
    app.inject({ method: 'POST', url: `/v1/associations/${mine.id}/members`, payload, headers: { ...headers, 'accept-language': 'en' } })
  await db.delete(outboxEmails)

  const fresh = await invite({ email: 'New.Member@example.org', name: 'Karim' })
  t.equal(fresh.statusCode, 201, fresh.body)
  t.equal(fresh.json().role, 'exhibitor')
  t.equal(fresh.json().email, 'New.Member@example.org')
  const [created] = await db.select().from(accounts).where(eq(accounts.id, fresh.json().id))
  t.equal(created.passwordHash, null, 'a new account has no password')
  t.ok(await isAssociationMember(db, created.id, mine.id))

  const joined = await invite({ email: 'EXISTING@example.org', name: 'ignored' }, admin.auth)
  t.equal(joined.statusCode, 201, 'an admin may invite; an existing account joins')
  t.equal(joined.json().id, existing.id)
  t.equal(joined.json().name, 'Test exhibitor', 'an existing account keeps its name')

  problem(t, await invite({ email: 'existing@example.org', name: 'again' }), 409, 'already_member')
  problem(t, await invite({ email: 'x@example.org', name: 'x' }, other.auth), 403, 'forbidden')
  problem(t, await invite({ email: 'x@example.org', name: 'x' }, {}), 401, 'unauthenticated')
  problem(t, await invite({ email: 'x@example.org' }), 400, 'invalid_request')

  const emails = await db.select().from(outboxEmails)
  t.same(emails.map((e) => e.template), ['association-invitation', 'association-invitation'], 'one invitation each, none for refusals')
  const toFresh = emails.find((e) => e.toAddress === 'New.Member@example.org')!
  t.equal(toFresh.locale, 'en')
  t.equal(toFresh.data.expiresMinutes, 7 * 24 * 60)
  const token = new URL(String(toFresh.data.loginUrl)).searchParams.get('token')!
  const login = await app.inject({ method: 'POST', url: '/v1/auth/magic-link/verify', payload: { token } })
  t.equal(login.statusCode, 200, 'the invitation link logs in')
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${login.json().token}` } })
  t.same(me.json().associations.map((a: { id: string }) => a.id), [mine.id])

  const list = await app.inject({ method: 'GET', url: `/v1/associations/${mine.id}/members`, headers: mine.auth })
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((m: { id: string }) => m.id), [mine.accountId, created.id, existing.id], 'in joining order')
  t.equal((await app.inject({ method: 'GET', url: `/v1/associations/${mine.id}/members`, headers: admin.auth })).statusCode, 200)
  problem(t, await app.inject({ method: 'GET', url: `/v1/associations/${mine.id}/members`, headers: other.auth }), 403, 'forbidden')
  problem(t, await app.inject({ method: 'GET', url: `/v1/associations/${mine.id}/members` }), 401, 'unauthenticated')
})

t.test('/v1/me lists no associations for an account in none', async (t) => {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: admin.auth })
  t.same(me.json().associations, [])
})
