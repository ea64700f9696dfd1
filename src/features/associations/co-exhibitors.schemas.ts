import { Type } from 'typebox'
import { Uuid, ref } from '../../http/schemas.js'
import { AssociationPublic } from './associations.schemas.js'

export const CoExhibitorAnswer = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'from the link in the invitation email' }),
  },
  { $id: 'CoExhibitorAnswer', additionalProperties: false },
)

export const CoExhibitorStatus = Type.Unsafe<'invited' | 'confirmed' | 'declined'>({
  type: 'string',
  enum: ['invited', 'confirmed', 'declined'],
})

export const CoExhibitorResult = Type.Object(
  {
    bookingId: Uuid,
    eventId: Uuid,
    association: ref(AssociationPublic),
    status: CoExhibitorStatus,
  },
  { $id: 'CoExhibitorResult', additionalProperties: false },
)

export const coExhibitorSchemas = [CoExhibitorAnswer, CoExhibitorResult]
