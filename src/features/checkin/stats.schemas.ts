import { Type } from 'typebox'
import { EVENT_DOOR_REASONS } from '../../db/schema.js'
import { Nullable, Timestamp, ref } from '../../http/schemas.js'

const Count = (description: string) => Type.Integer({ minimum: 0, description })
const Group = Type.Object(
  { registrations: Count('registrations'), people: Count('the sum of their party sizes') },
  { $id: 'StatsGroup', additionalProperties: false },
)

export const EventStats = Type.Object(
  {
    capacity: Count("the event's visitorCapacity"),
    confirmed: ref(Group),
    waitlisted: ref(Group),
    cancelled: ref(Group),
    checkedIn: Type.Object({ people: Count('people who entered at least once (each ticket counted once, with the party it entered with)') }, { additionalProperties: false }),
    inside: Count('people inside now, as GET …/occupancy'),
    entries: Count('people counted in by accepted entries (re-entries included)'),
    exits: Count('people counted out by accepted exits'),
    stands: Type.Object(
      { total: Count('stands of the event'), booked: Count('stands with an approved booking') },
      { additionalProperties: false, description: 'zero until stands exist (issue #6)' },
    ),
    bookings: Type.Object(
      {
        requested: Count('requested'),
        approved: Count('approved'),
        waitlisted: Count('waitlisted'),
        rejected: Count('rejected'),
        withdrawn: Count('withdrawn'),
      },
      { additionalProperties: false, description: 'stand bookings by status; zero until stand bookings exist (issue #6)' },
    ),
    sessions: Type.Object(
      {
        published: Count('published sessions of the program'),
        seats: Count('their seats'),
        reservedPeople: Count('people holding a reserved seat in them'),
      },
      { additionalProperties: false },
    ),
    tickets: Type.Object(
      { issued: Count('tickets and passes ever issued'), revoked: Count('of them revoked') },
      { additionalProperties: false },
    ),
    scans: Type.Object(
      {
        ok: Count('accepted scans'),
        rejected: Count('rejected scans, invalid codes included'),
        byReason: Type.Object(
          Object.fromEntries(EVENT_DOOR_REASONS.map((r) => [r, Count(`scans rejected as ${r}`)])) as Record<(typeof EVENT_DOOR_REASONS)[number], ReturnType<typeof Count>>,
          { additionalProperties: false },
        ),
      },
      {
        additionalProperties: false,
        description: 'scans, not people. invalid_code counts are written in batches (every second); those of this API process are written before the answer',
      },
    ),
    gates: Type.Array(
      Type.Object(
        {
          gate: Nullable(Type.String({ description: "the scanner's gate; null: scanners without a gate and organizers" })),
          entries: Count('people in'),
          exits: Count('people out'),
          rejected: Count('rejected scans'),
        },
        { additionalProperties: false },
      ),
      { description: 'per gate, by gate name' },
    ),
    registrationsPerDay: Type.Array(
      Type.Object(
        {
          date: Type.String({ format: 'date', description: "day of registering, in the event's time zone" }),
          registrations: Count('registrations made that day, whatever their status now'),
          people: Count('their party sizes'),
        },
        { additionalProperties: false },
      ),
    ),
    checkinsPer15Minutes: Type.Array(
      Type.Object(
        { at: Timestamp, entries: Count('people in'), exits: Count('people out') },
        { additionalProperties: false, description: 'accepted scans by the quarter hour they were scanned in (UTC, start of the quarter)' },
      ),
    ),
    generatedAt: Timestamp,
  },
  { $id: 'EventStats', additionalProperties: false },
)

export const statsSchemas = [Group, EventStats]
