import t from 'tap'
import { associations, standBookings, stands } from '../../../src/db/schema.js'
import { rankMatches } from '../../../src/features/associations/matchmaking.js'
import { build, type TestContext } from '../../helpers/app.js'
import { addMember, insertAssociation, insertBooking, insertExhibitor, publishedEvent } from '../../helpers/exhibitors.js'
import { problem } from '../../helpers/problem.js'

/**
 * A migrant parents' association in Innenstadt-Nord (fields education, culture, language; target groups parents,
 * children) and the other exhibitors, with the order written out: the weights are field 3, target group 2,
 * district 2, bridge 4 (only on top of something shared).
 */
async function fixture(ctx: TestContext) {
  const { event, admin } = await publishedEvent(ctx)
  const self = await insertExhibitor(ctx.db, event.id, 'A-01', {
    name: 'Migrantische Elterninitiative Nord',
    district: 'innenstadt-nord',
    fieldsOfActivity: ['education', 'culture', 'language'],
    targetGroups: ['parents', 'children'],
    migrantOrganization: true,
  })
  // 3 (education) + 2·2 (children, parents) + 4 (bridge) = 11
  const eltern = await insertExhibitor(ctx.db, event.id, 'B-02', {
    name: 'Elternnetzwerk Aplerbeck',
    district: 'aplerbeck',
    fieldsOfActivity: ['education'],
    targetGroups: ['parents', 'children'],
  })
  // 2·3 (education, language) + 2 (parents) + 2 (district) = 10, no bridge (both migrant)
  const bildung = await insertExhibitor(ctx.db, event.id, 'B-01', {
    name: 'Bildungsverein Nord',
    district: 'innenstadt-nord',
    fieldsOfActivity: ['language', 'education'],
    targetGroups: ['parents'],
    migrantOrganization: true,
  })
  // 3 (culture) + 2 (children) + 4 (bridge) = 9
  const chor = await insertExhibitor(ctx.db, event.id, 'C-01', {
    name: 'Kinderchor Eving',
    district: 'eving',
    fieldsOfActivity: ['culture'],
    targetGroups: ['children'],
  })
  // shares nothing: not listed, bridge or not
  await insertExhibitor(ctx.db, event.id, 'D-01', { name: 'Schachfreunde Hörde', district: 'hoerde', fieldsOfActivity: ['sport'] })
  // a perfect partner whose booking is not approved is no exhibitor yet
  const waiting = await insertAssociation(ctx.db, {
    name: 'Wartet noch e. V.',
    district: 'innenstadt-nord',
    fieldsOfActivity: ['education', 'culture', 'language'],
    targetGroups: ['parents', 'children'],
  })
  await insertBooking(ctx.db, event.id, waiting.id, 'requested')
  const member = await ctx.account('exhibitor')
  await addMember(ctx.db, self.association.id, member.id)
  return { event, admin, self, eltern, bildung, chor, waiting, member }
}

t.test('ranked by score with the reasons in the caller’s language', async (t) => {
  const ctx = await build(t)
  const f = await fixture(ctx)
  const url = `/v1/events/${f.event.id}/matches?associationId=${f.self.association.id}`

  const de = await ctx.app.inject({ method: 'GET', url, headers: f.member.auth })
  t.equal(de.statusCode, 200, de.body)
  t.equal(de.headers['content-language'], 'de', 'German by default')
  const items = de.json().items
  t.same(
    items.map((m: { association: { name: string }; score: number }) => [m.association.name, m.score]),
    [
      ['Elternnetzwerk Aplerbeck', 11],
      ['Bildungsverein Nord', 10],
      ['Kinderchor Eving', 9],
    ],
  )
  t.same(items[0].stand, { id: f.eltern.stand.id, code: 'B-02', area: 'Halle 1' })
  t.notOk('contactEmail' in items[0].association, 'public profile only')
  t.same(items[0].reasons, [
    { kind: 'field', key: 'education', text: 'Gemeinsames Tätigkeitsfeld: Bildung' },
    { kind: 'targetGroup', key: 'children', text: 'Gemeinsame Zielgruppe: Kinder' },
    { kind: 'targetGroup', key: 'parents', text: 'Gemeinsame Zielgruppe: Eltern und Familien' },
    {
      kind: 'bridge',
      text: 'Verein ohne Migrationsgeschichte – eine Brücke zwischen Vereinen mit und ohne Migrationsgeschichte',
    },
  ])
  t.same(items[1].reasons, [
    { kind: 'field', key: 'education', text: 'Gemeinsames Tätigkeitsfeld: Bildung' },
    { kind: 'field', key: 'language', text: 'Gemeinsames Tätigkeitsfeld: Sprachförderung' },
    { kind: 'targetGroup', key: 'parents', text: 'Gemeinsame Zielgruppe: Eltern und Familien' },
    { kind: 'district', key: 'innenstadt-nord', text: 'Im selben Stadtbezirk: Innenstadt-Nord' },
  ])

  const en = await ctx.app.inject({ method: 'GET', url, headers: { ...f.member.auth, 'accept-language': 'fr-FR, en-GB;q=0.8, de;q=0.5' } })
  t.equal(en.headers['content-language'], 'en', 'the best language we write, by q-value')
  t.match(String(en.headers.vary), /Accept-Language/i)
  t.same(
    en.json().items[0].reasons.map((r: { text: string }) => r.text),
    [
      'Shared field of activity: Education',
      'Shared target group: Children',
      'Shared target group: Parents and families',
      'Association without a migration history – a bridge between associations with and without a migration history',
    ],
  )
  t.same(
    en.json().items.map((m: { score: number }) => m.score),
    [11, 10, 9],
    'the language changes words, not order',
  )

  const tr = await ctx.app.inject({ method: 'GET', url: `${url}&lang=tr`, headers: { ...f.member.auth, 'accept-language': 'en' } })
  t.equal(tr.headers['content-language'], 'tr', '?lang= wins over Accept-Language')
  t.equal(tr.json().items[2].reasons[0].text, 'Ortak faaliyet alanı: Kültür')

  const top = await ctx.app.inject({ method: 'GET', url: `${url}&limit=1`, headers: f.member.auth })
  t.same(
    top.json().items.map((m: { association: { name: string } }) => m.association.name),
    ['Elternnetzwerk Aplerbeck'],
    'limit keeps the best',
  )
  problem(t, await ctx.app.inject({ method: 'GET', url: `${url}&lang=fr`, headers: f.member.auth }), 400, 'invalid_request')
})

