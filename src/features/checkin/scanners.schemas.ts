import { Type } from 'typebox'
import { Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'

// One line of text, not blank, no control characters (they break logs and screens). Linear, as in registrations.
const OneLine = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^(?!\\s*$)[^\\u0000-\\u001f\\u007f-\\u009f]*$', description })

export const ScannerCreate = Type.Object(
  {
    label: OneLine(100, 'what the organizers call the device, e.g. "Phone 3"'),
    gate: Type.Optional(OneLine(50, 'the entrance it scans at, e.g. "North"; shown as `previous.gate` and in the stats')),
    roomId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: "a room of the event's program: the scanner then scans that room's sessions only, not the event's door",
      }),
    ),
  },
  { $id: 'ScannerCreate', additionalProperties: false },
)

export const Scanner = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    label: Type.String(),
    gate: Nullable(Type.String()),
    roomId: Nullable(Uuid),
    createdAt: Timestamp,
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'Scanner', additionalProperties: false },
)

export const ScannerCreated = Type.Object(
  {
    ...Scanner.properties,
    token: Type.String({ description: 'vmd_ bearer token of the device, shown only in this answer (stored as a hash)' }),
    pairingUrl: Type.String({
      description: 'PUBLIC_URL/door#event={eventId}&token={token} (`&room={roomId}` before the token for a scanner bound to a room): the front end\'s door page; the fragment never reaches a server log',
    }),
    pairingQr: Type.String({
      description: 'the pairingUrl as a QR code, an SVG data URL (data:image/svg+xml;base64,…) to put in an <img>, for the phone to scan',
    }),
  },
  { $id: 'ScannerCreated', additionalProperties: false },
)

export const ScannerList = Type.Object(
  { items: Type.Array(ref(Scanner)), nextCursor: Nullable(Type.String()) },
  { $id: 'ScannerList', additionalProperties: false },
)

export const ScannerListQuery = PageQuery

export const ScannerParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const scannerSchemas = [ScannerCreate, Scanner, ScannerCreated, ScannerList]
