import { Type } from 'typebox'
import { ref } from '../../http/schemas.js'
import { VOCABULARY_KEY, VOCABULARY_KEY_MAX_LENGTH, VOCABULARY_KINDS, type VocabularyKind } from './vocabulary.js'

export const VocabularyKey = Type.String({
  pattern: VOCABULARY_KEY.source,
  minLength: 1,
  maxLength: VOCABULARY_KEY_MAX_LENGTH,
  description: 'lower-case ASCII words joined by hyphens, e.g. "youth" or "innenstadt-nord"',
})

const label = (description: string, minLength = 0) => Type.String({ minLength, maxLength: 100, description })

export const VocabularyLabels = Type.Object(
  {
    de: label('German; required, the fallback for a language left empty', 1),
    en: label('English; empty shows the German label'),
    tr: label('Turkish; empty shows the German label'),
    ar: label('Arabic; empty shows the German label'),
  },
  { $id: 'VocabularyLabels', additionalProperties: false },
)

export const VocabularyTerm = Type.Object(
  { key: VocabularyKey, labels: ref(VocabularyLabels) },
  { $id: 'VocabularyTerm', additionalProperties: false },
)

export const Vocabularies = Type.Object(
  {
    fieldsOfActivity: Type.Array(ref(VocabularyTerm), { description: 'what an association does' }),
    targetGroups: Type.Array(ref(VocabularyTerm), { description: 'whom it does it for' }),
    districts: Type.Array(ref(VocabularyTerm), { description: "the city's districts" }),
  },
  { $id: 'Vocabularies', additionalProperties: false, description: 'each list in display order; requests use the keys' },
)

export const VocabularyTermCreate = Type.Object(
  { key: VocabularyKey, labels: ref(VocabularyLabels) },
  { $id: 'VocabularyTermCreate', additionalProperties: false },
)

export const VocabularyTermPatch = Type.Object(
  { labels: ref(VocabularyLabels) },
  { $id: 'VocabularyTermPatch', additionalProperties: false, description: 'a key never changes: profiles store it' },
)

export const VocabularyKindParam = Type.Unsafe<VocabularyKind>({ type: 'string', enum: [...VOCABULARY_KINDS] })

export const vocabularySchemas = [VocabularyLabels, VocabularyTerm, Vocabularies, VocabularyTermCreate, VocabularyTermPatch]
