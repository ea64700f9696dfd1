import t from 'tap'
import { and, eq, inArray, isNull } from 'drizzle-orm'
import { accounts, outboxEmails, sessions } from '../../../src/db/schema.js'
import { setActive, updateAccount } from '../../../src/features/accounts/account-lifecycle.service.js'
import { issueMagicLink } from '../../../src/features/auth/magic-link.service.js'
import { build, type TestContext } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

const PASSWORD = 'correct horse battery'

async function linkSession(ctx: TestContext, accountId: string) {
  const token = await ctx.db.transaction((tx) => issueMagicLink(tx, accountId, 15))
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-link/verify', payload: { token } })
  if (res.statusCode !== 200) throw new Error(res.body)
  return { authorization: `Bearer ${res.json().token}` }
}

async function login(ctx: TestContext, email: string, password = PASSWORD) {
  return ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } })
}

t.test('change password: with the current one, or from a link session; other sessions end', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const me = await ctx.account('exhibitor')
  const second = (await login(ctx, me.email)).json().token as string
  const post = (headers: Record<string, string>, payload: unknown) => app.inject({ method: 'POST', url: '/v1/me/password', headers, payload: payload as object })

  problem(t, await post(me.auth, { newPassword: 'a brand new passphrase' }), 403, 'forbidden')
  problem(t, await post(me.auth, { currentPassword: 'wrong one!', newPassword: 'a brand new passphrase' }), 403, 'forbidden')
  problem(t, await post(me.auth, { currentPassword: PASSWORD, newPassword: 'short' }), 400, 'invalid_request')
  t.equal((await login(ctx, me.email)).statusCode, 200, 'nothing changed by the refusals')

  t.equal((await post(me.auth, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })).statusCode, 204)
  t.equal((await login(ctx, me.email)).statusCode, 401, 'the old password no longer works')
  t.equal((await login(ctx, me.email, 'a brand new passphrase')).statusCode, 200, 'the new one does')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth })).statusCode, 200, 'this session stays')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${second}` } })).statusCode, 401, 'the other one ended')

  // A forgotten password: a session from an emailed link sets a new one without the old.
  const viaLink = await linkSession(ctx, me.id)
  t.equal((await post(viaLink, { newPassword: 'forgot it, new one' })).statusCode, 204)
  t.equal((await login(ctx, me.email, 'forgot it, new one')).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth })).statusCode, 401, 'the password session ended with it')
})

t.test('sessions: listed with the current one marked; one or all others revoked', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const me = await ctx.account('organizer')
  const other = await ctx.account('organizer')
  const b = { authorization: `Bearer ${(await login(ctx, me.email)).json().token}` }
  const c = { authorization: `Bearer ${(await login(ctx, me.email)).json().token}` }
  const list = (await app.inject({ method: 'GET', url: '/v1/me/sessions', headers: me.auth })).json()
  t.equal(list.items.length, 3)
  t.equal(list.items.filter((s: { current: boolean }) => s.current).length, 1)
  t.notOk(JSON.stringify(list).includes('vms_'), 'no token in the list')
  const bId = (await app.inject({ method: 'GET', url: '/v1/me/sessions', headers: b })).json().items.find((s: { current: boolean }) => s.current).id

  problem(t, await app.inject({ method: 'DELETE', url: `/v1/me/sessions/${bId}`, headers: other.auth }), 404, 'not_found')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: b })).statusCode, 200, "another account cannot end someone's session")
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/me/sessions/${bId}`, headers: me.auth })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: b })).statusCode, 401, 'revoked at once')
  problem(t, await app.inject({ method: 'DELETE', url: `/v1/me/sessions/${bId}`, headers: me.auth }), 404, 'not_found')

  t.equal((await app.inject({ method: 'DELETE', url: '/v1/me/sessions', headers: me.auth })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: c })).statusCode, 401, 'the others ended')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth })).statusCode, 200, 'this one stays')
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: other.auth })).statusCode, 200, "another account's sessions stay")
})

t.test('deactivate (admin): tokens stop at once, no login, no link; reactivate lets it log in again', async (t) => {
  const ctx = await build(t)
  const { app, db } = ctx
  const admin = await ctx.account('admin')
  const who = await ctx.account('organizer')
  problem(t, await app.inject({ method: 'POST', url: `/v1/accounts/${who.id}/deactivate`, headers: who.auth }), 403, 'forbidden')

  const res = await app.inject({ method: 'POST', url: `/v1/accounts/${who.id}/deactivate`, headers: admin.auth })
  t.equal(res.statusCode, 200)
  t.equal(res.json().active, false)
  problem(t, await app.inject({ method: 'GET', url: '/v1/me', headers: who.auth }), 401, 'unauthenticated')
  problem(t, await login(ctx, who.email), 401, 'unauthenticated')
  const before = (await db.select().from(outboxEmails)).length
  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: who.email } })).statusCode, 202)
  t.equal((await db.select().from(outboxEmails)).length, before, 'no login link for a deactivated account')
  // a link issued before the deactivation no longer logs in
  const token = await db.transaction((tx) => issueMagicLink(tx, who.id, 15))
  problem(t, await app.inject({ method: 'POST', url: '/v1/auth/magic-link/verify', payload: { token } }), 401, 'unauthenticated')
  t.equal(
    (await db.select().from(sessions).where(and(eq(sessions.accountId, who.id), isNull(sessions.revokedAt)))).length,
    0,
    'its sessions are revoked, not only refused',
  )

  const back = await app.inject({ method: 'POST', url: `/v1/accounts/${who.id}/reactivate`, headers: admin.auth })
  t.equal(back.json().active, true)
  problem(t, await app.inject({ method: 'GET', url: '/v1/me', headers: who.auth }), 401, 'unauthenticated')
  t.equal((await login(ctx, who.email)).statusCode, 200, 'it logs in again')
  problem(t, await app.inject({ method: 'POST', url: '/v1/accounts/00000000-0000-4000-8000-000000000000/deactivate', headers: admin.auth }), 404, 'not_found')
})

