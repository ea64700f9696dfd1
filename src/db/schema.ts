import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

const id = () => uuid('id').primaryKey().defaultRandom()
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export const ACCOUNT_ROLES = ['admin', 'organizer', 'exhibitor'] as const
export type AccountRole = (typeof ACCOUNT_ROLES)[number]

export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ACCOUNT_ROLES }).notNull(),
    // null: the account logs in by magic link only
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  (t) => [
    // Emails are compared case-insensitively everywhere; the index makes that the only truth.
    uniqueIndex('accounts_email_lower_key').on(sql`lower(${t.email})`),
    check('accounts_role_check', sql`${t.role} in ('admin', 'organizer', 'exhibitor')`),
  ],
)

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    // SHA-256 of the bearer token: a leaked table grants nothing.
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_account_idx').on(t.accountId)],
)

export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]

export interface ReminderRule {
  audience: 'visitors' | 'exhibitors'
  minutesBefore: number
}

export const events = pgTable(
  'events',
  {
    id: id(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    venueName: text('venue_name').notNull(),
    venueAddress: text('venue_address').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    timezone: text('timezone').notNull().default('Europe/Berlin'),
    visitorCapacity: integer('visitor_capacity').notNull(),
    maxPartySize: integer('max_party_size').notNull().default(5),
    waitlist: boolean('waitlist').notNull().default(false),
    registrationOpensAt: at('registration_opens_at'),
    registrationClosesAt: at('registration_closes_at'),
    standBookingOpensAt: at('stand_booking_opens_at'),
    standBookingClosesAt: at('stand_booking_closes_at'),
    reminders: jsonb('reminders').$type<ReminderRule[]>().notNull().default([]),
    status: text('status', { enum: EVENT_STATUSES }).notNull().default('draft'),
    publishedAt: at('published_at'),
    cancelledAt: at('cancelled_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_slug_key').on(t.slug),
    // Keyset pagination walks (starts_at, id).
    index('events_starts_at_id_idx').on(t.startsAt, t.id),
    check('events_status_check', sql`${t.status} in ('draft', 'published', 'cancelled')`),
    check('events_dates_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('events_capacity_check', sql`${t.visitorCapacity} >= 0`),
    check('events_party_size_check', sql`${t.maxPartySize} between 1 and 20`),
  ],
)

export const eventOrganizers = pgTable(
  'event_organizers',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.accountId] }), index('event_organizers_account_idx').on(t.accountId)],
)
