import t from 'tap'
import type { Test } from 'tap'
import { and, eq, isNull } from 'drizzle-orm'
import { magicLinks, outboxEmails, sessions } from '../../../src/db/schema.js'
import { hashToken } from '../../../src/features/auth/tokens.js'
import { createTransport } from '../../../src/mail/transport.js'
import { drainOutbox } from '../../../src/mail/worker.js'
import { build, type TestContext } from '../../helpers/app.js'
import { startSmtpSink } from '../../helpers/smtp.js'
import { workerOptions } from '../../helpers/mail.js'

const TOKEN = /^vml_[A-Za-z0-9_-]{43}$/

const requestLink = (email: string, remoteAddress?: string) => ({
  method: 'POST' as const,
  url: '/v1/auth/magic-link',
  payload: { email },
  ...(remoteAddress ? { remoteAddress } : {}),
})
const verify = (token: unknown) => ({ method: 'POST' as const, url: '/v1/auth/magic-link/verify', payload: { token } })

/** The token of the newest link emailed to `email`, read from its queued email. */
async function tokenFromOutbox(t: Test, ctx: TestContext, email: string): Promise<string> {
  const rows = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.toAddress, email))
  const row = rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))[0]
  t.ok(row, `an email to ${email} is queued`)
  const url = new URL(String(row.data.loginUrl))
  return url.searchParams.get('token')!
}

function unauthenticated(t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): any }, what: string) {
  t.equal(res.statusCode, 401, what)
  t.equal(res.json().code, 'unauthenticated', `${what}: code`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
}

t.test('a link is queued with the contract URL, stored as a hash, and logs in exactly once', async (t) => {
  const ctx = await build(t, { PUBLIC_URL: 'https://messe.example.org/' })
  const { app, db, account } = ctx
  const exhibitor = await account('exhibitor', 'Vera@Example.org')

  const res = await app.inject(requestLink('vera@example.org'))
  t.equal(res.statusCode, 202)
  t.same(res.json(), {})

  const [email, ...more] = await db.select().from(outboxEmails)
  t.equal(more.length, 0, 'one email')
  t.equal(email.toAddress, 'Vera@Example.org', 'to the account, as it is spelled there')
  t.equal(email.template, 'magic-link')
  t.equal(email.locale, 'de', "the account's language, German by default")
  t.equal(email.eventId, null, 'belongs to no event outbox')
  t.equal(email.status, 'queued')
  t.same(Object.keys(email.data).sort(), ['expiresMinutes', 'loginUrl', 'name'])
  t.equal(email.data.name, 'Test exhibitor')
  t.equal(email.data.expiresMinutes, 15)
  t.match(String(email.data.loginUrl), /^https:\/\/messe\.example\.org\/login\?token=vml_[A-Za-z0-9_-]{43}$/, 'PUBLIC_URL/login?token=…')
  const token = await tokenFromOutbox(t, ctx, 'Vera@Example.org')
  t.match(token, TOKEN)

  const [link, ...otherLinks] = await db.select().from(magicLinks)
  t.equal(otherLinks.length, 0)
  t.equal(link.accountId, exhibitor.id)
  t.equal(link.tokenHash, hashToken(token), 'only the SHA-256 is stored')
  t.notOk(JSON.stringify(link).includes(token), 'the token itself is not in magic_links')
  const lifetime = link.expiresAt.getTime() - link.createdAt.getTime()
  t.ok(Math.abs(lifetime - 15 * 60_000) < 5_000, `expires in 15 minutes (${lifetime} ms)`)

  const first = await app.inject(verify(token))
  t.equal(first.statusCode, 200, 'the link logs in')
  const session = first.json()
  t.match(session.token, /^vms_[A-Za-z0-9_-]{43}$/)
  t.same(session.account, {
    id: exhibitor.id,
    email: 'Vera@Example.org',
    name: 'Test exhibitor',
    role: 'exhibitor',
    language: 'de',
    active: true,
    createdAt: session.account.createdAt,
  })
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${session.token}` } })
  t.equal(me.statusCode, 200, 'the session works')
  t.equal(me.json().account.id, exhibitor.id)
  t.ok((await db.select().from(magicLinks))[0].usedAt, 'the link is marked used')

  unauthenticated(t, await app.inject(verify(token)), 'the second use')
  t.equal((await db.select().from(sessions).where(eq(sessions.accountId, exhibitor.id))).length, 2, 'no session from the second use')
})

t.test('an expired link is refused, and so are unknown and malformed tokens', async (t) => {
  const ctx = await build(t)
  const { app, db, account } = ctx
  const organizer = await account('organizer')
  t.equal((await app.inject(requestLink(organizer.email))).statusCode, 202)
  const token = await tokenFromOutbox(t, ctx, organizer.email)
  await db.update(magicLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(magicLinks.tokenHash, hashToken(token)))
  unauthenticated(t, await app.inject(verify(token)), 'expired')
  t.equal((await db.select().from(magicLinks).where(isNull(magicLinks.usedAt))).length, 1, 'an expired link is not spent')

  for (const [what, bad] of [
    ['unknown', `vml_${'a'.repeat(43)}`],
    ['too short', 'vml_abc'],
    ['garbage', 'not a token at all'],
    ['a session token', organizer.token],
    ['one character more', `${token}x`],
  ] as const) {
    unauthenticated(t, await app.inject(verify(bad)), what)
  }
  for (const payload of [{}, { token: '' }, { token: 5 }, { token: 'x'.repeat(201) }, { token: `vml_${'a'.repeat(43)}`, extra: 1 }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/magic-link/verify', payload })
    t.equal(res.statusCode, 400, `body ${JSON.stringify(payload).slice(0, 40)} is a bad request`)
    t.equal(res.json().code, 'invalid_request')
  }
  for (const payload of [{}, { email: 'not-an-email' }, { email: 'a@example.org', password: 'x' }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload })
    t.equal(res.statusCode, 400, `request body ${JSON.stringify(payload)} is a bad request`)
  }
  // A link token is no bearer token: it cannot stand in for the session it buys.
  const fresh = await app.inject(requestLink(organizer.email))
  t.equal(fresh.statusCode, 202)
  const live = await tokenFromOutbox(t, ctx, organizer.email)
  unauthenticated(t, await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${live}` } }), 'vml_ as bearer')
  t.equal((await app.inject(verify(live))).statusCode, 200, 'and the link still works afterwards')
})

