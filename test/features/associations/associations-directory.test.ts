import t from 'tap'
import { associations } from '../../../src/db/schema.js'
import { directoryWords } from '../../../src/features/associations/associations.service.js'
import { build, type TestContext } from '../../helpers/app.js'
import { problem } from '../../helpers/problem.js'

const PROFILES = [
  { name: 'Türkischer Elternverein Nordstadt', district: 'innenstadt-nord', fields: ['education'], description: 'Hausaufgabenhilfe und Elterncafé.' },
  { name: 'Muslimische Jugend Dortmund', district: 'innenstadt-nord', fields: ['religion', 'sport'], description: 'Fußball und Gespräche.' },
  { name: 'Sportverein Hörde 09', district: 'hoerde', fields: ['sport'], description: 'Fußball, Turnen, Schwimmen.' },
  { name: 'Kulturzentrum Ağaç', district: 'eving', fields: ['culture', 'arts'], description: 'Saz-Kurse und türkische Musik für alle.' },
  { name: 'Nachbarschaftsverein Eving', district: 'eving', fields: ['neighbourhood'], description: null },
  { name: 'Umweltgruppe Grünes Hombruch', district: 'hombruch', fields: ['environment'], description: 'Bäume pflanzen.' },
]

async function seed(ctx: TestContext) {
  await ctx.db.insert(associations).values(
    PROFILES.map((p) => ({
      name: p.name,
      district: p.district,
      fieldsOfActivity: p.fields,
      description: p.description,
      migrantOrganization: false,
      contactEmail: 'secret@example.org',
      contactPhone: '0231 999',
      registerNumber: 'VR 1',
    })),
  )
}

const names = (res: { json(): { items: { name: string }[] } }) => res.json().items.map((a) => a.name)

t.test('the directory: public fields only, by name; search by word prefixes with folding; filters', async (t) => {
  const ctx = await build(t)
  await seed(ctx)
  const get = (qs: string) => ctx.app.inject({ method: 'GET', url: `/v1/associations${qs}` })

  const all = await get('')
  t.equal(all.statusCode, 200)
  t.same(names(all), [...PROFILES.map((p) => p.name)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en')))
  for (const item of all.json().items) {
    for (const key of ['contactEmail', 'contactPhone', 'registerNumber']) t.notOk(key in item, `no ${key}`)
  }
  t.equal(all.json().nextCursor, null)

  t.same(names(await get('?q=muslim')), ['Muslimische Jugend Dortmund'], 'prefix of a word')
  t.same(names(await get('?q=Türk')), ['Kulturzentrum Ağaç', 'Türkischer Elternverein Nordstadt'], 'Türk finds türkische in a description too')
  t.same(names(await get('?q=turk')), names(await get('?q=Türk')), 'turk = Türk')
  t.same(names(await get('?q=agac')), ['Kulturzentrum Ağaç'], 'ğ folds to g')
  t.same(names(await get('?q=HÖRDE')), ['Sportverein Hörde 09'])
  t.same(names(await get('?q=fuss')), [], 'ß folds to s, not ss: "fuß" is "fus"')
  t.same(names(await get('?q=fus ball')), [], 'every word must match')
  t.same(names(await get('?q=fußball%20dort')), ['Muslimische Jugend Dortmund'], 'words from name and description together')
  t.same(names(await get(`?q=${encodeURIComponent("'; drop table associations; --")}`)), [], 'punctuation is no syntax')
  problem(t, await get('?q=a'), 400, 'invalid_request')
  problem(t, await get('?q=%20!%20'), 400, 'invalid_request')
  problem(t, await get(`?q=${'a'.repeat(101)}`), 400, 'invalid_request')

  t.same(names(await get('?field=sport')), ['Muslimische Jugend Dortmund', 'Sportverein Hörde 09'])
  t.same(names(await get('?district=eving')), ['Kulturzentrum Ağaç', 'Nachbarschaftsverein Eving'])
  t.same(names(await get('?field=sport&district=hoerde')), ['Sportverein Hörde 09'])
  t.same(names(await get('?field=sport&q=fuss')), [])
  t.same(names(await get('?field=religion&q=fußball')), ['Muslimische Jugend Dortmund'])
  t.same(names(await get('?field=knitting')), [], 'an unknown key just matches nothing')
  problem(t, await get('?field=Not%20A%20Key'), 400, 'invalid_request')
  problem(t, await get('?extra=1'), 400, 'invalid_request')
})

t.test('pagination is stable by (lower(name), id), across equal names and inserts before the cursor', async (t) => {
  const ctx = await build(t)
  await ctx.db.insert(associations).values(
    Array.from({ length: 7 }, (_, i) => ({
      name: i % 2 ? `verein ${i % 3}` : `Verein ${i % 3}`,
      district: 'eving',
      migrantOrganization: false,
      contactEmail: 'x@example.org',
    })),
  )
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res: Awaited<ReturnType<typeof ctx.app.inject>> = await ctx.app.inject({ method: 'GET', url: `/v1/associations?limit=3${cursor ? `&cursor=${cursor}` : ''}` })
    t.equal(res.statusCode, 200)
    seen.push(...res.json().items.map((a: { id: string }) => a.id))
    cursor = res.json().nextCursor
    if (pages === 0) {
      // Inserted before the cursor: must not shift later pages.
      await ctx.db.insert(associations).values({ name: 'AAA Erster', district: 'eving', migrantOrganization: false, contactEmail: 'x@example.org' })
    }
    pages++
  } while (cursor)
  t.equal(pages, 3)
  t.equal(seen.length, 7, 'every association once')
  t.equal(new Set(seen).size, 7)
  const all = await ctx.app.inject({ method: 'GET', url: '/v1/associations?limit=200' })
  t.same(
    all.json().items.filter((a: { name: string }) => a.name !== 'AAA Erster').map((a: { id: string }) => a.id),
    seen,
    'pages concatenate to the full list',
  )
  problem(t, await ctx.app.inject({ method: 'GET', url: '/v1/associations?cursor=bm9wZQ' }), 400, 'invalid_request')
})

t.test('directoryWords folds like the search column and keeps only words', async (t) => {
  t.same(directoryWords('Türk'), ['turk'])
  t.same(directoryWords("İstanbul O'Neil  çay"), ['istanbul', 'o', 'neil', 'cay'])
  t.same(directoryWords('a:*|b & !c'), ['a', 'b', 'c'])
})
