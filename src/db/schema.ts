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
    // People on confirmed registrations. Beside the capacity in the same row, so one conditional update
    // decides a registration and the check below makes overbooking impossible whatever the code does.
    confirmedPeople: integer('confirmed_people').notNull().default(0),
    // Personal data of registrations is erased this many days after the event ends (null: kept until erased by hand).
    retentionDays: integer('retention_days'),
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
    check('events_confirmed_people_check', sql`${t.confirmedPeople} between 0 and ${t.visitorCapacity}`),
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

export const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'cancelled'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/**
 * Every email, written in the transaction that causes it and sent later by a worker.
 * A row is claimed by setting `locked_until` (a lease): another worker may take it only after the lease ran out.
 */
export const outboxEmails = pgTable(
  'outbox_emails',
  {
    id: id(),
    // which event's organizers see it in their outbox list (null: account emails such as login links)
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'cascade' }),
    toAddress: text('to_address').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    dedupeKey: text('dedupe_key'),
    // Fixed when queued, so a resend after a crash carries the same Message-ID and clients can drop the copy.
    messageId: text('message_id').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    sendAfter: at('send_after').notNull().defaultNow(),
    lockedUntil: at('locked_until'),
    lockedBy: text('locked_by'),
    lastError: text('last_error'),
    smtpResponse: text('smtp_response'),
    sentAt: at('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_emails_dedupe_key').on(t.dedupeKey),
    // The worker's claim query: due queued rows in order.
    index('outbox_emails_due_idx').on(t.sendAfter).where(sql`${t.status} = 'queued'`),
    index('outbox_emails_event_idx').on(t.eventId, t.createdAt, t.id),
    check('outbox_emails_status_check', sql`${t.status} in ('queued', 'sent', 'failed', 'cancelled')`),
  ],
)

/** One-time login links: only the hash is kept, and using one is a conditional update (once, before expiry). */
export const magicLinks = pgTable(
  'magic_links',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('magic_links_token_hash_key').on(t.tokenHash), index('magic_links_account_idx').on(t.accountId)],
)

/**
 * Reminder rules already worked through for an event's current start, so the worker does not
 * re-read every recipient on each poll. Keyed by the start: moving the event makes the rule due anew
 * (the per-person dedupe keys in the outbox still send each reminder once).
 */
export const reminderRuns = pgTable(
  'reminder_runs',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    audience: text('audience').notNull(),
    minutesBefore: integer('minutes_before').notNull(),
    startsAt: at('starts_at').notNull(),
    queued: integer('queued').notNull(),
    doneAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.audience, t.minutesBefore, t.startsAt] })],
)


export const REGISTRATION_STATUSES = ['confirmed', 'waitlisted', 'cancelled'] as const
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]

export const registrations = pgTable(
  'registrations',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    partySize: integer('party_size').notNull(),
    language: text('language').notNull(),
    accessibilityNeeds: text('accessibility_needs'),
    status: text('status', { enum: REGISTRATION_STATUSES }).notNull(),
    consentPrivacyAt: at('consent_privacy_at').notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    cancelledAt: at('cancelled_at'),
    erasedAt: at('erased_at'),
  },
  (t) => [
    // One live registration per email and event; a cancelled one frees the address for a new registration.
    uniqueIndex('registrations_event_email_live_key')
      .on(t.eventId, sql`lower(${t.email})`)
      .where(sql`${t.status} <> 'cancelled'`),
    // The waitlist is promoted first-come-first-served, and the organizer list pages by creation.
    index('registrations_event_status_created_idx').on(t.eventId, t.status, t.createdAt, t.id),
    check('registrations_status_check', sql`${t.status} in ('confirmed', 'waitlisted', 'cancelled')`),
    check('registrations_party_size_check', sql`${t.partySize} between 1 and 20`),
  ],
)

/** Manage tokens (vmr_) of a registration: several may be live (the email's link, an idempotent replay, a resend). */
export const registrationTokens = pgTable(
  'registration_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('registration_tokens_registration_idx').on(t.registrationId)],
)

/** Idempotency-Key of a registration request, with the fingerprint of its body: a retry replays, another body is refused. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.key] })],
)

/** Ed25519 key pair of an event: tickets are signed with it, scanners verify offline with the public half. */
export const eventKeys = pgTable('event_keys', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => events.id, { onDelete: 'cascade' }),
  // short, public id of the key, carried in every ticket code instead of the 16-byte event id
  kid: text('kid').notNull().unique(),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: createdAt(),
})

export const TICKET_KINDS = ['visitor', 'exhibitor'] as const
export type TicketKind = (typeof TICKET_KINDS)[number]

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: TICKET_KINDS }).notNull(),
    // visitor tickets belong to a registration; exhibitor passes arrive with stand bookings
    registrationId: uuid('registration_id').references(() => registrations.id, { onDelete: 'cascade' }),
    holderName: text('holder_name'),
    admits: integer('admits').notNull(),
    code: text('code').notNull(),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [
    // One ticket per registration for its whole life: cancelling revokes it, promotion re-activates it.
    uniqueIndex('tickets_registration_key').on(t.registrationId),
    index('tickets_event_idx').on(t.eventId),
    check('tickets_kind_check', sql`${t.kind} in ('visitor', 'exhibitor')`),
    check('tickets_admits_check', sql`${t.admits} between 1 and 20`),
  ],
)
