import t from 'tap'
import { MATCH_WEIGHTS, rankMatches, type Match, type MatchProfile } from '../../../src/features/associations/matchmaking.js'
import { SEED_VOCABULARY, type Vocabulary } from '../../../src/features/associations/vocabulary.js'
import { LOCALES } from '../../../src/mail/templates.js'

// Matchmaking without a database: a hand-made fair whose expected order is written out below, the reasons in
// each language, the rules at the edges, and a 500-exhibitor fair checked against a plain re-computation.

interface Exhibitor extends MatchProfile {
  stand: string
}

let nextId = 0
function exhibitor(name: string, migrantOrganization: boolean, fieldsOfActivity: string[], targetGroups: string[], district: string | null, id?: string): Exhibitor {
  return { id: id ?? `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`, name, migrantOrganization, fieldsOfActivity, targetGroups, district, stand: `S-${name}` }
}

// The exhibitor asking: a migrant parents' association in the Nordstadt.
const self = exhibitor('Türkischer Elternverein Nordstadt', true, ['education', 'culture', 'language'], ['parents', 'children'], 'innenstadt-nord')

const fair = {
  // education 3 + parents 2 + children 2 + bridge 4
  elternnetz: exhibitor('Elternnetzwerk Aplerbeck', false, ['education'], ['parents', 'children'], 'aplerbeck'),
  // education 3 + language 3 + parents 2 + district 2, both migrant: no bridge
  bildung: exhibitor('Bildungsverein Nord e.V.', true, ['education', 'language'], ['parents'], 'innenstadt-nord'),
  // culture 3 + children 2 + bridge 4
  kinderchor: exhibitor('Kinderchor Eving', false, ['arts', 'culture'], ['children'], 'eving'),
  // district 2 + bridge 4
  nachbarn: exhibitor('Nachbarschaftshilfe Nordstadt', false, ['neighbourhood'], ['seniors'], 'innenstadt-nord'),
  // nothing in common: left out, bridge or not
  schach: exhibitor('Schachfreunde Hörde', false, ['sport', 'leisure'], ['seniors'], 'hoerde'),
  // culture 3 each, all migrant: a five-way tie broken by name (German order: Ä with A), then by id
  afrika: exhibitor('Afrikanischer Kulturverein', true, ['culture'], ['youth'], 'brackel'),
  aethiopien: exhibitor('Äthiopischer Verein', true, ['culture'], [], 'huckarde'),
  alevi: exhibitor('Alevitische Gemeinde', true, ['culture', 'religion'], [], 'eving'),
  mitteB: exhibitor('Kulturverein Mitte', true, ['culture'], [], 'mengede', 'b0000000-0000-4000-8000-000000000000'),
  mitteA: exhibitor('Kulturverein Mitte', true, ['culture'], [], 'mengede', 'a0000000-0000-4000-8000-000000000000'),
}
const everyone = [self, ...Object.values(fair)]

const summary = (matches: Match<Exhibitor>[]) => matches.map((m) => [m.association.name, m.score])

t.test('the hand-made fair ranks as written', async (t) => {
  const matches = rankMatches(self, everyone, { locale: 'en' })
  t.same(summary(matches), [
    ['Elternnetzwerk Aplerbeck', 11],
    ['Bildungsverein Nord e.V.', 10],
    ['Kinderchor Eving', 9],
    ['Nachbarschaftshilfe Nordstadt', 6],
    ['Afrikanischer Kulturverein', 3],
    ['Alevitische Gemeinde', 3],
    ['Äthiopischer Verein', 3],
    ['Kulturverein Mitte', 3],
    ['Kulturverein Mitte', 3],
  ])
  t.same(matches.slice(-2).map((m) => m.association.id), [fair.mitteA.id, fair.mitteB.id], 'same score and name: by id')
  t.notOk(matches.some((m) => m.association.id === self.id), 'never matched with itself')
  t.notOk(matches.some((m) => m.association === fair.schach), 'a pair sharing nothing is left out, bridge or not')
  t.equal(matches[0].association, fair.elternnetz, "the caller's own object comes back, with its extra fields")
  t.equal(matches[0].association.stand, 'S-Elternnetzwerk Aplerbeck')
})