t.test('a new link leaves older unexpired ones usable (each once)', async (t) => {
  const ctx = await build(t)
  const { app, db, account } = ctx
  const admin = await account('admin')
  t.equal((await app.inject(requestLink(admin.email))).statusCode, 202)
  const older = await tokenFromOutbox(t, ctx, admin.email)
  t.equal((await app.inject(requestLink(admin.email))).statusCode, 202)
  const rows = await db.select().from(outboxEmails)
  t.equal(rows.length, 2)
  const tokens = rows.map((r) => new URL(String(r.data.loginUrl)).searchParams.get('token')!)
  t.equal(new Set(tokens).size, 2, 'each request makes its own link')
  const newer = tokens.find((x) => x !== older)!
  t.equal((await app.inject(verify(older))).statusCode, 200, 'the older link works')
  t.equal((await app.inject(verify(newer))).statusCode, 200, 'the newer one too')
  t.equal((await app.inject(verify(older))).statusCode, 401)
})

t.test('known and unknown emails get the same answer, and only the known one an email', async (t) => {
  const { app, db, account } = await build(t)
  await account('exhibitor', 'known@example.org')
  const known = await app.inject(requestLink('known@example.org'))
  const unknown = await app.inject(requestLink('unknown@example.org'))
  t.equal(known.statusCode, 202)
  t.equal(unknown.statusCode, 202)
  t.equal(known.body, unknown.body, 'same body')
  t.equal(known.body, '{}')
  // The Date header may tick over between the two requests; everything else must match exactly.
  const headers = (res: typeof known) => {
    const { date, 'x-request-id': _requestId, ...rest } = res.headers
    t.ok(date, 'Date is sent')
    return rest
  }
  t.same(headers(known), headers(unknown), 'same headers')
  t.match(String(known.headers['content-type']), /^application\/json/)

  const emails = await db.select().from(outboxEmails)
  t.same(
    emails.map((e) => e.toAddress),
    ['known@example.org'],
    'an email only for the known account',
  )
  t.equal((await db.select().from(magicLinks)).length, 1, 'a link only for the known account')
})

