/*
 * The fixed, translatable words an association describes itself with (contract: `GET /v1/vocabularies` →
 * `{fieldsOfActivity, targetGroups, districts}`, each `{key, labels: {de, en, tr, ar}}`; requests use the keys).
 *
 * These are the seed: the database layer copies them into its tables on a fresh database, and from then on
 * admins extend and edit the tables, so code that runs at request time reads the tables, not these constants.
 *
 * Fields of activity say what an association does, target groups whom it does it for. The issue names them in
 * one list; they are two here because the contract has two fields and because matchmaking weighs them
 * differently (two clubs doing sport have more to do together than two clubs that both work with young people).
 * A word lives in exactly one list (a test checks it), so "youth" is a target group and youth work is what an
 * association does *for* that group.
 *
 * District names are proper names: de, en and tr show the official name, as on street signs and in addresses;
 * ar a transliteration in Arabic script for readers who do not read Latin script.
 */
import { DEFAULT_LOCALE, type Locale } from '../../mail/templates.js'

export type Labels = Record<Locale, string>

export interface VocabularyTerm {
  key: string
  labels: Labels
}

export const VOCABULARY_KINDS = ['fieldsOfActivity', 'targetGroups', 'districts'] as const
export type VocabularyKind = (typeof VOCABULARY_KINDS)[number]

export type Vocabulary = Record<VocabularyKind, readonly VocabularyTerm[]>

/** What a key looks like, for terms admins add: lower-case ASCII words joined by hyphens (they go into URLs: `?field=`). */
export const VOCABULARY_KEY = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
export const VOCABULARY_KEY_MAX_LENGTH = 40

const term = (key: string, de: string, en: string, tr: string, ar: string): VocabularyTerm => ({ key, labels: { de, en, tr, ar } })

const FIELDS_OF_ACTIVITY: VocabularyTerm[] = [
  term('culture', 'Kultur', 'Culture', 'Kültür', 'الثقافة'),
  term('arts', 'Kunst und Musik', 'Arts and music', 'Sanat ve müzik', 'الفنون والموسيقى'),
  term('education', 'Bildung', 'Education', 'Eğitim', 'التعليم'),
  term('language', 'Sprachförderung', 'Language learning', 'Dil eğitimi', 'تعليم اللغة'),
  term('sport', 'Sport', 'Sport', 'Spor', 'الرياضة'),
  term('religion', 'Religion', 'Religion', 'Din', 'الدين'),
  term('integration', 'Integration', 'Integration', 'Entegrasyon', 'الاندماج'),
  term('environment', 'Umwelt und Klima', 'Environment and climate', 'Çevre ve iklim', 'البيئة والمناخ'),
  term('health', 'Gesundheit', 'Health', 'Sağlık', 'الصحة'),
  term('neighbourhood', 'Nachbarschaft und Quartier', 'Neighbourhood', 'Mahalle ve komşuluk', 'الجوار والحي'),
  term('counselling', 'Beratung und soziale Hilfe', 'Counselling and social support', 'Danışmanlık ve sosyal destek', 'الاستشارة والدعم الاجتماعي'),
  term('anti-discrimination', 'Antidiskriminierung', 'Anti-discrimination', 'Ayrımcılıkla mücadele', 'مكافحة التمييز'),
  term('development-cooperation', 'Entwicklungszusammenarbeit', 'Development cooperation', 'Kalkınma işbirliği', 'التعاون الإنمائي'),
  term('leisure', 'Freizeit und Geselligkeit', 'Leisure and social life', 'Boş zaman ve sosyal etkinlikler', 'الترفيه والأنشطة الاجتماعية'),
]

const TARGET_GROUPS: VocabularyTerm[] = [
  term('children', 'Kinder', 'Children', 'Çocuklar', 'الأطفال'),
  term('youth', 'Jugendliche', 'Young people', 'Gençler', 'الشباب'),
  term('parents', 'Eltern und Familien', 'Parents and families', 'Anne babalar ve aileler', 'الآباء والأمهات والأسر'),
  term('women', 'Frauen', 'Women', 'Kadınlar', 'النساء'),
  term('seniors', 'Seniorinnen und Senioren', 'Older people', 'Yaşlı bireyler', 'كبار السن'),
  term('refugees', 'Geflüchtete', 'Refugees', 'Mülteciler', 'اللاجئون'),
  term('migrants', 'Zugewanderte', 'Migrants', 'Göçmenler', 'المهاجرون'),
  term('people-with-disabilities', 'Menschen mit Behinderung', 'People with disabilities', 'Engelli bireyler', 'الأشخاص ذوو الإعاقة'),
  term('lgbtiq', 'LSBTIQ*', 'LGBTIQ+', 'LGBTİ+', 'مجتمع الميم'),
  term('jobseekers', 'Arbeitsuchende', 'Jobseekers', 'İş arayanlar', 'الباحثون عن عمل'),
]

