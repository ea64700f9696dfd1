import { Type } from 'typebox'
import { Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { TicketKindSchema } from './checkins.schemas.js'

export const CheckinSnapshot = Type.Object(
  {
    eventId: Uuid,
    publicKeys: Type.Array(
      Type.Object(
        {
          kid: Type.String({ description: 'the key id that ticket codes of this event carry' }),
          algorithm: Type.Literal('Ed25519'),
          key: Type.String({ description: 'the raw 32-byte public key, base64url' }),
        },
        { additionalProperties: false },
      ),
      { description: "the event's signing keys (none until its first ticket is issued)" },
    ),
    tickets: Type.Array(
      Type.Object(
        {
          id: Uuid,
          kind: TicketKindSchema,
          holderName: Nullable(Type.String()),
          admits: Type.Integer(),
          status: Type.Unsafe<'valid' | 'revoked'>({ type: 'string', enum: ['valid', 'revoked'] }),
          checkedIn: Type.Boolean({ description: 'inside when the snapshot was made' }),
        },
        { additionalProperties: false },
      ),
      { description: 'every ticket and pass of the event, ordered by id' },
    ),
    revoked: Type.Array(Uuid, { description: 'the ids of the revoked ones' }),
    sessions: Type.Array(
      Type.Object(
        {
          id: Uuid,
          roomId: Uuid,
          title: Type.String({ description: 'for the door app to show which session it scans' }),
          startsAt: Timestamp,
          endsAt: Timestamp,
          seats: Type.Integer(),
          reservation: Type.Unsafe<'required' | 'open'>({ type: 'string', enum: ['required', 'open'] }),
          status: Type.Unsafe<'published' | 'cancelled'>({ type: 'string', enum: ['published', 'cancelled'] }),
          reservedTickets: Type.Array(Uuid, {
            description: "the tickets whose registration holds a `reserved` reservation (a `required` session's door admits these visitors)",
          }),
        },
        { additionalProperties: false },
      ),
      { description: "the program's published and cancelled sessions, by start time: what a room door needs to judge offline" },
    ),
    generatedAt: Timestamp,
  },
  { $id: 'CheckinSnapshot', additionalProperties: false },
)

export const AttendeeQuery = Type.Object(
  {
    q: Type.String({
      minLength: 2,
      maxLength: 100,
      description:
        'the start of any word of the name (case and accents ignored: "yil" finds "Yılmaz"), several words all matching; or the start of the email',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  },
  { additionalProperties: false },
)

export const Attendee = Type.Object(
  {
    ticketId: Uuid,
    kind: TicketKindSchema,
    name: Type.String(),
    admits: Type.Integer(),
    checkedIn: Type.Boolean({ description: 'inside now' }),
    associationName: Nullable(Type.String({ description: "an exhibitor pass's association; null for visitors" })),
  },
  { $id: 'Attendee', additionalProperties: false },
)

export const AttendeeList = Type.Object(
  { items: Type.Array(ref(Attendee), { description: 'valid tickets only, by name; at most `limit`' }) },
  { $id: 'AttendeeList', additionalProperties: false },
)

export const doorSchemas = [CheckinSnapshot, Attendee, AttendeeList]
