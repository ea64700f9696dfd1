import { Type } from 'typebox'
import { Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { AssociationPublic } from '../associations/associations.schemas.js'
import { VocabularyKey } from '../associations/vocabularies.schemas.js'
import { RESERVATION_MODES, RESERVATION_STATUSES, SESSION_KINDS, SESSION_STATUSES } from '../../db/schema.js'

/** Bounds of the program's values. */
export const PROGRAM_LIMITS = Object.freeze({ nameMax: 200, notesMax: 2000, titleMax: 200, descriptionMax: 5000, seatsMax: 100_000 })

const Name = Type.String({ minLength: 1, maxLength: PROGRAM_LIMITS.nameMax, pattern: '\\S' })
const Capacity = Type.Integer({ minimum: 1, maximum: PROGRAM_LIMITS.seatsMax, description: 'seats in the room' })
const Notes = Type.String({ maxLength: PROGRAM_LIMITS.notesMax })

// ── Rooms ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const RoomCreate = Type.Object(
  { name: Name, capacity: Capacity, accessible: Type.Optional(Type.Boolean({ description: 'step-free access' })), notes: Type.Optional(Notes) },
  { $id: 'RoomCreate', additionalProperties: false },
)

export const RoomPatch = Type.Object(
  { name: Type.Optional(Name), capacity: Type.Optional(Capacity), accessible: Type.Optional(Type.Boolean()), notes: Type.Optional(Nullable(Notes)) },
  { $id: 'RoomPatch', additionalProperties: false, minProperties: 1, description: 'null clears the notes' },
)

export const Room = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    name: Type.String(),
    capacity: Type.Integer(),
    accessible: Type.Boolean(),
    notes: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Room', additionalProperties: false },
)

export const RoomList = Type.Object({ items: Type.Array(ref(Room)) }, { $id: 'RoomList', additionalProperties: false })
export const RoomParams = Type.Object({ roomId: Uuid }, { additionalProperties: false })

// ── Sessions ────────────────────────────────────────────────────────────────────────────────────────────────────

const oneOf = <const V extends readonly string[]>(values: V, description?: string) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })
const Kind = oneOf(SESSION_KINDS)
const Language = Type.String({ pattern: '^[a-z]{2,3}$', description: 'ISO 639 code: "de", "en", "tr", "ar", …' })
const Topics = Type.Array(VocabularyKey, { maxItems: 10, description: 'fields of activity (keys of GET /v1/vocabularies)' })
const Languages = Type.Array(Language, { minItems: 1, maxItems: 10, uniqueItems: true })
const Mode = oneOf(RESERVATION_MODES, '`required`: seats are reserved ahead; `open`: first come at the door until the seats are taken')
const Hosts = Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'associations hosting the session' })
const Seats = Type.Integer({ minimum: 1, maximum: PROGRAM_LIMITS.seatsMax })

const sessionInput = {
  title: Type.String({ minLength: 1, maxLength: PROGRAM_LIMITS.titleMax, pattern: '\\S' }),
  description: Type.Optional(Type.String({ maxLength: PROGRAM_LIMITS.descriptionMax })),
  kind: Kind,
  topics: Topics,
  languages: Languages,
  roomId: Uuid,
  startsAt: Timestamp,
  endsAt: Timestamp,
  seats: Type.Optional(Type.Integer({ ...Seats, description: "defaults to the room's capacity; at most that" })),
  waitlist: Type.Optional(Type.Boolean({ description: 'default false' })),
  reservation: Type.Optional(Mode),
  hostAssociationIds: Type.Optional(Hosts),
}

export const SessionCreate = Type.Object(sessionInput, { $id: 'SessionCreate', additionalProperties: false })

export const SessionPatch = Type.Object(
  {
    title: Type.Optional(sessionInput.title),
    description: Type.Optional(Nullable(Type.String({ maxLength: PROGRAM_LIMITS.descriptionMax }))),
    kind: Type.Optional(Kind),
    topics: Type.Optional(Topics),
    languages: Type.Optional(Languages),
    roomId: Type.Optional(Uuid),
    startsAt: Type.Optional(Timestamp),
    endsAt: Type.Optional(Timestamp),
    seats: Type.Optional(Seats),
    waitlist: Type.Optional(Type.Boolean()),
    reservation: Type.Optional(Mode),
    hostAssociationIds: Type.Optional(Hosts),
  },
  { $id: 'SessionPatch', additionalProperties: false, minProperties: 1 },
)

