import t from 'tap'
import { eq } from 'drizzle-orm'
import { accounts } from '../../../src/db/schema.js'
import { ensureFirstAdmin } from '../../../src/features/accounts/accounts.service.js'
import { verifyPassword } from '../../../src/features/auth/passwords.js'
import { build } from '../../helpers/app.js'

t.test('admins create accounts; the password is stored as a scrypt hash', async (t) => {
  const { app, db, account } = await build(t)
  const admin = await account('admin')
  const res = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: admin.auth,
    payload: { email: 'Ayse@Example.org', name: 'Ayşe Yılmaz', role: 'organizer', password: 'a long passphrase' },
  })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body, { email: 'Ayse@Example.org', name: 'Ayşe Yılmaz', role: 'organizer' })
  t.notOk('password' in body || 'passwordHash' in body, 'no secret in the answer')
  const [row] = await db.select().from(accounts).where(eq(accounts.id, body.id))
  t.match(row.passwordHash, /^scrypt\$32768\$8\$1\$/)
  t.ok(await verifyPassword('a long passphrase', row.passwordHash!))
  t.notOk(await verifyPassword('a long passphrasE', row.passwordHash!))

  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: 'ayse@example.org', password: 'a long passphrase' },
  })
  t.equal(login.statusCode, 200)

  const dup = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: admin.auth,
    payload: { email: 'AYSE@example.org', name: 'Other', role: 'exhibitor' },
  })
  t.equal(dup.statusCode, 409)
  t.equal(dup.json().code, 'email_taken')
})

t.test('only admins create and list accounts; bad bodies change nothing', async (t) => {
  const { app, db, account } = await build(t)
  const admin = await account('admin')
  const payload = { email: 'new@example.org', name: 'New', role: 'exhibitor' }
  t.equal((await app.inject({ method: 'POST', url: '/v1/accounts', payload })).statusCode, 401)
  for (const role of ['organizer', 'exhibitor'] as const) {
    const other = await account(role)
    const res = await app.inject({ method: 'POST', url: '/v1/accounts', headers: other.auth, payload })
    t.equal(res.statusCode, 403, role)
    t.equal(res.json().code, 'forbidden')
    t.equal((await app.inject({ method: 'GET', url: '/v1/accounts', headers: other.auth })).statusCode, 403)
  }
  const before = (await db.select().from(accounts)).length
  for (const bad of [
    { ...payload, role: 'superuser' },
    { ...payload, email: 'nope' },
    { ...payload, name: '' },
    { ...payload, password: 'short' },
    { ...payload, isAdmin: true },
    { email: 'x@example.org' },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/v1/accounts', headers: admin.auth, payload: bad })
    t.equal(res.statusCode, 400, JSON.stringify(bad))
    t.ok(res.json().errors.length >= 1)
  }
  t.equal((await db.select().from(accounts)).length, before, 'no row written')
})

t.test('account list pages by email and filters by role', async (t) => {
  const { app, account } = await build(t)
  const admin = await account('admin', 'a-admin@example.org')
  for (const n of [1, 2, 3, 4, 5]) await account('organizer', `orga${n}@example.org`)
  await account('exhibitor', 'z-exhibitor@example.org')
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const url: string = `/v1/accounts?role=organizer&limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const res = await app.inject({ method: 'GET', url, headers: admin.auth })
    t.equal(res.statusCode, 200)
    const page = res.json()
    t.ok(page.items.length <= 2)
    seen.push(...page.items.map((a: { email: string; role: string }) => (t.equal(a.role, 'organizer'), a.email)))
    cursor = page.nextCursor
  } while (cursor)
  t.same(seen, [1, 2, 3, 4, 5].map((n) => `orga${n}@example.org`))
  const bad = await app.inject({ method: 'GET', url: '/v1/accounts?cursor=bm9wZQ', headers: admin.auth })
  t.equal(bad.statusCode, 400)
})

t.test('the first admin is created once, from configuration or generated', async (t) => {
  const { db } = await build(t)
  const generated = await ensureFirstAdmin(db, {})
  t.ok(generated, 'generated credentials are returned to be printed')
  t.match(generated!.password, /^[A-Za-z0-9_-]{24}$/)
  t.equal(await ensureFirstAdmin(db, {}), null, 'second start: nothing created, nothing printed')
  const admins = await db.select().from(accounts).where(eq(accounts.role, 'admin'))
  t.equal(admins.length, 1)
  t.ok(await verifyPassword(generated!.password, admins[0].passwordHash!))

  const other = await build(t)
  t.equal(await ensureFirstAdmin(other.db, { email: 'boss@example.org', password: 'configured secret' }), null, 'configured: not printed')
  const [configured] = await other.db.select().from(accounts).where(eq(accounts.role, 'admin'))
  t.equal(configured.email, 'boss@example.org')
})