t.test('role and language (admin), own name and language; the last active admin keeps the role', async (t) => {
  const ctx = await build(t)
  const { app, db } = ctx
  const admin = await ctx.account('admin')
  const who = await ctx.account('organizer')
  // build() makes no admin of its own: `admin` is the only one
  const patch = (id: string, payload: unknown, headers = admin.auth) => app.inject({ method: 'PATCH', url: `/v1/accounts/${id}`, headers, payload: payload as object })
  problem(t, await patch(admin.id, { role: 'organizer' }), 409, 'last_admin')
  problem(t, await app.inject({ method: 'POST', url: `/v1/accounts/${admin.id}/deactivate`, headers: admin.auth }), 409, 'last_admin')
  problem(t, await app.inject({ method: 'POST', url: `/v1/accounts/${admin.id}/erase`, headers: admin.auth }), 409, 'last_admin')
  problem(t, await patch(who.id, { role: 'admin' }, who.auth), 403, 'forbidden')

  t.match((await patch(who.id, { role: 'admin', language: 'tr' })).json(), { role: 'admin', language: 'tr' })
  t.equal((await patch(admin.id, { role: 'organizer' })).json().role, 'organizer', 'with a second admin, the first may step down')
  problem(t, await patch(who.id, { role: 'exhibitor' }, who.auth), 409, 'last_admin')
  // a deactivated admin does not count
  t.equal((await patch(admin.id, { role: 'admin' }, who.auth)).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/v1/accounts/${admin.id}/deactivate`, headers: who.auth })).statusCode, 200)
  problem(t, await patch(who.id, { role: 'organizer' }, who.auth), 409, 'last_admin')

  const own = await app.inject({ method: 'PATCH', url: '/v1/me', headers: who.auth, payload: { name: '  Selin Kaya ', language: 'ar' } })
  t.match(own.json(), { name: 'Selin Kaya', language: 'ar', role: 'admin' })
  problem(t, await app.inject({ method: 'PATCH', url: '/v1/me', headers: who.auth, payload: { role: 'exhibitor' } }), 400, 'invalid_request')
  problem(t, await app.inject({ method: 'PATCH', url: '/v1/me', headers: who.auth, payload: { language: 'fr' } }), 400, 'invalid_request')
  const [row] = await db.select().from(accounts).where(eq(accounts.id, who.id))
  t.equal(row.language, 'ar')
})

t.test('the login link email goes out in the account’s language', async (t) => {
  const ctx = await build(t)
  const who = await ctx.account('exhibitor')
  await ctx.app.inject({ method: 'PATCH', url: '/v1/me', headers: who.auth, payload: { language: 'tr' } })
  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: who.email } })).statusCode, 202)
  const [email] = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.template, 'magic-link'))
  t.equal(email.locale, 'tr')
})

// Two admins demoting (or deactivating) each other at once: the database must leave one admin. Locking the active
// admins' rows in id order makes the second change see the first one's result.
t.test('race: admins removing each other at once always leave one active admin', async (t) => {
  const ctx = await build(t)
  const { app, db } = ctx
  const onlyThese = async (ids: string[]) => {
    await db.update(accounts).set({ role: 'organizer' }).where(eq(accounts.role, 'admin'))
    await db.update(accounts).set({ role: 'admin', deactivatedAt: null }).where(inArray(accounts.id, ids))
  }
  for (let round = 0; round < 8; round++) {
    // through the service, so both pass the role check: the database alone must refuse one
    const admins = await Promise.all([ctx.account('admin'), ctx.account('admin')])
    await onlyThese(admins.map((a) => a.id))
    const change = (id: string) => (round % 2 === 0 ? updateAccount(db, id, { role: 'exhibitor' }) : setActive(db, id, false))
    const settled = await Promise.allSettled([change(admins[0].id), change(admins[1].id)])
    const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.code)
    t.same(refused, ['last_admin'], `round ${round}: one change refused with last_admin`)
    const active = await db.select().from(accounts).where(and(eq(accounts.role, 'admin'), isNull(accounts.deactivatedAt)))
    t.equal(active.length, 1, `round ${round}: one active admin left`)
  }
  // and over HTTP, each demoting the other with their own session: one active admin is left whatever the order
  for (let round = 0; round < 4; round++) {
    const [a, b] = await Promise.all([ctx.account('admin'), ctx.account('admin')])
    await onlyThese([a.id, b.id])
    const answers = await Promise.all([
      app.inject({ method: 'PATCH', url: `/v1/accounts/${b.id}`, headers: a.auth, payload: { role: 'organizer' } }),
      app.inject({ method: 'POST', url: `/v1/accounts/${a.id}/deactivate`, headers: b.auth }),
    ])
    const statuses = answers.map((r) => r.statusCode).sort()
    t.equal(statuses.filter((s) => s === 200).length, 1, `HTTP round ${round}: one change went through (${statuses})`)
    const active = await db.select().from(accounts).where(and(eq(accounts.role, 'admin'), isNull(accounts.deactivatedAt)))
    t.equal(active.length, 1, `HTTP round ${round}: one active admin left`)
  }
})
