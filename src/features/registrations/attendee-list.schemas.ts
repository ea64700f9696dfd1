import { Type } from 'typebox'
import { Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { Language, RegistrationStatus } from './registrations.schemas.js'

/** One row of the organizer's list: the registration as the organizer needs it at the desk, without the ticket code. */
export const RegistrationListItem = Type.Object(
  {
    id: Uuid,
    status: RegistrationStatus,
    name: Type.String(),
    email: Type.String(),
    partySize: Type.Integer(),
    language: Language,
    accessibilityNeeds: Nullable(Type.String()),
    ticketId: Nullable(Uuid),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    cancelledAt: Nullable(Timestamp),
    erasedAt: Nullable(Timestamp),
  },
  { $id: 'RegistrationListItem', additionalProperties: false },
)

export const RegistrationList = Type.Object(
  { items: Type.Array(ref(RegistrationListItem)), nextCursor: Nullable(Type.String()) },
  { $id: 'RegistrationList', additionalProperties: false },
)

export const RegistrationListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(RegistrationStatus),
    q: Type.Optional(
      Type.String({ minLength: 2, maxLength: 100, description: 'part of the name or email, case-insensitive' }),
    ),
  },
  { additionalProperties: false },
)

export const attendeeListSchemas = [RegistrationListItem, RegistrationList]
