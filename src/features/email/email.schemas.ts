import { Type } from 'typebox'
import { OUTBOX_STATUSES } from '../../db/schema.js'
import { Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const ANNOUNCEMENT_AUDIENCES = ['visitors', 'exhibitors', 'all'] as const
export type AnnouncementAudience = (typeof ANNOUNCEMENT_AUDIENCES)[number]

export const AnnouncementCreate = Type.Object(
  {
    audience: Type.Unsafe<AnnouncementAudience>({
      type: 'string',
      enum: [...ANNOUNCEMENT_AUDIENCES],
      description: 'all: visitors and exhibitors, one email per address',
    }),
    // One line with something in it: it becomes (part of) an email subject, where a line break would forge headers.
    subject: Type.String({ minLength: 1, maxLength: 200, pattern: '^(?!\\s*$)[^\\r\\n]*$', description: 'one line' }),
    body: Type.String({
      minLength: 1,
      maxLength: 10_000,
      pattern: '\\S',
      description: 'plain text; blank lines separate paragraphs',
    }),
  },
  { $id: 'AnnouncementCreate', additionalProperties: false },
)

export const AnnouncementQueued = Type.Object(
  { queued: Type.Integer({ minimum: 0, description: 'emails queued, one per recipient address' }) },
  { $id: 'AnnouncementQueued', additionalProperties: false },
)

export const OutboxStatus = Type.Unsafe<(typeof OUTBOX_STATUSES)[number]>({ type: 'string', enum: [...OUTBOX_STATUSES] })

export const OutboxEmail = Type.Object(
  {
    id: Uuid,
    to: Type.String(),
    template: Type.String({ description: 'magic-link, reminder, announcement, …' }),
    locale: Type.String(),
    status: OutboxStatus,
    attempts: Type.Integer({ minimum: 0 }),
    lastError: Nullable(Type.String()),
    sendAfter: Timestamp,
    sentAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  { $id: 'OutboxEmail', additionalProperties: false },
)

export const OutboxEmailList = Type.Object(
  { items: Type.Array(ref(OutboxEmail)), nextCursor: Nullable(Type.String()) },
  { $id: 'OutboxEmailList', additionalProperties: false },
)

export const OutboxEmailListQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(OutboxStatus) },
  { additionalProperties: false },
)

export const emailSchemas = [AnnouncementCreate, AnnouncementQueued, OutboxEmail, OutboxEmailList]
