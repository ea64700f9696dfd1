import { Type } from 'typebox'
import { LOCALES } from '../../mail/templates.js'
import { Uuid, ref } from '../../http/schemas.js'
import { AssociationPublic } from './associations.schemas.js'
import { ExhibitorStand } from './exhibitors.schemas.js'

export const MatchReason = Type.Object(
  {
    kind: Type.Unsafe<'field' | 'targetGroup' | 'district' | 'bridge'>({ type: 'string', enum: ['field', 'targetGroup', 'district', 'bridge'] }),
    key: Type.Optional(Type.String({ description: 'the vocabulary key shared; absent for bridge' })),
    text: Type.String({ description: "in the caller's language" }),
  },
  { $id: 'MatchReason', additionalProperties: false },
)

export const Match = Type.Object(
  {
    association: ref(AssociationPublic),
    stand: ref(ExhibitorStand),
    score: Type.Integer({ description: 'the sum of the weights of the reasons (docs/parts/exhibitors.md)' }),
    reasons: Type.Array(ref(MatchReason)),
  },
  { $id: 'Match', additionalProperties: false },
)

export const MatchList = Type.Object({ items: Type.Array(ref(Match)) }, { $id: 'MatchList', additionalProperties: false })

export const MatchQuery = Type.Object(
  {
    associationId: Uuid,
    lang: Type.Optional(
      Type.Unsafe<(typeof LOCALES)[number]>({
        type: 'string',
        enum: [...LOCALES],
        description: 'language of the reasons; overrides Accept-Language (default de)',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'the best this many matches' }),
  },
  { additionalProperties: false },
)

export const matchSchemas = [MatchReason, Match, MatchList]
