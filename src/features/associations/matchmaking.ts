/*
 * Matchmaking (contract: `GET /v1/events/{eventId}/matches?associationId=`): the other exhibitors of a fair,
 * ranked for one exhibitor, each with a score and the reasons in the caller's language.
 *
 * Pure and deterministic: the same profiles give the same list in the same order, whatever order the caller
 * read them in. The weights and why they are what they are: docs/decisions/0063-matchmaking-weights.md. The score is exactly the sum
 * of the weights of the reasons shown, so what a user reads is what ranked the match.
 *
 * Cost: one pass over the exhibitors with set lookups, O(n·k) for n exhibitors of k keys each, then one sort;
 * reason texts are only written for the matches returned.
 */
import type { Locale } from '../../mail/templates.js'
import { labelsIn, SEED_VOCABULARY, type Vocabulary, type VocabularyTerm } from './vocabulary.js'

/** The public profile fields matchmaking reads; the caller's objects may carry more (stand, website…). */
export interface MatchProfile {
  id: string
  name: string
  fieldsOfActivity: readonly string[]
  targetGroups: readonly string[]
  district: string | null
  migrantOrganization: boolean
}

export type MatchReasonKind = 'field' | 'targetGroup' | 'district' | 'bridge'

/** As in the contract: one reason per shared key; `bridge` has no key. */
export interface MatchReason {
  kind: MatchReasonKind
  key?: string
  text: string
}

export interface Match<P extends MatchProfile> {
  association: P
  score: number
  reasons: MatchReason[]
}

export const MATCH_WEIGHTS: Readonly<Record<MatchReasonKind, number>> = Object.freeze({
  field: 3,
  targetGroup: 2,
  district: 2,
  // Added only to a pair that already shares something: the fair wants partners across backgrounds, not
  // strangers paired for their background alone.
  bridge: 4,
})

export interface MatchOptions {
  locale: Locale
  /** labels and display order of the keys; the seed when absent (tests, or a database that has no edits) */
  vocabulary?: Readonly<Vocabulary>
  /** at most this many matches, the best ones */
  limit?: number
}

interface Scored<P> {
  association: P
  fields: string[]
  groups: string[]
  district: boolean
  bridge: boolean
  score: number
}

type Texts = {
  field: (label: string) => string
  targetGroup: (label: string) => string
  district: (label: string) => string
  /** the other association is a migrant organisation, the caller's is not */
  bridgeToMigrant: string
  /** the other association has no migration history, the caller's is a migrant organisation */
  bridgeToNonMigrant: string
}

const TEXTS: Record<Locale, Texts> = {
  de: {
    field: (l) => `Gemeinsames Tätigkeitsfeld: ${l}`,
    targetGroup: (l) => `Gemeinsame Zielgruppe: ${l}`,
    district: (l) => `Im selben Stadtbezirk: ${l}`,
    bridgeToMigrant: 'Migrantische Organisation – eine Brücke zwischen Vereinen mit und ohne Migrationsgeschichte',
    bridgeToNonMigrant: 'Verein ohne Migrationsgeschichte – eine Brücke zwischen Vereinen mit und ohne Migrationsgeschichte',
  },
  en: {
    field: (l) => `Shared field of activity: ${l}`,
    targetGroup: (l) => `Shared target group: ${l}`,
    district: (l) => `Same district: ${l}`,
    bridgeToMigrant: 'Migrant organisation – a bridge between associations with and without a migration history',
    bridgeToNonMigrant: 'Association without a migration history – a bridge between associations with and without a migration history',
  },
  tr: {
    field: (l) => `Ortak faaliyet alanı: ${l}`,
    targetGroup: (l) => `Ortak hedef grup: ${l}`,
    district: (l) => `Aynı ilçede: ${l}`,
    bridgeToMigrant: 'Göçmen örgütü – göç geçmişi olan ve olmayan dernekler arasında bir köprü',
    bridgeToNonMigrant: 'Göç geçmişi olmayan dernek – göç geçmişi olan ve olmayan dernekler arasında bir köprü',
  },
  ar: {
    field: (l) => `مجال نشاط مشترك: ${l}`,
    targetGroup: (l) => `فئة مستهدفة مشتركة: ${l}`,
    district: (l) => `في المنطقة نفسها: ${l}`,
    bridgeToMigrant: 'منظمة مهاجرين – جسر بين الجمعيات ذات تاريخ الهجرة وغيرها',
    bridgeToNonMigrant: 'جمعية بلا تاريخ هجرة – جسر بين الجمعيات ذات تاريخ الهجرة وغيرها',
  },
}