t.test('reasons: one per shared key, in vocabulary order, then district, then bridge', async (t) => {
  const byName = (matches: Match<Exhibitor>[], name: string) => matches.find((m) => m.association.name === name)!
  const en = rankMatches(self, everyone, { locale: 'en' })
  t.same(byName(en, 'Elternnetzwerk Aplerbeck').reasons, [
    { kind: 'field', key: 'education', text: 'Shared field of activity: Education' },
    { kind: 'targetGroup', key: 'children', text: 'Shared target group: Children' },
    { kind: 'targetGroup', key: 'parents', text: 'Shared target group: Parents and families' },
    { kind: 'bridge', text: 'Association without a migration history – a bridge between associations with and without a migration history' },
  ])
  const de = rankMatches(self, everyone, { locale: 'de' })
  t.same(byName(de, 'Kinderchor Eving').reasons, [
    { kind: 'field', key: 'culture', text: 'Gemeinsames Tätigkeitsfeld: Kultur' },
    { kind: 'targetGroup', key: 'children', text: 'Gemeinsame Zielgruppe: Kinder' },
    { kind: 'bridge', text: 'Verein ohne Migrationsgeschichte – eine Brücke zwischen Vereinen mit und ohne Migrationsgeschichte' },
  ])
  const tr = rankMatches(self, everyone, { locale: 'tr' })
  t.same(byName(tr, 'Nachbarschaftshilfe Nordstadt').reasons, [
    { kind: 'district', key: 'innenstadt-nord', text: 'Aynı ilçede: Innenstadt-Nord' },
    { kind: 'bridge', text: 'Göç geçmişi olmayan dernek – göç geçmişi olan ve olmayan dernekler arasında bir köprü' },
  ])
  const ar = rankMatches(self, everyone, { locale: 'ar' })
  t.same(byName(ar, 'Bildungsverein Nord e.V.').reasons, [
    { kind: 'field', key: 'education', text: 'مجال نشاط مشترك: التعليم' },
    { kind: 'field', key: 'language', text: 'مجال نشاط مشترك: تعليم اللغة' },
    { kind: 'targetGroup', key: 'parents', text: 'فئة مستهدفة مشتركة: الآباء والأمهات والأسر' },
    { kind: 'district', key: 'innenstadt-nord', text: 'في المنطقة نفسها: وسط المدينة الشمالي' },
  ])

  // Seen from the other side, the bridge names the migrant organisation.
  const fromChoir = rankMatches(fair.kinderchor, everyone, { locale: 'en' })
  t.same(byName(fromChoir, self.name).reasons.at(-1), {
    kind: 'bridge',
    text: 'Migrant organisation – a bridge between associations with and without a migration history',
  })
})

t.test('every language: the same ranking and keys, texts in that language', async (t) => {
  const shape = (matches: Match<Exhibitor>[]) => matches.map((m) => [m.association.id, m.score, m.reasons.map((r) => [r.kind, r.key])])
  const english = rankMatches(self, everyone, { locale: 'en' })
  const texts = new Set<string>()
  for (const locale of LOCALES) {
    const matches = rankMatches(self, everyone, { locale })
    t.same(shape(matches), shape(english), `${locale}: same order, scores and reason keys`)
    for (const m of matches) for (const r of m.reasons) texts.add(`${locale}:${r.text}`)
    const bridge = matches[0].reasons.find((r) => r.kind === 'bridge')!
    if (locale === 'ar') t.match(bridge.text, /[\u0600-\u06FF]/, 'Arabic text')
  }
  const distinct = (locale: string) => [...texts].filter((x) => x.startsWith(`${locale}:`)).map((x) => x.slice(3))
  for (const locale of ['de', 'tr', 'ar']) t.same(distinct(locale).filter((x) => distinct('en').includes(x)), [], `no English left in ${locale}`)
})

t.test('the score is the sum of the weights of the reasons shown', async (t) => {
  for (const asking of everyone) {
    for (const m of rankMatches(asking, everyone, { locale: 'de' })) {
      t.equal(m.score, m.reasons.reduce((sum, r) => sum + MATCH_WEIGHTS[r.kind], 0), `${asking.name} → ${m.association.name}`)
    }
  }
  t.same(MATCH_WEIGHTS, { field: 3, targetGroup: 2, district: 2, bridge: 4 }, 'the weights docs/decisions/0063-matchmaking-weights.md explains')
})

