import t from 'tap'
import { eq } from 'drizzle-orm'
import { sessions } from '../../../src/db/schema.js'
import { hashToken } from '../../../src/features/auth/tokens.js'
import { build } from '../../helpers/app.js'

const login = (email: string, password: string) => ({
  method: 'POST' as const,
  url: '/v1/auth/login',
  payload: { email, password },
})

t.test('login, me, logout with a vms_ token stored only as a hash', async (t) => {
  const { app, db, account } = await build(t)
  const organizer = await account('organizer', 'Orga@Example.org')

  const res = await app.inject(login('orga@example.org', 'correct horse battery'))
  t.equal(res.statusCode, 200, 'email is case-insensitive')
  const { token, account: acc } = res.json()
  t.match(token, /^vms_[A-Za-z0-9_-]{43}$/)
  t.same(acc, { id: organizer.id, email: 'Orga@Example.org', name: 'Test organizer', role: 'organizer', language: 'de', active: true, createdAt: acc.createdAt })

  const stored = await db.select().from(sessions).where(eq(sessions.tokenHash, hashToken(token)))
  t.equal(stored.length, 1, 'the session is found by the hash of the token')
  const all = JSON.stringify(await db.select().from(sessions))
  t.notOk(all.includes(token), 'the token itself is stored nowhere')

  const auth = { authorization: `Bearer ${token}` }
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: auth })
  t.equal(me.statusCode, 200)
  t.equal(me.json().account.id, organizer.id)
  t.same(me.json().associations, [])

  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth })).statusCode, 204)
  const after = await app.inject({ method: 'GET', url: '/v1/me', headers: auth })
  t.equal(after.statusCode, 401, 'a revoked token is refused')
  t.equal(after.json().code, 'unauthenticated')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: organizer.auth })).statusCode, 200, 'other sessions stay')
})

t.test('a wrong password and an unknown email get the same answer', async (t) => {
  const { app, account } = await build(t)
  await account('admin', 'admin@example.org')
  const wrong = await app.inject(login('admin@example.org', 'wrong password'))
  const unknown = await app.inject(login('nobody@example.org', 'wrong password'))
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.statusCode, 401)
  const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined })
  t.same(strip(wrong.json()), strip(unknown.json()))
})

t.test('an account without password cannot log in with one', async (t) => {
  const { app, account } = await build(t)
  const admin = await account('admin')
  const created = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: admin.auth,
    payload: { email: 'magic@example.org', name: 'Only Magic', role: 'exhibitor' },
  })
  t.equal(created.statusCode, 201)
  t.equal((await app.inject(login('magic@example.org', ''))).statusCode, 400, 'empty password is a bad request')
  t.equal((await app.inject(login('magic@example.org', 'anything at all'))).statusCode, 401)
})

t.test('bad, unknown, expired and wrong-kind tokens are refused with 401', async (t) => {
  const { app, db, account } = await build(t)
  const exhibitor = await account('exhibitor')
  for (const header of [
    'Bearer',
    'Basic dXNlcjpwYXNz',
    'Bearer vms_short',
    `Bearer xyz_${'a'.repeat(43)}`,
    `Bearer vms_${'a'.repeat(43)}`,
    `Bearer vmd_${'a'.repeat(43)}`,
    `Bearer vmr_${'a'.repeat(43)}`,
    `Bearer ${exhibitor.token}x`,
  ]) {
    const res = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: header } })
    t.equal(res.statusCode, 401, header.slice(0, 20))
    t.equal(res.json().code, 'unauthenticated')
  }
  // even on a public route, a dead token is reported rather than silently ignored
  const publicRoute = await app.inject({ method: 'GET', url: '/v1/events', headers: { authorization: `Bearer vms_${'b'.repeat(43)}` } })
  t.equal(publicRoute.statusCode, 401)

  await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.tokenHash, hashToken(exhibitor.token)))
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: exhibitor.auth })).statusCode, 401, 'expired')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me' })).statusCode, 401, 'missing')
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/logout' })).statusCode, 401, 'logout without token')
})

t.test('login is rate-limited per email and per IP', async (t) => {
  const { app, account } = await build(t, { RATE_LIMIT: 'on' })
  await account('admin', 'target@example.org')
  const statuses: number[] = []
  for (let i = 0; i < 11; i++) statuses.push((await app.inject(login('target@example.org', `guess ${i}`))).statusCode)
  t.same(statuses.slice(0, 10), Array(10).fill(401))
  t.equal(statuses[10], 429, 'the 11th guess on one email is limited')

  const limited = await app.inject(login('TARGET@example.org', 'correct horse battery'))
  t.equal(limited.statusCode, 429, 'also for the right password, and case-insensitively')
  t.equal(limited.json().code, 'rate_limited')
  t.match(limited.headers['content-type'], /application\/problem\+json/)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After set')

  // Spread over many emails from one IP: the per-IP limit (20/min) stops it.
  let ipLimited = 0
  for (let i = 0; i < 10; i++) if ((await app.inject(login(`other${i}@example.org`, 'x'))).statusCode === 429) ipLimited++
  t.ok(ipLimited >= 1, 'per-IP limit reached after 20 attempts')
  const elsewhere = await app.inject({ ...login('target2@example.org', 'x'), remoteAddress: '10.0.0.7' })
  t.equal(elsewhere.statusCode, 401, 'another IP and email is not limited')
})

t.test('with RATE_LIMIT=off there is no limit', async (t) => {
  const { app } = await build(t, { RATE_LIMIT: 'off' })
  for (let i = 0; i < 25; i++) {
    const res = await app.inject(login('x@example.org', 'wrong'))
    if (res.statusCode !== 401) return t.fail(`attempt ${i} answered ${res.statusCode}`)
  }
  t.pass('25 attempts, all judged')
})