t.test('requests are rate-limited per email and per IP, the same for unknown emails', async (t) => {
  const { app, account } = await build(t, { RATE_LIMIT: 'on' })
  await account('exhibitor', 'target@example.org')
  for (const [email, ip] of [
    ['target@example.org', '10.0.0.1'],
    ['nobody@example.org', '10.0.0.2'],
  ] as const) {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await app.inject(requestLink(i % 2 ? email.toUpperCase() : email, ip))).statusCode)
    t.same(statuses, [202, 202, 202, 202, 202, 429], `${email}: five links per email, case-insensitively`)
    const limited = await app.inject(requestLink(email, '10.0.0.9'))
    t.equal(limited.statusCode, 429, `${email}: also from another IP`)
    t.equal(limited.json().code, 'rate_limited')
    t.match(String(limited.headers['content-type']), /^application\/problem\+json/)
    t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After set')
  }
  const fromOneIp: number[] = []
  for (let i = 0; i < 11; i++) fromOneIp.push((await app.inject(requestLink(`spread${i}@example.org`, '10.0.0.3'))).statusCode)
  t.same(fromOneIp.slice(0, 10), Array(10).fill(202))
  t.equal(fromOneIp[10], 429, 'the 11th request within a minute from one IP is limited')
  t.equal((await app.inject(requestLink('fresh@example.org', '10.0.0.4'))).statusCode, 202, 'another IP and email is not')
})

t.test('the emailed link arrives over SMTP and logs in through the API', async (t) => {
  const ctx = await build(t, { PUBLIC_URL: 'https://messe.example.org' })
  const { app, db, config, account } = ctx
  const exhibitor = await account('exhibitor', 'mail@example.org')
  const sink = await startSmtpSink()
  const transport = createTransport({ smtpUrl: sink.url, dataDir: '/tmp', publicUrl: config.publicUrl }, app.log)
  t.teardown(async () => {
    transport.close()
    await sink.stop()
  })

  t.equal((await app.inject(requestLink('MAIL@example.org'))).statusCode, 202)
  const handled = await drainOutbox(workerOptions({ db, transport, mailFrom: config.mailFrom, log: app.log }), 'test-worker')
  t.equal(handled, 1)
  const [mail] = await sink.waitFor(1)
  t.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : undefined, 'mail@example.org')
  t.ok(mail.subject, 'has a subject')
  const match = /https:\/\/messe\.example\.org\/login\?token=(vml_[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')
  t.ok(match, 'the text part holds the login link')
  t.ok(String(mail.html).includes(match![0]), 'and the HTML part the same link')
  const [row] = await db.select().from(outboxEmails)
  t.equal(row.status, 'sent')

  const res = await app.inject(verify(match![1]))
  t.equal(res.statusCode, 200, 'the delivered link logs in')
  t.equal(res.json().account.id, exhibitor.id)
  t.equal((await app.inject(verify(match![1]))).statusCode, 401, 'once')
})

t.test('concurrent verifies of one token: exactly one session', async (t) => {
  const ctx = await build(t)
  const { app, db, account } = ctx
  const organizer = await account('organizer')
  t.equal((await app.inject(requestLink(organizer.email))).statusCode, 202)
  const token = await tokenFromOutbox(t, ctx, organizer.email)
  const results = await Promise.all(Array.from({ length: 12 }, () => app.inject(verify(token))))
  const statuses = results.map((r) => r.statusCode).sort()
  t.same(statuses, [200, ...Array(11).fill(401)], 'one 200, the rest 401')
  const live = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.accountId, organizer.id), isNull(sessions.revokedAt)))
  t.equal(live.length, 2, "the helper's session and exactly one from the link")
})
