import { Type } from 'typebox'
import { BOOKING_STATUSES, CO_EXHIBITOR_STATUSES } from '../../db/schema.js'
import { Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const BookingStatus = Type.Unsafe<(typeof BOOKING_STATUSES)[number]>({ type: 'string', enum: [...BOOKING_STATUSES] })

// Free text over several lines: tabs and line breaks, but no other control characters (PostgreSQL refuses NUL).
const FreeText = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' })

export const BookingRequirements = Type.Object(
  {
    tables: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    chairs: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    power: Type.Optional(Type.Boolean()),
    notes: Type.Optional(FreeText(2000)),
  },
  { $id: 'BookingRequirements', additionalProperties: false },
)

export const StandBookingCreate = Type.Object(
  {
    associationId: Uuid,
    preferredStandIds: Type.Optional(Type.Array(Uuid, { maxItems: 20, uniqueItems: true })),
    requirements: Type.Optional(ref(BookingRequirements)),
    coExhibitorAssociationIds: Type.Optional(Type.Array(Uuid, { maxItems: 10, uniqueItems: true })),
    staffPasses: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'exhibitor passes issued on approval; default 2' })),
  },
  { $id: 'StandBookingCreate', additionalProperties: false },
)

export const BookingHistoryEntry = Type.Object(
  {
    fromStatus: Nullable(BookingStatus),
    toStatus: BookingStatus,
    standId: Nullable(Uuid),
    actorAccountId: Nullable(Uuid),
    reason: Nullable(Type.String()),
    at: Timestamp,
  },
  { $id: 'BookingHistoryEntry', additionalProperties: false },
)

export const FreedStand = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    waitlistedPreferring: Type.Array(Uuid, { description: 'waitlisted bookings of the event that named this stand among their preferences, first come first' }),
  },
  { $id: 'FreedStand', additionalProperties: false, description: 'a stand this change freed' },
)

export const StandBooking = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    association: Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false }),
    status: BookingStatus,
    stand: Nullable(Type.Object({ id: Uuid, code: Type.String(), area: Nullable(Type.String()) }, { additionalProperties: false })),
    preferredStandIds: Type.Array(Uuid),
    requirements: ref(BookingRequirements),
    staffPasses: Type.Integer(),
    coExhibitors: Type.Array(
      Type.Object({ associationId: Uuid, name: Type.String(), status: Type.Unsafe<(typeof CO_EXHIBITOR_STATUSES)[number]>({ type: 'string', enum: [...CO_EXHIBITOR_STATUSES] }) }, { additionalProperties: false }),
    ),
    freedStand: Type.Optional(ref(FreedStand)),
    history: Type.Optional(Type.Array(ref(BookingHistoryEntry), { description: 'oldest first; on GET /v1/stand-bookings/{id} only' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'StandBooking', additionalProperties: false },
)

export const StandBookingList = Type.Object({ items: Type.Array(ref(StandBooking)) }, { $id: 'StandBookingList', additionalProperties: false })

export const ApproveBody = Type.Object({ standId: Uuid }, { $id: 'StandBookingApprove', additionalProperties: false })
export const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '^(?!\\s*$)[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' }) }, { $id: 'StandBookingReject', additionalProperties: false })
export const WaitlistBody = Type.Object({ reason: Type.Optional(FreeText(2000)) }, { $id: 'StandBookingWaitlist', additionalProperties: false })

export const BookingParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const BookingListQuery = Type.Object({ status: Type.Optional(BookingStatus) }, { additionalProperties: false })

export const Pass = Type.Object(
  {
    id: Uuid,
    code: Type.String({ description: 'what the QR code holds (the same signed format as visitor tickets)' }),
    holderName: Nullable(Type.String()),
    revoked: Type.Boolean(),
    qrPngUrl: Type.String(),
    qrSvgUrl: Type.String(),
  },
  { $id: 'ExhibitorPass', additionalProperties: false },
)
export const PassList = Type.Array(ref(Pass), { $id: 'ExhibitorPassList' })
export const PassPatch = Type.Object(
  { holderName: Nullable(Type.String({ minLength: 1, maxLength: 200, pattern: '^(?!\\s*$)[^\\u0000-\\u001f\\u007f-\\u009f]*$' })) },
  { $id: 'ExhibitorPassPatch', additionalProperties: false },
)
export const PassParams = Type.Object({ ticketId: Uuid }, { additionalProperties: false })

export const bookingSchemas = [
  BookingRequirements,
  StandBookingCreate,
  BookingHistoryEntry,
  StandBooking,
  FreedStand,
  StandBookingList,
  ApproveBody,
  RejectBody,
  WaitlistBody,
  Pass,
  PassList,
  PassPatch,
]
