import t from 'tap'
import { SEED_VOCABULARY, VOCABULARY_KINDS } from '../../../src/features/associations/vocabulary.js'
import { signUpBody } from '../../helpers/associations.js'
import { build } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

const labels = { de: 'Handwerk', en: 'Crafts', tr: 'El sanatları', ar: 'الحرف اليدوية' }

t.test('GET /v1/vocabularies is public and lists the seeded terms in order', async (t) => {
  const ctx = await build(t)
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/vocabularies' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), [...VOCABULARY_KINDS].sort())
  for (const kind of VOCABULARY_KINDS) t.same(body[kind], SEED_VOCABULARY[kind], kind)
  t.equal(body.districts.length, 12, "Dortmund's twelve districts")
})

t.test('admins add and relabel terms; a new term is usable at once; others may not', async (t) => {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const add = (kind: string, payload: object, headers: Record<string, string> = admin.auth) =>
    ctx.app.inject({ method: 'POST', url: `/v1/vocabularies/${kind}`, payload, headers })

  const created = await add('fieldsOfActivity', { key: 'crafts', labels })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json(), { key: 'crafts', labels })
  const list = (await ctx.app.inject({ method: 'GET', url: '/v1/vocabularies' })).json()
  t.same(list.fieldsOfActivity.at(-1), { key: 'crafts', labels }, 'appended at the end')

  problem(t, await add('fieldsOfActivity', { key: 'crafts', labels }), 409, 'vocabulary_key_taken')
  problem(t, await add('fieldsOfActivity', { key: 'culture', labels }), 409, 'vocabulary_key_taken')
  t.equal((await add('targetGroups', { key: 'crafts', labels })).statusCode, 201, 'the same key in another vocabulary is fine')
  problem(t, await add('fieldsOfActivity', { key: 'Bad Key', labels }), 400, 'invalid_request')
  problem(t, await add('fieldsOfActivity', { key: 'x'.repeat(41), labels }), 400, 'invalid_request')
  problem(t, await add('fieldsOfActivity', { key: 'ok', labels: { ...labels, de: '' } }), 400, 'invalid_request')
  problem(t, await add('fieldsOfActivity', { key: 'ok', labels: { de: 'x' } }), 400, 'invalid_request')
  problem(t, await add('colours', { key: 'red', labels }), 400, 'invalid_request')
  problem(t, await add('fieldsOfActivity', { key: 'other', labels }, organizer.auth), 403, 'forbidden')
  problem(t, await add('fieldsOfActivity', { key: 'other', labels }, {}), 401, 'unauthenticated')

  const signUp = await ctx.app.inject({ method: 'POST', url: '/v1/associations', payload: signUpBody({ association: { fieldsOfActivity: ['crafts'] } }) })
  t.equal(signUp.statusCode, 201, 'a sign-up may use the new term at once')

  const relabel = (kind: string, key: string, payload: object, headers: Record<string, string> = admin.auth) =>
    ctx.app.inject({ method: 'PATCH', url: `/v1/vocabularies/${kind}/${key}`, payload, headers })
  const newLabels = { de: 'Innenstadt Nord', en: 'City centre north', tr: 'Kuzey şehir merkezi', ar: '' }
  const changed = await relabel('districts', 'innenstadt-nord', { labels: newLabels })
  t.equal(changed.statusCode, 200)
  t.same(changed.json(), { key: 'innenstadt-nord', labels: newLabels })
  const after = (await ctx.app.inject({ method: 'GET', url: '/v1/vocabularies' })).json()
  t.same(after.districts[1], { key: 'innenstadt-nord', labels: newLabels }, 'keeps its place')
  problem(t, await relabel('districts', 'atlantis', { labels }), 404, 'not_found')
  problem(t, await relabel('districts', 'eving', { labels, key: 'x' }), 400, 'invalid_request')
  problem(t, await relabel('districts', 'eving', { labels }, organizer.auth), 403, 'forbidden')
})
