import t from 'tap'
import { LOCALES } from '../../../src/mail/templates.js'
import {
  isVocabularyKey,
  labelIn,
  labelsIn,
  SEED_VOCABULARY,
  unknownKeys,
  VOCABULARY_KINDS,
  vocabularySeedRows,
  type VocabularyTerm,
} from '../../../src/features/associations/vocabulary.js'

// The seeded vocabulary (GET /v1/vocabularies before any admin edit) and the helpers around it.

const keys = (terms: readonly VocabularyTerm[]) => terms.map((term) => term.key)

t.test("Dortmund's twelve Stadtbezirke, in the city's order, with stable keys", async (t) => {
  t.same(
    SEED_VOCABULARY.districts.map((d) => [d.key, d.labels.de]),
    [
      ['innenstadt-west', 'Innenstadt-West'],
      ['innenstadt-nord', 'Innenstadt-Nord'],
      ['innenstadt-ost', 'Innenstadt-Ost'],
      ['eving', 'Eving'],
      ['scharnhorst', 'Scharnhorst'],
      ['brackel', 'Brackel'],
      ['aplerbeck', 'Aplerbeck'],
      ['hoerde', 'Hörde'],
      ['hombruch', 'Hombruch'],
      ['luetgendortmund', 'Lütgendortmund'],
      ['huckarde', 'Huckarde'],
      ['mengede', 'Mengede'],
    ],
  )
  for (const d of SEED_VOCABULARY.districts) {
    t.equal(d.labels.en, d.labels.de, `${d.key}: the official name in English`)
    t.equal(d.labels.tr, d.labels.de, `${d.key}: the official name in Turkish`)
    t.match(d.labels.ar, /^[\u0600-\u06FF ]+$/, `${d.key}: Arabic script in Arabic`)
  }
})

t.test('the words the issue names are all there, each in one list', async (t) => {
  const fields = keys(SEED_VOCABULARY.fieldsOfActivity)
  const groups = keys(SEED_VOCABULARY.targetGroups)
  for (const key of ['culture', 'education', 'sport', 'religion', 'integration', 'environment', 'health', 'neighbourhood']) {
    t.ok(fields.includes(key), `${key} is a field of activity`)
  }
  for (const key of ['youth', 'parents', 'women', 'seniors']) t.ok(groups.includes(key), `${key} is a target group`)
  t.same(fields.filter((k) => groups.includes(k)), [], 'no key in both lists')
  t.ok(fields.length >= 12 && fields.length <= 20, `a usable number of fields (${fields.length})`)
  t.ok(groups.length >= 8 && groups.length <= 16, `a usable number of target groups (${groups.length})`)
})

t.test('every term: a valid, unique key and four non-empty, distinct labels', async (t) => {
  t.same(Object.keys(SEED_VOCABULARY).sort(), [...VOCABULARY_KINDS].sort())
  for (const kind of VOCABULARY_KINDS) {
    const terms = SEED_VOCABULARY[kind]
    t.equal(new Set(keys(terms)).size, terms.length, `${kind}: keys unique`)
    for (const term of terms) {
      t.ok(isVocabularyKey(term.key), `${kind}/${term.key}: key shape`)
      t.same(Object.keys(term.labels).sort(), [...LOCALES].sort(), `${kind}/${term.key}: exactly de, en, tr, ar`)
      for (const locale of LOCALES) {
        const label = term.labels[locale]
        t.ok(label.length > 0 && label === label.trim(), `${kind}/${term.key}/${locale}: non-empty and trimmed`)
      }
      t.match(term.labels.ar, /[\u0600-\u06FF]/, `${kind}/${term.key}: the Arabic label is in Arabic script`)
    }
    for (const locale of LOCALES) {
      const labels = terms.map((term) => term.labels[locale])
      t.equal(new Set(labels).size, labels.length, `${kind}/${locale}: no two terms read the same`)
    }
  }
  // A translation left in another language is the likely slip: the Turkish and Arabic lists differ from the English.
  const fieldLabels = (locale: 'en' | 'tr') => SEED_VOCABULARY.fieldsOfActivity.map((term) => term.labels[locale])
  t.ok(fieldLabels('tr').filter((label, i) => label === fieldLabels('en')[i]).length <= 2, 'Turkish labels are Turkish')
})

