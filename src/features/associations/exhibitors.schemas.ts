import { Type } from 'typebox'
import { Nullable, PageQuery, Uuid, ref } from '../../http/schemas.js'
// The public profile is one component (AssociationPublic) for the directory, the exhibitors and the matches.
import { AssociationPublic } from './associations.schemas.js'

export const ExhibitorStand = Type.Object(
  { id: Uuid, code: Type.String(), area: Nullable(Type.String()) },
  { $id: 'ExhibitorStand', additionalProperties: false },
)

export const Exhibitor = Type.Object(
  {
    association: ref(AssociationPublic),
    stand: ref(ExhibitorStand),
    coExhibitors: Type.Array(ref(AssociationPublic), { description: 'associations sharing the stand that confirmed' }),
  },
  { $id: 'Exhibitor', additionalProperties: false },
)

export const ExhibitorList = Type.Object(
  { items: Type.Array(ref(Exhibitor)), nextCursor: Nullable(Type.String()) },
  { $id: 'ExhibitorList', additionalProperties: false },
)

export const ExhibitorListQuery = PageQuery

export const exhibitorSchemas = [ExhibitorStand, Exhibitor, ExhibitorList]
