import { Type } from 'typebox'
import { SCAN_DIRECTIONS, SCAN_REASONS, TICKET_KINDS, type ScanDirection, type ScanReason, type TicketKind } from '../../db/schema.js'
import { Nullable, Timestamp, Uuid, ref } from '../../http/schemas.js'

export const MAX_BATCH = 1000

export const ScanDirectionSchema = Type.Unsafe<ScanDirection>({ type: 'string', enum: [...SCAN_DIRECTIONS], description: 'default entry' })
export const TicketKindSchema = Type.Unsafe<TicketKind>({ type: 'string', enum: [...TICKET_KINDS] })

export const Scan = Type.Object(
  {
    code: Type.Optional(
      Type.String({
        // A QR code holds at most about 4,300 characters; anything over 200 is judged invalid_code, unread.
        maxLength: 4400,
        description: 'what the QR code holds. Anything that is not a genuine ticket code (any text up to 4,400 characters) is judged `invalid_code`',
      }),
    ),
    ticketId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'instead of `code`: a ticket picked from the door search, for someone without their QR code',
      }),
    ),
    direction: Type.Optional(ScanDirectionSchema),
    scannedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 40,
        description: "when the device scanned (default: when the server receives it); at most 5 minutes ahead of the server's clock",
      }),
    ),
    nonce: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[^\\u0000-\\u001f\\u007f]+$',
        description: "the device's id for this scan: the same nonce from the same device again returns the first answer and changes nothing",
      }),
    ),
  },
  { $id: 'Scan', additionalProperties: false, description: 'exactly one of `code` and `ticketId`' },
)

export const CheckinTicket = Type.Object(
  {
    id: Uuid,
    kind: TicketKindSchema,
    holderName: Nullable(Type.String()),
    admits: Type.Integer({ description: 'people: the party size of a visitor ticket, 1 for an exhibitor pass' }),
    associationName: Nullable(Type.String({ description: "an exhibitor pass's association; null for visitors" })),
  },
  { $id: 'CheckinTicket', additionalProperties: false },
)

export const ScanResult = Type.Object(
  {
    status: Type.Unsafe<'ok' | 'rejected'>({ type: 'string', enum: ['ok', 'rejected'] }),
    reason: Type.Optional(Type.Unsafe<ScanReason>({ type: 'string', enum: [...SCAN_REASONS] })),
    ticket: Type.Optional(ref(CheckinTicket)),
    previous: Type.Optional(
      Type.Object(
        { at: Timestamp, gate: Nullable(Type.String()) },
        { additionalProperties: false, description: "the ticket's last accepted scan before this one (null gate: an organizer's)" },
      ),
    ),
    occupancy: Type.Optional(
      Type.Object(
        { inside: Type.Integer({ description: 'people inside' }), capacity: Type.Integer({ description: "the event's visitorCapacity" }) },
        {
          additionalProperties: false,
          description: 'after this scan; absent for `invalid_code` only, which is answered without reading the database',
        },
      ),
    ),
  },
  {
    $id: 'ScanResult',
    additionalProperties: false,
    description:
      'A judged scan; `rejected` is a 200 too. `ticket` is given unless the reason is invalid_code, unknown_ticket or wrong_event.',
  },
)

export const ScanBatch = Type.Object(
  { scans: Type.Array(ref(Scan), { minItems: 1, maxItems: MAX_BATCH }) },
  { $id: 'ScanBatch', additionalProperties: false },
)

export const ScanBatchResult = Type.Object(
  { results: Type.Array(ref(ScanResult), { description: 'one per scan, in the order of the request' }) },
  { $id: 'ScanBatchResult', additionalProperties: false },
)

export const Occupancy = Type.Object(
  {
    inside: Type.Integer({ description: 'people inside now' }),
    capacity: Type.Integer({ description: "the event's visitorCapacity" }),
    entries: Type.Integer({ description: 'people counted in by accepted entries' }),
    exits: Type.Integer({ description: 'people counted out by accepted exits' }),
  },
  { $id: 'Occupancy', additionalProperties: false },
)

export const checkinSchemas = [Scan, CheckinTicket, ScanResult, ScanBatch, ScanBatchResult, Occupancy]