t.test('the seed cannot be changed by accident', async (t) => {
  const districts = SEED_VOCABULARY.districts as VocabularyTerm[]
  t.throws(() => districts.push({ key: 'x', labels: { de: 'x', en: 'x', tr: 'x', ar: 'x' } }), TypeError)
  t.throws(() => {
    districts[0].labels.de = 'Mitte'
  }, TypeError)
  t.throws(() => {
    ;(SEED_VOCABULARY as { districts: unknown }).districts = []
  }, TypeError)
  t.equal(SEED_VOCABULARY.districts[0].labels.de, 'Innenstadt-West')
})

t.test('vocabularySeedRows: one fresh row per term, in display order', async (t) => {
  const rows = vocabularySeedRows()
  const total = VOCABULARY_KINDS.reduce((n, kind) => n + SEED_VOCABULARY[kind].length, 0)
  t.equal(rows.length, total)
  t.same([...new Set(rows.map((r) => r.kind))], ['fieldsOfActivity', 'targetGroups', 'districts'])
  for (const kind of VOCABULARY_KINDS) {
    const ofKind = rows.filter((r) => r.kind === kind)
    t.same(ofKind.map((r) => r.key), keys(SEED_VOCABULARY[kind]), `${kind}: keys in order`)
    t.same(ofKind.map((r) => r.position), ofKind.map((_, i) => (i + 1) * 10), `${kind}: positions 10, 20, …`)
    t.same(ofKind.map((r) => r.labels), SEED_VOCABULARY[kind].map((term) => term.labels), `${kind}: labels`)
  }
  const hoerde = rows.find((r) => r.key === 'hoerde')!
  t.same(hoerde, { kind: 'districts', key: 'hoerde', position: 80, labels: { de: 'Hörde', en: 'Hörde', tr: 'Hörde', ar: 'هورده' } })
  hoerde.labels.de = 'changed'
  t.equal(SEED_VOCABULARY.districts[7].labels.de, 'Hörde', 'rows are copies: editing one leaves the seed alone')
  t.not(vocabularySeedRows()[0], rows[0], 'each call gives new rows')
})

t.test('isVocabularyKey', async (t) => {
  for (const key of ['youth', 'people-with-disabilities', 'a1', 'x', 'a'.repeat(40)]) t.ok(isVocabularyKey(key), `accepts ${key}`)
  for (const key of ['', 'Youth', 'youth ', ' youth', '-youth', 'youth-', 'you--th', 'jugend_arbeit', 'hörde', '1youth', 'a b', 'a'.repeat(41), 'youth\n']) {
    t.notOk(isVocabularyKey(key), `refuses ${JSON.stringify(key)}`)
  }
})

t.test('labelIn: the locale, else German, else the key', async (t) => {
  const culture = SEED_VOCABULARY.fieldsOfActivity.find((term) => term.key === 'culture')!
  t.same(LOCALES.map((locale) => labelIn(culture, locale)), ['Kultur', 'Culture', 'Kültür', 'الثقافة'])
  const added: VocabularyTerm = { key: 'chess', labels: { de: 'Schach', en: '', tr: '  ', ar: '' } }
  t.equal(labelIn(added, 'en'), 'Schach', 'an empty translation falls back to German')
  t.equal(labelIn(added, 'tr'), 'Schach', 'so does one of spaces')
  t.equal(labelIn({ key: 'chess', labels: { de: '', en: '', tr: '', ar: '' } }, 'ar'), 'chess', 'nothing at all: the key')
  t.equal(labelIn({ key: 'chess', labels: { de: ' Schach ', en: '', tr: '', ar: '' } }, 'de'), 'Schach', 'trimmed')
})

t.test('labelsIn: key → label, in the list order', async (t) => {
  const labels = labelsIn(SEED_VOCABULARY.districts, 'ar')
  t.equal(labels.size, 12)
  t.equal(labels.get('eving'), 'إيفينغ')
  t.same([...labels.keys()], keys(SEED_VOCABULARY.districts))
  t.equal(labelsIn([], 'de').size, 0)
})

t.test('unknownKeys: what a request names that the vocabulary lacks, once each, in order', async (t) => {
  const groups = SEED_VOCABULARY.targetGroups
  t.same(unknownKeys(groups, ['youth', 'women']), [])
  t.same(unknownKeys(groups, []), [])
  t.same(unknownKeys(groups, ['youth', 'aliens', 'culture', 'aliens', 'Youth']), ['aliens', 'culture', 'Youth'], 'culture is a field, not a target group; keys are case-sensitive')
  t.same(unknownKeys([], ['a']), ['a'])
})
