import t from 'tap'
import { and, count, eq } from 'drizzle-orm'
import { associationMembers, associations } from '../../../src/db/schema.js'
import { removeMember } from '../../../src/features/associations/associations.service.js'
import { build, type TestContext } from '../../helpers/app.js'
import { signUpBody } from '../../helpers/associations.js'
import { addMember } from '../../helpers/exhibitors.js'
import { problem } from '../../helpers/problem.js'

async function signedUp(ctx: TestContext) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody() })
  const out = res.json()
  return { id: out.association.id as string, auth: { authorization: `Bearer ${out.token}` }, accountId: out.account.id as string, email: out.account.email as string }
}

const memberCount = async (ctx: TestContext, associationId: string) =>
  (await ctx.db.select({ n: count() }).from(associationMembers).where(eq(associationMembers.associationId, associationId)))[0].n

t.test('remove, leave and transfer the contact role; an association keeps a member and its contact', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const x = await signedUp(ctx)
  const other = await signedUp(ctx)
  const second = await ctx.account('exhibitor')
  const third = await ctx.account('exhibitor')
  await addMember(ctx.db, x.id, second.id)
  await addMember(ctx.db, x.id, third.id)
  // an account can belong to several associations
  await addMember(ctx.db, other.id, second.id)
  const del = (accountId: string, headers: Record<string, string>) => app.inject({ method: 'DELETE', url: `/v1/associations/${x.id}/members/${accountId}`, headers })
  const transfer = (accountId: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: `/v1/associations/${x.id}/contact`, headers, payload: { accountId } })

  problem(t, await del(third.id, other.auth), 403, 'forbidden')
  problem(t, await del(x.accountId, second.auth), 409, 'contact_member')
  problem(t, await transfer(other.accountId, x.auth), 409, 'not_member')
  problem(t, await del(other.accountId, x.auth), 404, 'not_found')

  t.equal((await del(third.id, second.auth)).statusCode, 204, 'a member removes another')
  problem(t, await app.inject({ method: 'GET', url: `/v1/associations/${x.id}/members`, headers: third.auth }), 403, 'forbidden')

  const moved = await transfer(second.id, x.auth)
  t.equal(moved.statusCode, 200)
  t.equal(moved.json().contactEmail, second.email, 'the contact address is the new contact’s email')
  t.equal((await del(x.accountId, x.auth)).statusCode, 204, 'the former contact leaves')
  problem(t, await del(second.id, second.auth), 409, 'last_member')
  t.equal(await memberCount(ctx, x.id), 1)
  const mine = (await app.inject({ method: 'GET', url: '/v1/me', headers: second.auth })).json().associations.map((a: { id: string }) => a.id)
  t.same(mine.sort(), [x.id, other.id].sort(), 'still a member of both associations')

  // admins may remove and transfer too
  const admin = await ctx.account('admin')
  await addMember(ctx.db, x.id, third.id)
  t.equal((await transfer(third.id, admin.auth)).statusCode, 200)
  t.equal((await del(second.id, admin.auth)).statusCode, 204)
  const [row] = await ctx.db.select().from(associations).where(eq(associations.id, x.id))
  t.equal(row.contactEmail, third.email)
})

// The last two members removing each other at once (or both leaving): the association's row lock orders the two,
// and the second sees one member left.
t.test('race: the last members removing each other at once leave one member', async (t) => {
  const ctx = await build(t)
  for (let round = 0; round < 8; round++) {
    const x = await signedUp(ctx)
    const a = await ctx.account('exhibitor')
    const b = await ctx.account('exhibitor')
    await addMember(ctx.db, x.id, a.id)
    await addMember(ctx.db, x.id, b.id)
    // the signing-up contact hands over to a and leaves, so a and b are the last two and b is no contact
    await ctx.db.update(associations).set({ contactEmail: `nobody-${round}@example.org` }).where(eq(associations.id, x.id))
    await ctx.db.delete(associationMembers).where(and(eq(associationMembers.associationId, x.id), eq(associationMembers.accountId, x.accountId)))
    const settled = await Promise.allSettled([removeMember(ctx.db, x.id, a.id), removeMember(ctx.db, x.id, b.id)])
    const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.code)
    t.same(refused, ['last_member'], `round ${round}: one removal refused`)
    t.equal(await memberCount(ctx, x.id), 1, `round ${round}: one member left`)
  }
  // and over HTTP, each leaving at once
  const x = await signedUp(ctx)
  const a = await ctx.account('exhibitor')
  await addMember(ctx.db, x.id, a.id)
  await ctx.db.update(associations).set({ contactEmail: 'nobody@example.org' }).where(eq(associations.id, x.id))
  const answers = await Promise.all([
    ctx.app.inject({ method: 'DELETE', url: `/v1/associations/${x.id}/members/${a.id}`, headers: a.auth }),
    ctx.app.inject({ method: 'DELETE', url: `/v1/associations/${x.id}/members/${x.accountId}`, headers: x.auth }),
  ])
  t.same(answers.map((r) => r.statusCode).sort(), [204, 409])
  t.equal(await memberCount(ctx, x.id), 1)
})