/** Dortmund's twelve Stadtbezirke, in the city's official order. */
const DISTRICTS: VocabularyTerm[] = [
  term('innenstadt-west', 'Innenstadt-West', 'Innenstadt-West', 'Innenstadt-West', 'وسط المدينة الغربي'),
  term('innenstadt-nord', 'Innenstadt-Nord', 'Innenstadt-Nord', 'Innenstadt-Nord', 'وسط المدينة الشمالي'),
  term('innenstadt-ost', 'Innenstadt-Ost', 'Innenstadt-Ost', 'Innenstadt-Ost', 'وسط المدينة الشرقي'),
  term('eving', 'Eving', 'Eving', 'Eving', 'إيفينغ'),
  term('scharnhorst', 'Scharnhorst', 'Scharnhorst', 'Scharnhorst', 'شارنهورست'),
  term('brackel', 'Brackel', 'Brackel', 'Brackel', 'براكل'),
  term('aplerbeck', 'Aplerbeck', 'Aplerbeck', 'Aplerbeck', 'أبلربيك'),
  term('hoerde', 'Hörde', 'Hörde', 'Hörde', 'هورده'),
  term('hombruch', 'Hombruch', 'Hombruch', 'Hombruch', 'هومبروخ'),
  term('luetgendortmund', 'Lütgendortmund', 'Lütgendortmund', 'Lütgendortmund', 'لوتغندورتموند'),
  term('huckarde', 'Huckarde', 'Huckarde', 'Huckarde', 'هوكارده'),
  term('mengede', 'Mengede', 'Mengede', 'Mengede', 'مينغيده'),
]

function frozen(terms: VocabularyTerm[]): readonly VocabularyTerm[] {
  for (const t of terms) Object.freeze(Object.freeze(t).labels)
  return Object.freeze(terms)
}

/** The seeded vocabulary, frozen: copy it (see `vocabularySeedRows`) before handing it to anything that edits. */
export const SEED_VOCABULARY: Readonly<Vocabulary> = Object.freeze({
  fieldsOfActivity: frozen(FIELDS_OF_ACTIVITY),
  targetGroups: frozen(TARGET_GROUPS),
  districts: frozen(DISTRICTS),
})

export interface VocabularySeedRow {
  kind: VocabularyKind
  key: string
  /** display order within its kind; steps of 10 leave room for terms admins insert between */
  position: number
  labels: Labels
}

/** The rows the database layer seeds its tables with: fresh objects, one per term, in display order. */
export function vocabularySeedRows(): VocabularySeedRow[] {
  return VOCABULARY_KINDS.flatMap((kind) =>
    SEED_VOCABULARY[kind].map((t, i) => ({ kind, key: t.key, position: (i + 1) * 10, labels: { ...t.labels } })),
  )
}

export function isVocabularyKey(key: string): boolean {
  return key.length <= VOCABULARY_KEY_MAX_LENGTH && VOCABULARY_KEY.test(key)
}

/**
 * A term's label in `locale`. Falls back to German (the fair's language and the one an admin adding a term
 * is sure to fill in), then to the key itself, so a half-translated term still shows as something readable.
 */
export function labelIn(term: VocabularyTerm, locale: Locale): string {
  return term.labels[locale]?.trim() || term.labels[DEFAULT_LOCALE]?.trim() || term.key
}

/** key → label in `locale`, for rendering many keys (directory cards, matchmaking reasons). */
export function labelsIn(terms: readonly VocabularyTerm[], locale: Locale): Map<string, string> {
  return new Map(terms.map((t) => [t.key, labelIn(t, locale)]))
}

/** The keys in `keys` that are not terms of `terms`, each once, in the order given: for a 400 naming them. */
export function unknownKeys(terms: readonly VocabularyTerm[], keys: readonly string[]): string[] {
  const known = new Set(terms.map((t) => t.key))
  return [...new Set(keys.filter((k) => !known.has(k)))]
}
