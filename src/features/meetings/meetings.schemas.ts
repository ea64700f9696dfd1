import { Type } from 'typebox'
import { MEETING_STATUSES } from '../../db/schema.js'
import { Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'

export const MeetingStatus = Type.Unsafe<(typeof MEETING_STATUSES)[number]>({ type: 'string', enum: [...MEETING_STATUSES] })

// Free text over several lines: tabs and line breaks, but no other control characters.
const FreeText = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' })

export const MeetingPlace = Type.Object(
  { kind: Type.Unsafe<'stand' | 'table'>({ type: 'string', enum: ['stand', 'table'] }), code: Type.String() },
  { $id: 'MeetingPlace', additionalProperties: false, description: "a stand's code, or a meeting table T1, T2, …" },
)

const Side = Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false })

export const MeetingCreate = Type.Object(
  {
    fromAssociationId: Uuid,
    toAssociationId: Uuid,
    message: Type.Optional(FreeText(2000)),
    proposedSlots: Type.Optional(Type.Array(Timestamp, { maxItems: 3, uniqueItems: true, description: 'slot starts, at most 3' })),
  },
  { $id: 'MeetingCreate', additionalProperties: false },
)

export const Meeting = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    status: MeetingStatus,
    from: Side,
    to: Side,
    message: Nullable(Type.String()),
    proposedSlots: Type.Array(Timestamp),
    startsAt: Type.Optional(Timestamp),
    endsAt: Type.Optional(Timestamp),
    place: Type.Optional(ref(MeetingPlace)),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Meeting', additionalProperties: false },
)

export const MeetingAccept = Type.Object({ startsAt: Type.Optional(Timestamp) }, { $id: 'MeetingAccept', additionalProperties: false })
export const MeetingDecline = Type.Object({ reason: Type.Optional(FreeText(2000)) }, { $id: 'MeetingDecline', additionalProperties: false })
export const MeetingReschedule = Type.Object({ startsAt: Timestamp }, { $id: 'MeetingReschedule', additionalProperties: false })

export const MeetingSlotList = Type.Object(
  { items: Type.Array(Type.Object({ startsAt: Timestamp, endsAt: Timestamp, free: Type.Boolean() }, { additionalProperties: false })) },
  { $id: 'MeetingSlotList', additionalProperties: false },
)

const Reason = Type.Object(
  {
    kind: Type.Unsafe<'field' | 'targetGroup' | 'district' | 'bridge'>({ type: 'string', enum: ['field', 'targetGroup', 'district', 'bridge'] }),
    key: Type.Optional(Type.String()),
    text: Type.String(),
  },
  { additionalProperties: false },
)

export const AssociationMeeting = Type.Object(
  {
    id: Uuid,
    status: MeetingStatus,
    with: Type.Object({ id: Uuid, name: Type.String(), district: Type.String(), migrantOrganization: Type.Boolean() }, { additionalProperties: false }),
    startsAt: Type.Optional(Timestamp),
    endsAt: Type.Optional(Timestamp),
    place: Type.Optional(ref(MeetingPlace)),
    message: Nullable(Type.String()),
    reasons: Type.Array(Reason),
    direction: Type.Unsafe<'sent' | 'received'>({ type: 'string', enum: ['sent', 'received'] }),
  },
  { $id: 'AssociationMeeting', additionalProperties: false },
)

export const AssociationMeetingList = Type.Object(
  { items: Type.Array(ref(AssociationMeeting)), nextCursor: Nullable(Type.String()) },
  { $id: 'AssociationMeetingList', additionalProperties: false },
)

export const ScheduleResult = Type.Object(
  {
    scheduled: Type.Integer({ minimum: 0 }),
    unplaced: Type.Array(
      Type.Object(
        { meetingId: Uuid, reason: Type.Unsafe<'no_common_slot' | 'no_place'>({ type: 'string', enum: ['no_common_slot', 'no_place'] }) },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'MeetingScheduleResult', additionalProperties: false },
)

const count = Type.Integer({ minimum: 0 })
export const MeetingStats = Type.Object(
  {
    requested: count,
    accepted: count,
    scheduled: count,
    held: count,
    declined: count,
    cancelled: count,
    associationsMeeting: count,
    bridges: Type.Object({ scheduled: count, held: count }, { additionalProperties: false }),
  },
  { $id: 'MeetingStats', additionalProperties: false },
)

export const MeetingParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const AssociationParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const SlotsQuery = Type.Object({ associationId: Uuid }, { additionalProperties: false })
export const AssociationMeetingsQuery = Type.Object(
  { eventId: EventParams.properties.eventId, cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })) },
  { additionalProperties: false },
)
export const AgendaQuery = Type.Object({ eventId: EventParams.properties.eventId }, { additionalProperties: false })

export const meetingSchemas = [MeetingPlace, MeetingCreate, Meeting, MeetingAccept, MeetingDecline, MeetingReschedule, MeetingSlotList, AssociationMeeting, AssociationMeetingList, ScheduleResult, MeetingStats]
