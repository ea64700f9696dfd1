import { and, asc, eq, max } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { vocabularyTerms } from '../../db/schema.js'
import { Problem, type FieldIssue } from '../../http/problem.js'
import { VOCABULARY_KINDS, unknownKeys, type Labels, type Vocabulary, type VocabularyKind, type VocabularyTerm } from './vocabulary.js'

/**
 * The vocabularies as they are now: one query over a few dozen rows on the primary key's order. No cache: with
 * several instances an admin's edit on one would leave the others stale, and the read costs less than the
 * sign-up's password hash it accompanies.
 */
export async function loadVocabulary(db: Queryable): Promise<Record<VocabularyKind, VocabularyTerm[]>> {
  const rows = await db
    .select({ kind: vocabularyTerms.kind, key: vocabularyTerms.key, labels: vocabularyTerms.labels })
    .from(vocabularyTerms)
    .orderBy(asc(vocabularyTerms.kind), asc(vocabularyTerms.position), asc(vocabularyTerms.key))
  const out: Record<VocabularyKind, VocabularyTerm[]> = { fieldsOfActivity: [], targetGroups: [], districts: [] }
  for (const row of rows) out[row.kind].push({ key: row.key, labels: row.labels })
  return out
}

/** What a profile names from the vocabularies; any part may be absent (a partial update). */
export interface VocabularyUse {
  fieldsOfActivity?: readonly string[]
  targetGroups?: readonly string[]
  district?: string
}

/**
 * Every key of `input` that is no term of its vocabulary, as field issues under `prefix` (the JSON pointer of the
 * profile in the body), so a form can mark each bad choice: `/body/association/fieldsOfActivity/1`.
 */
export function vocabularyIssues(vocabulary: Vocabulary, input: VocabularyUse, prefix: string): FieldIssue[] {
  const issues: FieldIssue[] = []
  for (const kind of ['fieldsOfActivity', 'targetGroups'] as const) {
    const keys = input[kind]
    if (!keys) continue
    for (const bad of unknownKeys(vocabulary[kind], keys)) {
      issues.push({ path: `${prefix}/${kind}/${keys.indexOf(bad)}`, message: `"${bad}" is not a term of ${kind} (GET /v1/vocabularies)` })
    }
  }
  if (input.district !== undefined && unknownKeys(vocabulary.districts, [input.district]).length) {
    issues.push({ path: `${prefix}/district`, message: `"${input.district}" is not a district (GET /v1/vocabularies)` })
  }
  return issues
}

export async function assertVocabulary(db: Queryable, input: VocabularyUse, prefix: string): Promise<void> {
  if (!input.fieldsOfActivity && !input.targetGroups && input.district === undefined) return
  const issues = vocabularyIssues(await loadVocabulary(db), input, prefix)
  if (issues.length) throw Problem.badRequest(issues.map((i) => `${i.path} ${i.message}`).join('; '), issues)
}

/** Appends a term at the end of its list. */
export async function addVocabularyTerm(db: Queryable, kind: VocabularyKind, input: { key: string; labels: Labels }): Promise<VocabularyTerm> {
  const [{ last }] = await db.select({ last: max(vocabularyTerms.position) }).from(vocabularyTerms).where(eq(vocabularyTerms.kind, kind))
  try {
    const [row] = await db
      .insert(vocabularyTerms)
      .values({ kind, key: input.key, labels: trimLabels(input.labels), position: (last ?? 0) + 10 })
      .returning()
    return { key: row.key, labels: row.labels }
  } catch (err) {
    if (isUniqueViolation(err)) throw Problem.conflict('vocabulary_key_taken', `${kind} already has a term "${input.key}".`)
    throw err
  }
}

/** Relabels a term; its key stays, since profiles store keys. */
export async function relabelVocabularyTerm(db: Queryable, kind: VocabularyKind, key: string, labels: Labels): Promise<VocabularyTerm> {
  const [row] = await db
    .update(vocabularyTerms)
    .set({ labels: trimLabels(labels) })
    .where(and(eq(vocabularyTerms.kind, kind), eq(vocabularyTerms.key, key)))
    .returning()
  if (!row) throw Problem.notFound('vocabulary term')
  return { key: row.key, labels: row.labels }
}

function trimLabels(labels: Labels): Labels {
  return { de: labels.de.trim(), en: labels.en.trim(), tr: labels.tr.trim(), ar: labels.ar.trim() }
}

export { VOCABULARY_KINDS }