export const Session = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    title: Type.String(),
    description: Nullable(Type.String()),
    kind: Kind,
    topics: Type.Array(Type.String()),
    languages: Type.Array(Type.String()),
    room: Type.Object({ id: Uuid, name: Type.String(), accessible: Type.Boolean() }, { additionalProperties: false }),
    startsAt: Timestamp,
    endsAt: Timestamp,
    seats: Type.Integer(),
    seatsLeft: Type.Integer({ description: 'seats minus reserved people (`open`: minus the people inside now)' }),
    waitlist: Type.Boolean(),
    reservation: Mode,
    hosts: Type.Array(ref(AssociationPublic)),
    status: oneOf(SESSION_STATUSES),
  },
  { $id: 'Session', additionalProperties: false },
)

export const SessionList = Type.Object(
  { items: Type.Array(ref(Session)), nextCursor: Nullable(Type.String()) },
  { $id: 'SessionList', additionalProperties: false },
)

export const SessionListQuery = Type.Object(
  {
    ...PageQuery.properties,
    topic: Type.Optional(VocabularyKey),
    language: Type.Optional(Language),
    kind: Type.Optional(Kind),
    roomId: Type.Optional(Uuid),
    day: Type.Optional(Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "a day in the event's time zone" })),
  },
  { additionalProperties: false },
)

export const SessionParams = Type.Object({ sessionId: Uuid }, { additionalProperties: false })

// ── Reservations ────────────────────────────────────────────────────────────────────────────────────────────────

const ReservationStatus = oneOf(RESERVATION_STATUSES)

export const Reservation = Type.Object(
  {
    sessionId: Uuid,
    status: ReservationStatus,
    people: Type.Integer({ description: "the registration's party size" }),
    waitlistPosition: Type.Optional(Type.Integer({ minimum: 1, description: '1 = next in line' })),
  },
  { $id: 'Reservation', additionalProperties: false },
)

export const RegistrationReservation = Type.Object(
  { ...Reservation.properties, session: ref(Session) },
  { $id: 'RegistrationReservation', additionalProperties: false },
)

export const RegistrationReservationList = Type.Object(
  { items: Type.Array(ref(RegistrationReservation)) },
  { $id: 'RegistrationReservationList', additionalProperties: false },
)

export const ReservationParams = Type.Object({ id: Uuid, sessionId: Uuid }, { additionalProperties: false })

export const SessionReservationItem = Type.Object(
  {
    id: Uuid,
    registrationId: Uuid,
    name: Type.String(),
    email: Type.String(),
    status: ReservationStatus,
    people: Type.Integer(),
    waitlistPosition: Type.Optional(Type.Integer({ minimum: 1 })),
    createdAt: Timestamp,
    cancelledAt: Nullable(Timestamp),
  },
  { $id: 'SessionReservationItem', additionalProperties: false },
)

export const SessionReservationList = Type.Object(
  { items: Type.Array(ref(SessionReservationItem)), nextCursor: Nullable(Type.String()) },
  { $id: 'SessionReservationList', additionalProperties: false },
)

export const SessionReservationQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(ReservationStatus) },
  { additionalProperties: false },
)

const Figures = Type.Object({ reservations: Type.Integer(), people: Type.Integer() }, { additionalProperties: false })
export const SessionStats = Type.Object(
  {
    seats: Type.Integer(),
    reserved: Figures,
    waitlisted: Figures,
    checkedIn: Type.Object({ people: Type.Integer({ description: 'people admitted at the room door at least once' }) }, { additionalProperties: false }),
    inside: Type.Integer(),
  },
  { $id: 'SessionStats', additionalProperties: false },
)

export const programSchemas = [
  RoomCreate,
  RoomPatch,
  Room,
  RoomList,
  SessionCreate,
  SessionPatch,
  Session,
  SessionList,
  Reservation,
  RegistrationReservation,
  RegistrationReservationList,
  SessionReservationItem,
  SessionReservationList,
  SessionStats,
]
