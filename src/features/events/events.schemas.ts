import { Type } from 'typebox'
import { EVENT_STATUSES } from '../../db/schema.js'
import { Nullable, PageQuery, Timestamp, Uuid, ref } from '../../http/schemas.js'
import { Account } from '../accounts/accounts.schemas.js'

// A slug that looked like a UUID could never be addressed, since {eventId} tries UUIDs first.
export const SLUG_PATTERN = '^(?![0-9a-f]{8}-[0-9a-f]{4}-)[a-z0-9]+(-[a-z0-9]+)*$'
const Slug = Type.String({ minLength: 3, maxLength: 80, pattern: SLUG_PATTERN })

export const Venue = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), address: Type.String({ minLength: 1, maxLength: 500 }) },
  { $id: 'Venue', additionalProperties: false },
)

export const Reminder = Type.Object(
  {
    audience: Type.Unsafe<'visitors' | 'exhibitors'>({ type: 'string', enum: ['visitors', 'exhibitors'] }),
    // up to 30 days before the start
    minutesBefore: Type.Integer({ minimum: 1, maximum: 43_200 }),
  },
  { $id: 'Reminder', additionalProperties: false },
)

export const MeetingWindow = Type.Object({ startsAt: Timestamp, endsAt: Timestamp }, { $id: 'MeetingWindow', additionalProperties: false })

export const MeetingSettings = Type.Object(
  {
    enabled: Type.Boolean(),
    slotMinutes: Type.Integer({ minimum: 10, maximum: 60, default: 20 }),
    windows: Type.Array(ref(MeetingWindow), { maxItems: 20 }),
    tables: Type.Integer({ minimum: 0, maximum: 500, default: 0, description: 'meeting tables beside the stands, numbered T1, T2, …' }),
    maxPerAssociation: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  },
  { $id: 'MeetingSettings', additionalProperties: false, description: 'meetings between associations; replaced whole by each PATCH' },
)

export const MeetingSettingsInput = Type.Object(
  {
    enabled: Type.Boolean(),
    slotMinutes: Type.Optional(MeetingSettings.properties.slotMinutes),
    windows: Type.Optional(MeetingSettings.properties.windows),
    tables: Type.Optional(MeetingSettings.properties.tables),
    maxPerAssociation: Type.Optional(MeetingSettings.properties.maxPerAssociation),
  },
  { $id: 'MeetingSettingsInput', additionalProperties: false, description: 'meetings between associations; absent fields take their defaults' },
)

const editable = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 10_000 }),
  venue: ref(Venue),
  startsAt: Timestamp,
  endsAt: Timestamp,
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, default Europe/Berlin' }),
  visitorCapacity: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  maxPartySize: Type.Integer({ minimum: 1, maximum: 20, description: 'default 5' }),
  waitlist: Type.Boolean({ description: 'default false' }),
  registrationOpensAt: Timestamp,
  registrationClosesAt: Timestamp,
  standBookingOpensAt: Timestamp,
  standBookingClosesAt: Timestamp,
  reminders: Type.Array(ref(Reminder), { maxItems: 10 }),
  sessionReminderMinutesBefore: Type.Integer({
    minimum: 1,
    maximum: 7 * 24 * 60,
    description: 'visitors holding a seat in a session of the program are reminded this long before it; default 30',
  }),
  retentionDays: Type.Integer({
    minimum: 1,
    maximum: 3650,
    description: "visitors' personal data (and the names on exhibitor passes) is erased this many days after the event ends; null or absent: RETENTION_DAYS_DEFAULT (180 unless configured)",
  }),
}
const { title, venue, startsAt, endsAt, visitorCapacity, ...optional } = editable
type Optionals = { [K in keyof typeof optional]: ReturnType<typeof Type.Optional<(typeof optional)[K]>> }
const optionalFields = Object.fromEntries(Object.entries(optional).map(([k, v]) => [k, Type.Optional(v)])) as Optionals

export const EventCreate = Type.Object(
  { slug: Slug, title, venue, startsAt, endsAt, visitorCapacity, ...optionalFields },
  { $id: 'EventCreate', additionalProperties: false },
)

// In a patch, null clears an optional field (a registration window, the description).
export const EventPatch = Type.Object(
  {
    slug: Type.Optional(Slug),
    title: Type.Optional(title),
    venue: Type.Optional(venue),
    startsAt: Type.Optional(startsAt),
    endsAt: Type.Optional(endsAt),
    visitorCapacity: Type.Optional(visitorCapacity),
    timezone: Type.Optional(editable.timezone),
    maxPartySize: Type.Optional(editable.maxPartySize),
    waitlist: Type.Optional(editable.waitlist),
    reminders: Type.Optional(editable.reminders),
    retentionDays: Type.Optional(Nullable(editable.retentionDays)),
    sessionReminderMinutesBefore: Type.Optional(editable.sessionReminderMinutesBefore),
    description: Type.Optional(Nullable(editable.description)),
    registrationOpensAt: Type.Optional(Nullable(Timestamp)),
    registrationClosesAt: Type.Optional(Nullable(Timestamp)),
    standBookingOpensAt: Type.Optional(Nullable(Timestamp)),
    standBookingClosesAt: Type.Optional(Nullable(Timestamp)),
    meetings: Type.Optional(ref(MeetingSettingsInput)),
  },
  { $id: 'EventPatch', additionalProperties: false, minProperties: 1 },
)

export const EventStatus = Type.Unsafe<(typeof EVENT_STATUSES)[number]>({ type: 'string', enum: [...EVENT_STATUSES] })

export const Event = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    title: Type.String(),
    description: Nullable(Type.String()),
    venue: ref(Venue),
    startsAt: Timestamp,
    endsAt: Timestamp,
    timezone: Type.String(),
    visitorCapacity: Type.Integer(),
    maxPartySize: Type.Integer(),
    waitlist: Type.Boolean(),
    registrationOpensAt: Nullable(Timestamp),
    registrationClosesAt: Nullable(Timestamp),
    standBookingOpensAt: Nullable(Timestamp),
    standBookingClosesAt: Nullable(Timestamp),
    reminders: Type.Array(ref(Reminder)),
    retentionDays: Nullable(Type.Integer({ description: "days after the end until personal data is erased; null: the service's default, RETENTION_DAYS_DEFAULT" })),
    sessionReminderMinutesBefore: Type.Integer({ description: 'the reminder before each reserved session of the program goes out this many minutes before it' }),
    meetings: ref(MeetingSettings),
    status: EventStatus,
    publishedAt: Nullable(Timestamp),
    cancelledAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Event', additionalProperties: false },
)

export const EventList = Type.Object(
  { items: Type.Array(ref(Event)), nextCursor: Nullable(Type.String()) },
  { $id: 'EventList', additionalProperties: false },
)

export const EventListQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(EventStatus) },
  { additionalProperties: false },
)

export const EventParams = Type.Object(
  {
    eventId: Type.String({ minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9-]+$', description: 'the event id (UUID) or its slug' }),
  },
  { additionalProperties: false },
)

export const OrganizerParams = Type.Object(
  { eventId: EventParams.properties.eventId, accountId: Uuid },
  { additionalProperties: false },
)

export const OrganizerList = Type.Object(
  { items: Type.Array(ref(Account)) },
  { $id: 'OrganizerList', additionalProperties: false },
)

export const eventSchemas = [Venue, Reminder, MeetingWindow, MeetingSettings, MeetingSettingsInput, EventCreate, EventPatch, Event, EventList, OrganizerList]
