import { Type } from 'typebox'
import { OUTBOX_STATUSES } from '../../db/schema.js'
import { Nullable, Timestamp, Uuid } from '../../http/schemas.js'
import { RegistrationStatus } from './registrations.schemas.js'

/** What GET /v1/registrations/{id}/personal-data answers: everything stored about the person. */
export const PersonalData = Type.Object(
  {
    exportedAt: Timestamp,
    registration: Type.Object(
      {
        id: Uuid,
        eventId: Uuid,
        email: Type.String(),
        name: Type.String(),
        partySize: Type.Integer(),
        language: Type.String(),
        accessibilityNeeds: Nullable(Type.String()),
        status: RegistrationStatus,
        consentPrivacyAt: Timestamp,
        createdAt: Timestamp,
        updatedAt: Timestamp,
        cancelledAt: Nullable(Timestamp),
        erasedAt: Nullable(Timestamp),
      },
      { additionalProperties: false },
    ),
    event: Type.Object(
      {
        id: Uuid,
        slug: Type.String(),
        title: Type.String(),
        startsAt: Timestamp,
        endsAt: Timestamp,
        retentionDays: Nullable(Type.Integer()),
        erasedAfter: Type.Union([Timestamp, Type.Null()], {
          description: 'when the retention job erases this registration; null: kept until erased',
        }),
      },
      { additionalProperties: false },
    ),
    tickets: Type.Array(
      Type.Object(
        {
          id: Uuid,
          code: Type.String(),
          admits: Type.Integer(),
          holderName: Nullable(Type.String()),
          createdAt: Timestamp,
          revokedAt: Nullable(Timestamp),
        },
        { additionalProperties: false },
      ),
    ),
    manageTokens: Type.Array(Type.Object({ createdAt: Timestamp }, { additionalProperties: false }), {
      description: 'when manage links were issued; tokens are stored only as hashes, and those are not shown',
    }),
    idempotencyKeys: Type.Array(Type.Object({ key: Type.String(), createdAt: Timestamp }, { additionalProperties: false })),
    reservations: Type.Array(
      Type.Object(
        {
          sessionId: Uuid,
          sessionTitle: Type.String(),
          status: Type.String({ description: 'reserved, waitlisted or cancelled' }),
          people: Type.Integer(),
          createdAt: Timestamp,
          cancelledAt: Nullable(Timestamp),
        },
        { additionalProperties: false },
      ),
      { description: 'seats reserved in sessions of the program, cancelled ones included' },
    ),
    emails: Type.Array(
      Type.Object(
        {
          id: Uuid,
          to: Type.String(),
          template: Type.String(),
          locale: Type.String(),
          status: Type.Unsafe<(typeof OUTBOX_STATUSES)[number]>({ type: 'string', enum: [...OUTBOX_STATUSES] }),
          createdAt: Timestamp,
          sentAt: Nullable(Timestamp),
          data: Type.Record(Type.String(), Type.Unknown(), {
            description: 'what the email was rendered from; tokens in links are replaced by REDACTED',
          }),
        },
        { additionalProperties: false },
      ),
      { description: "every email of this event to the registration's address" },
    ),
  },
  { $id: 'PersonalData', additionalProperties: false },
)

export const privacySchemas = [PersonalData]