// Names compare as a German reader expects (Ä with A, case ignored first), fixed to one locale so that the
// order never depends on the caller's language or the server's.
const nameOrder = new Intl.Collator('de')

/** The keys of `theirs` that are in `own`, each once. */
function shared(own: ReadonlySet<string>, theirs: readonly string[]): string[] {
  const found: string[] = []
  for (const key of theirs) if (own.has(key) && !found.includes(key)) found.push(key)
  return found
}

/** Ranks `exhibitors` for `self`; `self` itself and repeated ids (the first one counts) are left out, and so is anyone sharing nothing. */
export function rankMatches<P extends MatchProfile>(self: MatchProfile, exhibitors: readonly P[], options: MatchOptions): Match<P>[] {
  const ownFields = new Set(self.fieldsOfActivity)
  const ownGroups = new Set(self.targetGroups)
  const seen = new Set<string>([self.id])
  const scored: Scored<P>[] = []
  for (const other of exhibitors) {
    if (seen.has(other.id)) continue
    seen.add(other.id)
    const fields = shared(ownFields, other.fieldsOfActivity)
    const groups = shared(ownGroups, other.targetGroups)
    const district = !!self.district && self.district === other.district
    const base = fields.length * MATCH_WEIGHTS.field + groups.length * MATCH_WEIGHTS.targetGroup + (district ? MATCH_WEIGHTS.district : 0)
    if (base === 0) continue
    const bridge = self.migrantOrganization !== other.migrantOrganization
    scored.push({ association: other, fields, groups, district, bridge, score: base + (bridge ? MATCH_WEIGHTS.bridge : 0) })
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      nameOrder.compare(a.association.name, b.association.name) ||
      (a.association.id < b.association.id ? -1 : a.association.id > b.association.id ? 1 : 0),
  )
  const best = options.limit === undefined ? scored : scored.slice(0, Math.max(0, options.limit))
  const explain = explainer(options.locale, options.vocabulary ?? SEED_VOCABULARY)
  return best.map((s) => ({ association: s.association, score: s.score, reasons: explain(s) }))
}

/** Writes the reasons of a scored pair: fields, target groups, district, bridge; keys in the vocabulary's order. */
function explainer(locale: Locale, vocabulary: Readonly<Vocabulary>) {
  const texts = TEXTS[locale]
  const fields = terms(vocabulary.fieldsOfActivity, locale)
  const groups = terms(vocabulary.targetGroups, locale)
  const districts = terms(vocabulary.districts, locale)
  return (s: Scored<MatchProfile>): MatchReason[] => {
    const reasons: MatchReason[] = []
    for (const key of fields.sorted(s.fields)) reasons.push({ kind: 'field', key, text: texts.field(fields.label(key)) })
    for (const key of groups.sorted(s.groups)) reasons.push({ kind: 'targetGroup', key, text: texts.targetGroup(groups.label(key)) })
    if (s.district) {
      const key = s.association.district as string
      reasons.push({ kind: 'district', key, text: texts.district(districts.label(key)) })
    }
    if (s.bridge) reasons.push({ kind: 'bridge', text: s.association.migrantOrganization ? texts.bridgeToMigrant : texts.bridgeToNonMigrant })
    return reasons
  }
}

/** Labels and order of one kind of term; a key no longer in the vocabulary shows as itself, after the known ones. */
function terms(list: readonly VocabularyTerm[], locale: Locale) {
  const labels = labelsIn(list, locale)
  const position = new Map(list.map((t, i) => [t.key, i]))
  const rank = (key: string) => position.get(key) ?? list.length
  return {
    label: (key: string) => labels.get(key) ?? key,
    sorted: (keys: string[]) => [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)),
  }
}
