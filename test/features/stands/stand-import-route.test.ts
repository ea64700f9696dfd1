import t from 'tap'
import { eq } from 'drizzle-orm'
import { stands } from '../../../src/db/schema.js'
import { problem } from '../../helpers/problem.js'
import { must, standsSetup } from '../../helpers/stands.js'

// POST /v1/events/{eventId}/stands/import through HTTP: JSON and CSV, all or nothing, errors by row. The parser's
// own rules are tested in stand-import.test.ts.

const s = await standsSetup(t)
const { ctx, organizer } = s
const importAs = (eventId: string, payload: string, contentType: string, auth = organizer.auth) =>
  ctx.app.inject({ method: 'POST', url: `/v1/events/${eventId}/stands/import`, headers: { ...auth, 'content-type': contentType }, payload })
const codesOf = async (eventId: string) => (await ctx.db.select({ code: stands.code }).from(stands).where(eq(stands.eventId, eventId))).map((r) => r.code).sort()

t.test('a JSON plan goes in whole', async (t) => {
  const fair = await s.event()
  const plan = [
    { code: 'A1', area: 'Halle 1', widthM: 3, depthM: 2, priceCents: 10000, features: { power: true }, position: { x: 0, y: 0, w: 30, h: 20 } },
    { code: 'A2', area: 'Halle 1' },
  ]
  const res = must(await importAs(fair.id, JSON.stringify(plan), 'application/json'), 201)
  t.same(res.items.map((x: { code: string; available: boolean }) => [x.code, x.available]), [['A1', true], ['A2', true]])
  t.same(await codesOf(fair.id), ['A1', 'A2'])
})

t.test('one bad row changes nothing, and every error names its row and field', async (t) => {
  const fair = await s.event()
  await s.stand(fair.id, { code: 'X1' })
  const plan = [{ code: 'B1' }, { code: 'B2', widthM: -1 }, { code: 'b1' }, { code: 'x1' }, { code: 'B5', position: { x: 1 } }]
  const body = problem(t, await importAs(fair.id, JSON.stringify(plan), 'application/json'), 400, 'invalid_request')
  t.same(
    body.errors?.map((e) => e.path),
    ['/rows/2/widthM', '/rows/3/code', '/rows/4/code', '/rows/5/position/y', '/rows/5/position/w', '/rows/5/position/h'],
  )
  t.match(body.detail, /nothing was imported/)
  t.same(await codesOf(fair.id), ['X1'], 'nothing imported')
  problem(t, await importAs(fair.id, JSON.stringify({ code: 'A' }), 'application/json'), 400, 'invalid_request')
  t.same(problem(t, await importAs(fair.id, '[]', 'application/json'), 400, 'invalid_request').errors, [{ path: '/rows', message: 'The import holds no stands.' }])
})

t.test('CSV: semicolons and decimal commas, as a German spreadsheet saves them', async (t) => {
  const fair = await s.event()
  const csv = '\uFEFFcode;area;widthM;depthM;priceCents;power;tables;chairs;x;y;w;h\r\nC1;Halle 2;2,5;2;5000;ja;1;2;0;0;25;20\r\nC2;"Foyer; Nord";3;3;;nein;;;;;;\r\n'
  const res = must(await importAs(fair.id, csv, 'text/csv; charset=utf-8'), 201)
  t.match(res.items[0], { code: 'C1', area: 'Halle 2', widthM: 2.5, depthM: 2, priceCents: 5000, features: { power: true, tables: 1, chairs: 2 }, position: { x: 0, y: 0, w: 25, h: 20 } })
  t.match(res.items[1], { code: 'C2', area: 'Foyer; Nord', features: { power: false }, position: null })
})

t.test('CSV errors name the spreadsheet row and the column; nothing is imported', async (t) => {
  const fair = await s.event()
  const csv = 'code,widthM,power\nD1,2,yes\nD2,zwei,yes\nD3,1,maybe\n'
  const body = problem(t, await importAs(fair.id, csv, 'text/csv'), 400, 'invalid_request')
  t.same(body.errors, [
    { path: '/rows/3/widthM', message: 'Must be a number, e.g. 2.5 or 2,5.' },
    { path: '/rows/4/power', message: 'Must be yes or no (true/false, ja/nein, 1/0).' },
  ])
  t.same(await codesOf(fair.id), [])
})

t.test('who may import, and what else is refused', async (t) => {
  const fair = await s.event()
  const exhibitor = await s.association()
  problem(t, await importAs(fair.id, '[{"code":"E1"}]', 'application/json', exhibitor.member.auth), 403, 'forbidden')
  problem(t, await ctx.app.inject({ method: 'POST', url: `/v1/events/${fair.id}/stands/import`, headers: { 'content-type': 'text/csv' }, payload: 'code\nE1\n' }), 401, 'unauthenticated')
  const tooBig = 'code\n' + 'E'.repeat(3 * 1024 * 1024)
  t.equal((await importAs(fair.id, tooBig, 'text/csv')).statusCode, 413, 'body limit')
  t.equal((await importAs(fair.id, 'code\nE1', 'text/plain')).statusCode, 415, 'only JSON and CSV')
  // text/csv is for the import only
  t.equal((await ctx.app.inject({ method: 'POST', url: `/v1/events/${fair.id}/stands`, headers: { ...organizer.auth, 'content-type': 'text/csv' }, payload: 'code\nE1' })).statusCode, 415)
  t.same(await codesOf(fair.id), [])
})

t.test('a plan of 2000 stands goes in at once', async (t) => {
  const fair = await s.event()
  const csv = 'code,area,widthM\n' + Array.from({ length: 2000 }, (_, i) => `P${i + 1},Halle ${(i % 4) + 1},3`).join('\n')
  const res = must(await importAs(fair.id, csv, 'text/csv'), 201)
  t.equal(res.items.length, 2000)
  t.equal((await codesOf(fair.id)).length, 2000)
})