t.test('the edges', async (t) => {
  const base = exhibitor('Base', false, ['sport'], ['youth'], 'eving')
  const one = (other: Exhibitor, asking: Exhibitor = base) => rankMatches(asking, [other], { locale: 'en' })

  t.same(one(exhibitor('Twice', false, ['sport', 'sport'], ['youth', 'youth'], null)).map((m) => m.score), [5], 'a key listed twice counts once')
  t.same(one(exhibitor('Self twice', false, ['sport'], [], null), exhibitor('Asker', false, ['sport', 'sport'], [], null)).map((m) => m.score), [3], 'also on the asking side')
  t.same(one(exhibitor('No district', false, ['health'], [], null), exhibitor('Also none', false, [], [], null)), [], 'two without a district are not neighbours')
  t.same(one(exhibitor('Empty district', false, [], [], ''), exhibitor('Also empty', false, [], [], '')), [], 'nor two with an empty one')
  t.same(one(exhibitor('Neighbour', false, [], [], 'eving')).map((m) => m.score), [2], 'same district alone counts')
  t.same(one(exhibitor('Across', true, [], ['women'], 'brackel')), [], 'the bridge alone is not a match')
  t.same(one(exhibitor('Across, neighbour', true, [], [], 'eving')).map((m) => m.score), [6], 'the bridge adds to what is shared')
  t.same(one(exhibitor('Field is not group', false, ['youth'], ['sport'], null)), [], 'a key counts only within its own list')

  const repeated = exhibitor('First copy', false, ['sport'], [], null, 'same-id')
  const again = { ...exhibitor('Second copy', false, ['sport'], ['youth'], 'eving'), id: 'same-id' }
  const matches = rankMatches(base, [repeated, again], { locale: 'en' })
  t.equal(matches.length, 1, 'an id given twice is matched once')
  t.equal(matches[0].association, repeated, 'the first one counts')
  t.same(rankMatches(base, [], { locale: 'en' }), [], 'an empty fair')
  t.same(rankMatches(base, [base], { locale: 'en' }), [], 'a fair of one')
})

t.test('limit: the best N of the full ranking', async (t) => {
  const full = rankMatches(self, everyone, { locale: 'en' })
  t.same(rankMatches(self, everyone, { locale: 'en', limit: 3 }), full.slice(0, 3))
  t.same(rankMatches(self, everyone, { locale: 'en', limit: 100 }), full)
  t.same(rankMatches(self, everyone, { locale: 'en', limit: 0 }), [])
})

t.test('labels from the database vocabulary; a key it no longer has shows as itself, last', async (t) => {
  const vocabulary: Vocabulary = {
    ...SEED_VOCABULARY,
    fieldsOfActivity: [
      { key: 'chess', labels: { de: 'Schach', en: 'Chess', tr: 'Satranç', ar: '' } },
      { key: 'sport', labels: { de: 'Sport', en: 'Sports', tr: 'Spor', ar: 'الرياضة' } },
    ],
  }
  const a = exhibitor('A', false, ['zz-retired', 'sport', 'chess', 'aa-retired'], [], null)
  const b = exhibitor('B', false, ['aa-retired', 'chess', 'sport', 'zz-retired'], [], null)
  const [match] = rankMatches(a, [b], { locale: 'ar', vocabulary })
  t.same(
    match.reasons.map((r) => [r.key, r.text]),
    [
      ['chess', 'مجال نشاط مشترك: Schach'],
      ['sport', 'مجال نشاط مشترك: الرياضة'],
      ['aa-retired', 'مجال نشاط مشترك: aa-retired'],
      ['zz-retired', 'مجال نشاط مشترك: zz-retired'],
    ],
    'vocabulary order, German when a translation is missing, unknown keys after in key order',
  )
  t.equal(rankMatches(a, [b], { locale: 'en', vocabulary })[0].reasons[1].text, 'Shared field of activity: Sports', "the database's label, not the seed's")
})