t.test('who may see an association’s matches', async (t) => {
  const ctx = await build(t)
  const f = await fixture(ctx)
  const url = (associationId: string, eventId = f.event.id) => `/v1/events/${eventId}/matches?associationId=${associationId}`
  const get = (u: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url: u, headers })

  problem(t, await get(url(f.self.association.id)), 401, 'unauthenticated')

  const stranger = await ctx.account('exhibitor')
  await addMember(ctx.db, f.chor.association.id, stranger.id)
  problem(t, await get(url(f.self.association.id), stranger.auth), 403, 'forbidden')
  t.equal((await get(url(f.chor.association.id), stranger.auth)).statusCode, 200, 'a member of another exhibitor sees its own')

  const otherOrganizer = await ctx.account('organizer')
  problem(t, await get(url(f.self.association.id), otherOrganizer.auth), 403, 'forbidden')
  const organizer = await ctx.account('organizer')
  const assigned = await ctx.app.inject({ method: 'PUT', url: `/v1/events/${f.event.id}/organizers/${organizer.id}`, headers: f.admin.auth })
  t.equal(assigned.statusCode, 200)
  t.equal((await get(url(f.self.association.id), organizer.auth)).statusCode, 200, 'the event’s organizer')
  t.equal((await get(url(f.self.association.id), f.admin.auth)).statusCode, 200, 'an admin')

  // An association with no approved stand at this fair has no matches, even for its members.
  const waitingMember = await ctx.account('exhibitor')
  await addMember(ctx.db, f.waiting.id, waitingMember.id)
  problem(t, await get(url(f.waiting.id), waitingMember.auth), 404, 'not_found')
  problem(t, await get(url(f.waiting.id), f.admin.auth), 404, 'not_found')

  const { event: otherFair } = await publishedEvent(ctx)
  problem(t, await get(url(f.self.association.id, otherFair.id), f.member.auth), 404, 'not_found')
  problem(t, await get(url(f.self.association.id, 'no-such-fair'), f.member.auth), 404, 'not_found')
  problem(t, await get(`/v1/events/${f.event.id}/matches`, f.member.auth), 400, 'invalid_request')
})

t.test('500 exhibitors: every match, in the order of the pure ranking', async (t) => {
  const ctx = await build(t)
  const { event } = await publishedEvent(ctx)
  const fields = ['culture', 'arts', 'education', 'language', 'sport', 'religion', 'integration', 'environment', 'health', 'neighbourhood']
  const groups = ['children', 'youth', 'parents', 'women', 'seniors', 'refugees']
  const districts = ['innenstadt-west', 'innenstadt-nord', 'eving', 'hoerde', 'brackel', 'mengede']
  const profiles = Array.from({ length: 500 }, (_, i) => ({
    name: `Verein ${String(i).padStart(3, '0')}`,
    district: districts[i % districts.length],
    fieldsOfActivity: [fields[i % fields.length], fields[(i * 7 + 3) % fields.length]],
    targetGroups: [groups[i % groups.length]],
    languages: ['de'],
    migrantOrganization: i % 3 === 0,
    contactEmail: `verein-${i}@example.org`,
  }))
  const rows = await ctx.db.insert(associations).values(profiles).returning()
  const standRows = await ctx.db
    .insert(stands)
    .values(rows.map((_, i) => ({ eventId: event.id, code: `S-${String(i).padStart(3, '0')}` })))
    .returning()
  await ctx.db
    .insert(standBookings)
    .values(rows.map((a, i) => ({ eventId: event.id, associationId: a.id, status: 'approved' as const, standId: standRows[i].id })))
  const self = rows[0]
  const member = await ctx.account('exhibitor')
  await addMember(ctx.db, self.id, member.id)

  const res = await ctx.app.inject({
    method: 'GET',
    url: `/v1/events/${event.id}/matches?associationId=${self.id}&limit=500&lang=en`,
    headers: member.auth,
  })
  t.equal(res.statusCode, 200)
  const items = res.json().items as { association: { id: string }; stand: { id: string }; score: number }[]
  const expected = rankMatches(self, rows, { locale: 'en' })
  t.ok(expected.length > 100, `a real ranking (${expected.length} matches)`)
  t.same(
    items.map((m) => [m.association.id, m.score]),
    expected.map((m) => [m.association.id, m.score]),
    'the same matches, scores and order as the pure ranking',
  )
  const standOf = new Map(rows.map((a, i) => [a.id, standRows[i].id]))
  t.ok(items.every((m) => m.stand.id === standOf.get(m.association.id)), 'each with its own stand')
  t.notOk(items.some((m) => m.association.id === self.id), 'never itself')
})
