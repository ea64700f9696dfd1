import { Type } from 'typebox'
import { REGISTRATION_STATUSES } from '../../db/schema.js'
import { Email, Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const Language = Type.Unsafe<'de' | 'en' | 'tr' | 'ar'>({
  type: 'string',
  enum: ['de', 'en', 'tr', 'ar'],
  description: 'language of emails to this person; default de',
})
// A name is one line of ordinary text: no control characters, C0 or C1 (they break emails, CSV exports and logs),
// and not only blanks. Linear on purpose: Ajv tests the pattern even on a string far over maxLength, and a
// `[^…]*\\S[^…]*` form backtracks quadratically there (a 200k-character name held the event loop for a minute).
const PersonName = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^(?!\\s*$)[^\\u0000-\\u001f\\u007f-\\u009f]*$',
})
// Free text over several lines: tabs and line breaks, but no other control characters (PostgreSQL refuses NUL).
const FreeText = (maxLength: number) =>
  Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' })

export const RegistrationCreate = Type.Object(
  {
    email: Email,
    name: PersonName,
    partySize: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: "1..the event's maxPartySize, default 1" })),
    language: Type.Optional(Language),
    consent: Type.Object({ privacy: Type.Literal(true) }, { additionalProperties: false }),
    accessibilityNeeds: Type.Optional(FreeText(2000)),
  },
  { $id: 'RegistrationCreate', additionalProperties: false },
)

export const RegistrationPatch = Type.Object(
  {
    name: Type.Optional(PersonName),
    partySize: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    language: Type.Optional(Language),
  },
  { $id: 'RegistrationPatch', additionalProperties: false, minProperties: 1 },
)

export const TicketLink = Type.Object(
  {
    id: Uuid,
    code: Type.String({ description: 'what the QR code holds: VM1 + base64url(ticket id, key id, Ed25519 signature)' }),
    qrPngUrl: Type.String(),
    qrSvgUrl: Type.String(),
  },
  { $id: 'TicketLink', additionalProperties: false },
)

export const RegistrationStatus = Type.Unsafe<(typeof REGISTRATION_STATUSES)[number]>({
  type: 'string',
  enum: [...REGISTRATION_STATUSES],
})

export const RegistrationCreated = Type.Object(
  {
    id: Uuid,
    status: RegistrationStatus,
    partySize: Type.Integer(),
    waitlistPosition: Type.Optional(Type.Integer({ minimum: 1 })),
    manageToken: Type.String({ description: 'vmr_ token: read, change, cancel this registration; shown only here and in emails' }),
    ticket: Type.Optional(ref(TicketLink)),
  },
  { $id: 'RegistrationCreated', additionalProperties: false },
)

export const Registration = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    email: Type.String(),
    name: Type.String(),
    partySize: Type.Integer(),
    language: Language,
    accessibilityNeeds: Nullable(Type.String()),
    status: RegistrationStatus,
    waitlistPosition: Type.Optional(Type.Integer({ minimum: 1 })),
    ticket: Type.Optional(ref(TicketLink)),
    reservations: Type.Array(
      Type.Object(
        {
          sessionId: Uuid,
          title: Type.String(),
          startsAt: Timestamp,
          endsAt: Timestamp,
          roomName: Type.String(),
          status: Type.Unsafe<'reserved' | 'waitlisted'>({ type: 'string', enum: ['reserved', 'waitlisted'] }),
          people: Type.Integer(),
        },
        { additionalProperties: false },
      ),
      { description: 'seats held in sessions of the program (live reservations; GET …/sessions has the details)' },
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    cancelledAt: Nullable(Timestamp),
  },
  { $id: 'Registration', additionalProperties: false },
)

export const ResendRequest = Type.Object({ email: Email }, { $id: 'ResendRequest', additionalProperties: false })

export const RegistrationParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' })),
})

export const registrationSchemas = [RegistrationCreate, RegistrationPatch, TicketLink, RegistrationCreated, Registration, ResendRequest]