// A small seeded generator, so the big fair is the same on every run.
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}
const pick = <T>(next: () => number, list: readonly T[], count: number) => {
  const chosen = new Set<T>()
  while (chosen.size < count) chosen.add(list[Math.floor(next() * list.length)])
  return [...chosen]
}
function bigFair(size: number, seed: number): Exhibitor[] {
  const next = random(seed)
  const fields = SEED_VOCABULARY.fieldsOfActivity.map((v) => v.key)
  const groups = SEED_VOCABULARY.targetGroups.map((v) => v.key)
  const districts = SEED_VOCABULARY.districts.map((v) => v.key)
  const names = ['Kulturverein', 'Sportclub', 'Elterninitiative', 'Gemeinde', 'Jugendforum', 'Frauentreff', 'Nachbarschaft', 'Ökoinitiative']
  return Array.from({ length: size }, (_, i) =>
    exhibitor(
      // Few distinct names, so that many ties are broken by id.
      `${names[Math.floor(next() * names.length)]} ${Math.floor(next() * 20)}`,
      next() < 0.4,
      pick(next, fields, 1 + Math.floor(next() * 4)),
      pick(next, groups, Math.floor(next() * 4)),
      next() < 0.1 ? null : districts[Math.floor(next() * districts.length)],
      `${String(i).padStart(8, '0')}-0000-4000-8000-${String(Math.floor(next() * 1e12)).padStart(12, '0')}`,
    ),
  )
}

/** The rules written again the plain way: every pair, arrays instead of sets, one comparison at the end. */
function expectedRanking(asking: Exhibitor, all: Exhibitor[]) {
  const rows: { id: string; name: string; score: number }[] = []
  for (const other of all) {
    if (other.id === asking.id) continue
    const fields = asking.fieldsOfActivity.filter((f) => other.fieldsOfActivity.includes(f)).length
    const groups = asking.targetGroups.filter((g) => other.targetGroups.includes(g)).length
    const district = asking.district !== null && asking.district === other.district ? 1 : 0
    const base = 3 * fields + 2 * groups + 2 * district
    if (base === 0) continue
    rows.push({ id: other.id, name: other.name, score: base + (asking.migrantOrganization !== other.migrantOrganization ? 4 : 0) })
  }
  const collator = new Intl.Collator('de')
  rows.sort((a, b) => b.score - a.score || collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1))
  return rows.map((r) => [r.id, r.score])
}

t.test('500 exhibitors: the same ranking as the plain re-computation, for several of them', async (t) => {
  const all = bigFair(500, 2027)
  t.equal(new Set(all.map((e) => e.id)).size, 500)
  for (const index of [0, 1, 137, 250, 499]) {
    const asking = all[index]
    const matches = rankMatches(asking, all, { locale: 'de' })
    const expected = expectedRanking(asking, all)
    t.ok(expected.length > 100, `exhibitor ${index} has many matches (${expected.length})`)
    t.same(matches.map((m) => [m.association.id, m.score]), expected, `exhibitor ${index}: order and scores`)
    const ties = matches.filter((m, i) => i > 0 && m.score === matches[i - 1].score && m.association.name === matches[i - 1].association.name)
    t.ok(ties.length > 0, `exhibitor ${index}: the fixture has ties that only the id breaks (${ties.length})`)
  }
})

t.test('deterministic: the input order does not matter, nor the call', async (t) => {
  const all = bigFair(500, 7)
  const asking = all[42]
  const first = rankMatches(asking, all, { locale: 'tr' })
  const next = random(99)
  for (let round = 0; round < 5; round++) {
    const shuffled = [...all]
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
    t.same(rankMatches(asking, shuffled, { locale: 'tr' }), first, `shuffle ${round + 1}`)
    t.same(rankMatches(asking, [...all].reverse(), { locale: 'tr' }), first, `reversed ${round + 1}`)
  }
})

t.test('symmetric: a pair scores the same from either side', async (t) => {
  const all = bigFair(60, 11)
  let pairs = 0
  for (const a of all) {
    for (const b of all) {
      if (a.id >= b.id) continue
      const ab = rankMatches(a, [b], { locale: 'en' })[0]?.score ?? 0
      const ba = rankMatches(b, [a], { locale: 'en' })[0]?.score ?? 0
      if (ab !== ba) t.fail(`${a.id} / ${b.id}: ${ab} vs ${ba}`)
      pairs++
    }
  }
  t.equal(pairs, (60 * 59) / 2)
})
