import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  customType,
  type AnyPgColumn,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  smallint,
  uuid,
} from 'drizzle-orm/pg-core'

const id = () => uuid('id').primaryKey().defaultRandom()
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export const ACCOUNT_ROLES = ['admin', 'organizer', 'exhibitor'] as const
export type AccountRole = (typeof ACCOUNT_ROLES)[number]
/** The languages of emails (mail/templates.ts LOCALES); kept here because db never imports mail. */
export const ACCOUNT_LANGUAGES = ['de', 'en', 'tr', 'ar'] as const
export type AccountLanguage = (typeof ACCOUNT_LANGUAGES)[number]

export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ACCOUNT_ROLES }).notNull(),
    // null: the account logs in by magic link only
    passwordHash: text('password_hash'),
    // set when the account first uses a link sent to its address (sign-up verification, invitation, magic link)
    emailVerifiedAt: at('email_verified_at'),
    // the language of every email to this account (and to an association whose contact it is)
    language: text('language', { enum: ACCOUNT_LANGUAGES }).notNull().default('de'),
    // set by an admin: the account's sessions stop working and it cannot log in until reactivated
    deactivatedAt: at('deactivated_at'),
    // set when the person's data was erased: email, name and password are placeholders, the account stays deactivated
    erasedAt: at('erased_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // Emails are compared case-insensitively everywhere; the index makes that the only truth.
    uniqueIndex('accounts_email_lower_key').on(sql`lower(${t.email})`),
    check('accounts_role_check', sql`${t.role} in ('admin', 'organizer', 'exhibitor')`),
    check('accounts_language_check', sql`${t.language} in ('de', 'en', 'tr', 'ar')`),
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
    // how the session was started: 'password', or 'link' (a magic link, which may set a new password without the old one)
    via: text('via', { enum: ['password', 'link'] }).notNull().default('password'),
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

/** An event's meeting settings (contract: "Meetings between associations"). */
export interface MeetingSettings {
  enabled: boolean
  slotMinutes: number
  windows: { startsAt: string; endsAt: string }[]
  tables: number
  maxPerAssociation: number
}
export const DEFAULT_MEETING_SETTINGS: MeetingSettings = { enabled: false, slotMinutes: 20, windows: [], tables: 0, maxPerAssociation: 8 }

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
    // null: RETENTION_DAYS_DEFAULT (config) applies
    retentionDays: integer('retention_days'),
    // when the retention job erased the names on its exhibitor passes and the staff on its scan records
    personalDataErasedAt: timestamp('personal_data_erased_at', { withTimezone: true, mode: 'date' }),
    maxPartySize: integer('max_party_size').notNull().default(5),
    waitlist: boolean('waitlist').notNull().default(false),
    registrationOpensAt: at('registration_opens_at'),
    registrationClosesAt: at('registration_closes_at'),
    standBookingOpensAt: at('stand_booking_opens_at'),
    standBookingClosesAt: at('stand_booking_closes_at'),
    reminders: jsonb('reminders').$type<ReminderRule[]>().notNull().default([]),
    // the program's reminder goes out this long before each reserved session
    sessionReminderMinutesBefore: integer('session_reminder_minutes_before').notNull().default(30),
    // meetings between associations (#12): replaced whole by each PATCH
    meetings: jsonb('meetings').$type<MeetingSettings>().notNull().default(DEFAULT_MEETING_SETTINGS),
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

/** An event as stored; the one declaration every module imports. */
export type EventRow = typeof events.$inferSelect

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
    // Partial: most emails (confirmations, login links) have no key and need no entry in it.
    uniqueIndex('outbox_emails_dedupe_key').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    // The worker's claim query: due queued rows in order.
    index('outbox_emails_due_idx').on(t.sendAfter).where(sql`${t.status} = 'queued'`),
    index('outbox_emails_event_idx').on(t.eventId, t.createdAt, t.id),
    check('outbox_emails_status_check', sql`${t.status} in ('queued', 'sent', 'failed', 'cancelled')`),
  ],
)

/** One-time login links: only the hash is kept, and using one is a conditional update (once, before expiry). */
export const MAGIC_LINK_PURPOSES = ['login', 'erase'] as const
export const magicLinks = pgTable(
  'magic_links',
  {
    id: id(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    // 'login': exchanged for a session; 'erase': confirms the account's own request to erase it
    purpose: text('purpose', { enum: MAGIC_LINK_PURPOSES }).notNull().default('login'),
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
    // text_pattern_ops (equality is the same, the collation is not C) lets the door search by the start of an
    // email (LIKE 'q%', status 'confirmed') use it too: one index to update per registration instead of two.
    uniqueIndex('registrations_event_email_live_key')
      .on(t.eventId, sql`lower(${t.email}) text_pattern_ops`)
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

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/**
 * Letters folded for the door search, so "ayse" finds "Ayşe" and "yilmaz" "Yılmaz": applied after lower() in the
 * generated column below, and the same way to the typed query (src/features/checkin/door.service.ts).
 */
export const SEARCH_FOLD_FROM = 'şçğıöüäßéèêëáàâãåíìîïóòôõøúùûñłśźżćńąęčšžřýěů'
export const SEARCH_FOLD_TO = 'scgiouaseeeeaaaaaiiiiooooouuunlszzcnaecszryeu'

// Each ticket is updated at the door (inside, last accepted scan). Migration 0008 leaves 15 % of every page free
// (fillfactor 85) so that update can stay on the ticket's page and touch no index (a HOT update): in the check-in
// bench 31 % of the first scans were HOT at fillfactor 100, 45–53 % at 85, with less WAL per scan.
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
    // exhibitor passes belong to a stand booking
    bookingId: uuid('booking_id').references((): AnyPgColumn => standBookings.id, { onDelete: 'cascade' }),
    holderName: text('holder_name'),
    admits: integer('admits').notNull(),
    code: text('code').notNull(),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
    // At the door. An entry is accepted only by a conditional update that finds `inside` false and
    // `accepted_scans` unchanged since it was read, so of two doors scanning one code at once exactly one wins.
    inside: boolean('inside').notNull().default(false),
    // people counted in by the accepted entry (the party may change while inside; its exit takes these out)
    insidePeople: integer('inside_people').notNull().default(0),
    // version of the door state: +1 on every accepted scan
    acceptedScans: integer('accepted_scans').notNull().default(0),
    lastAcceptedAt: at('last_accepted_at'),
    lastAcceptedGate: text('last_accepted_gate'),
    // Door search by any word of the name, prefix-matched through the GIN index (no pg_trgm here).
    searchName: tsvector('search_name').generatedAlwaysAs(
      sql`to_tsvector('simple'::regconfig, translate(lower(coalesce(holder_name, '')), ${sql.raw(`'${SEARCH_FOLD_FROM}'`)}, ${sql.raw(`'${SEARCH_FOLD_TO}'`)}))`,
    ),
  },
  (t) => [
    // One ticket per registration for its whole life: cancelling revokes it, promotion re-activates it.
    uniqueIndex('tickets_registration_key').on(t.registrationId),
    index('tickets_event_idx').on(t.eventId),
    // Partial: visitor tickets (the many) have no booking and need no entry in it.
    index('tickets_booking_idx').on(t.bookingId).where(sql`${t.bookingId} is not null`),
    index('tickets_search_name_idx').using('gin', t.searchName),
    check('tickets_kind_check', sql`${t.kind} in ('visitor', 'exhibitor')`),
    check('tickets_admits_check', sql`${t.admits} between 1 and 20`),
    check('tickets_inside_people_check', sql`${t.insidePeople} between 0 and 20 and (${t.insidePeople} > 0) = ${t.inside}`),
  ],
)

/** A ticket or exhibitor pass as stored; written only by features/tickets/tickets.store.ts. */
export type TicketRow = typeof tickets.$inferSelect

/** Door scanner devices of an event (vmd_ tokens); revoked, never deleted, so the scan log keeps who scanned. */
export const scanners = pgTable(
  'scanners',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    gate: text('gate'),
    // a scanner bound to a room scans that room's sessions only (null: the event's doors and any room)
    roomId: uuid('room_id').references((): AnyPgColumn => rooms.id, { onDelete: 'set null' }),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('scanners_token_hash_key').on(t.tokenHash), index('scanners_event_created_idx').on(t.eventId, t.createdAt, t.id)],
)

export const SCAN_DIRECTIONS = ['entry', 'exit'] as const
export type ScanDirection = (typeof SCAN_DIRECTIONS)[number]
/** What the event's door answers (and its stats count). */
export const EVENT_DOOR_REASONS = ['invalid_code', 'unknown_ticket', 'wrong_event', 'revoked', 'already_checked_in', 'not_checked_in'] as const
// A room door of the program (POST /v1/sessions/{id}/checkins) has two more.
export const SCAN_REASONS = [...EVENT_DOOR_REASONS, 'no_reservation', 'room_full'] as const
export type ScanReason = (typeof SCAN_REASONS)[number]
export type EventDoorReason = (typeof EVENT_DOOR_REASONS)[number]

/**
 * Every judged scan of a genuine code, accepted or not, written with its result (in the statement or transaction
 * that changes the ticket). Codes that fail the signature check are only counted (invalid_scans). No foreign keys
 * to events or tickets: each would lock the event's row (FOR KEY SHARE) on every scan, and an unknown_ticket
 * names a ticket id that has no row.
 */
export const checkins = pgTable(
  'checkins',
  {
    id: id(),
    eventId: uuid('event_id').notNull(),
    // a scan at a room door of the program (null: the event's door)
    sessionId: uuid('session_id'),
    // the ticket the signed code names (no row for unknown_ticket)
    ticketId: uuid('ticket_id').notNull(),
    // who scanned: a scanner device, or an organizer's account (scannerId null)
    scannerId: uuid('scanner_id'),
    accountId: uuid('account_id'),
    gate: text('gate'),
    direction: text('direction', { enum: SCAN_DIRECTIONS }).notNull(),
    result: text('result', { enum: ['ok', 'rejected'] }).notNull(),
    reason: text('reason', { enum: SCAN_REASONS }),
    // people moved by an accepted scan (the ticket's admits on entry, those counted in on exit); 0 when rejected
    people: integer('people').notNull(),
    // on the device (offline scans come later), and at the server
    scannedAt: at('scanned_at').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
    nonce: text('nonce'),
    // The order scans were recorded in: among a ticket's scans with the same scanned_at (devices give
    // milliseconds), the later recorded was judged after the earlier, and a ticket's history is read in that order.
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    // the ticket's accepted scan before this one, as answered in `previous`
    previousAt: at('previous_at'),
    previousGate: text('previous_gate'),
  },
  (t) => [
    // A retried scan (same nonce from the same device) finds the first one instead of being judged again.
    uniqueIndex('checkins_scanner_nonce_key').on(t.scannerId, t.nonce).where(sql`${t.nonce} is not null`),
    uniqueIndex('checkins_account_nonce_key')
      .on(t.eventId, t.accountId, t.nonce)
      .where(sql`${t.nonce} is not null and ${t.scannerId} is null`),
    index('checkins_event_scanned_idx').on(t.eventId, t.scannedAt),
    // a ticket's accepted scans in time order: where a late (offline) scan is placed
    index('checkins_ticket_accepted_idx').on(t.ticketId, t.scannedAt).where(sql`${t.result} = 'ok'`),
    check('checkins_direction_check', sql`${t.direction} in ('entry', 'exit')`),
    check('checkins_result_check', sql`(${t.result} = 'ok') = (${t.reason} is null) and ${t.result} in ('ok', 'rejected')`),
  ],
)

/**
 * People inside an event, as counters split over OCCUPANCY_SHARDS rows per event: each batch of accepted scans
 * (features/checkin/scan-batches.ts) adds its total to one row picked at random, so concurrent batches rarely wait
 * for the same row lock, and a read sums the rows. Measured with pgbench (50 clients): one row ~800 commits/s, 16 rows ~3,100. At 16 rows the
 * check-in bench (50 scanners) still spent 18 % of its waits on another scan's row lock, at 64 rows 6 %.
 */
export const occupancyShards = pgTable(
  'occupancy_shards',
  {
    // No foreign key: creating a shard row would then lock the event's row (FOR KEY SHARE) while the scan holds
    // its ticket, the reverse of the order a cancellation takes them in (event, then ticket): a deadlock.
    eventId: uuid('event_id').notNull(),
    shard: smallint('shard').notNull(),
    inside: integer('inside').notNull().default(0),
    entries: integer('entries').notNull().default(0),
    exits: integer('exits').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.shard] })],
)

/** Scans whose code failed the format or signature check: counted in memory and written here in batches. */
export const invalidScans = pgTable(
  'invalid_scans',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    scannerId: uuid('scanner_id'),
    accountId: uuid('account_id'),
    gate: text('gate'),
    count: integer('count').notNull(),
    firstAt: at('first_at').notNull(),
    lastAt: at('last_at').notNull(),
  },
  (t) => [index('invalid_scans_event_idx').on(t.eventId, t.firstAt)],
)

// ── Associations, stands and stand bookings (#6) ─────────────────────────────────────────────────────────────

export const VOCABULARY_KINDS = ['fieldsOfActivity', 'targetGroups', 'districts'] as const
export type VocabularyKind = (typeof VOCABULARY_KINDS)[number]
export type Labels = { de: string; en: string; tr: string; ar: string }

/** The translatable vocabularies of profiles: seeded with defaults, extended and relabelled by admins. */
export const vocabularyTerms = pgTable(
  'vocabulary_terms',
  {
    kind: text('kind', { enum: VOCABULARY_KINDS }).notNull(),
    key: text('key').notNull(),
    labels: jsonb('labels').$type<Labels>().notNull(),
    // display order within the kind
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.key] }),
    check('vocabulary_terms_kind_check', sql`${t.kind} in ('fieldsOfActivity', 'targetGroups', 'districts')`),
    check('vocabulary_terms_key_check', sql`${t.key} ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(${t.key}) <= 40`),
  ],
)

const textArray = (name: string) =>
  text(name)
    .array()
    .notNull()
    .default(sql`'{}'::text[]`)

export const associations = pgTable(
  'associations',
  {
    id: id(),
    name: text('name').notNull(),
    legalForm: text('legal_form'),
    district: text('district').notNull(),
    address: text('address'),
    website: text('website'),
    description: text('description'),
    fieldsOfActivity: textArray('fields_of_activity'),
    targetGroups: textArray('target_groups'),
    languages: textArray('languages'),
    migrantOrganization: boolean('migrant_organization').notNull(),
    // private: members, organizers and admins only
    contactEmail: text('contact_email').notNull(),
    contactPhone: text('contact_phone'),
    registerNumber: text('register_number'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    // The directory's search: every word of name and description, prefix-matched through the GIN index.
    search: tsvector('search').generatedAlwaysAs(
      sql`to_tsvector('simple'::regconfig, translate(lower(name || ' ' || coalesce(description, '')), ${sql.raw(`'${SEARCH_FOLD_FROM}'`)}, ${sql.raw(`'${SEARCH_FOLD_TO}'`)}))`,
    ),
  },
  (t) => [
    index('associations_search_idx').using('gin', t.search),
    index('associations_fields_idx').using('gin', t.fieldsOfActivity),
    // The directory pages by (lower(name), id).
    index('associations_name_idx').on(sql`lower(${t.name})`, t.id),
    index('associations_district_idx').on(t.district),
  ],
)

export const associationMembers = pgTable(
  'association_members',
  {
    associationId: uuid('association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.associationId, t.accountId] }), index('association_members_account_idx').on(t.accountId)],
)

export interface StandFeatures {
  power?: boolean
  tables?: number
  chairs?: number
}
export interface StandPosition {
  x: number
  y: number
  w: number
  h: number
}

export const stands = pgTable(
  'stands',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    area: text('area'),
    widthM: doublePrecision('width_m'),
    depthM: doublePrecision('depth_m'),
    priceCents: integer('price_cents').notNull().default(0),
    currency: text('currency').notNull().default('EUR'),
    features: jsonb('features').$type<StandFeatures>().notNull().default({}),
    position: jsonb('position').$type<StandPosition>(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('stands_event_code_key').on(t.eventId, sql`lower(${t.code})`),
    check('stands_price_check', sql`${t.priceCents} >= 0`),
  ],
)

export const BOOKING_STATUSES = ['requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled'] as const
export type BookingStatus = (typeof BOOKING_STATUSES)[number]
export const LIVE_BOOKING_STATUSES = ['requested', 'approved', 'waitlisted'] as const

export interface BookingRequirements {
  tables?: number
  chairs?: number
  power?: boolean
  notes?: string
}

export const standBookings = pgTable(
  'stand_bookings',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    associationId: uuid('association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    status: text('status', { enum: BOOKING_STATUSES }).notNull().default('requested'),
    // set exactly while approved
    standId: uuid('stand_id').references(() => stands.id, { onDelete: 'restrict' }),
    preferredStandIds: uuid('preferred_stand_ids').array().notNull().default(sql`'{}'::uuid[]`),
    requirements: jsonb('requirements').$type<BookingRequirements>().notNull().default({}),
    staffPasses: integer('staff_passes').notNull().default(2),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // A stand holds at most one approved booking: two organizers approving onto one stand at once get one 409.
    uniqueIndex('stand_bookings_stand_approved_key').on(t.standId).where(sql`${t.status} = 'approved'`),
    // One live booking per association and event.
    uniqueIndex('stand_bookings_association_live_key')
      .on(t.eventId, t.associationId)
      .where(sql`${t.status} in ('requested', 'approved', 'waitlisted')`),
    index('stand_bookings_event_status_idx').on(t.eventId, t.status, t.createdAt, t.id),
    check('stand_bookings_status_check', sql`${t.status} in ('requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled')`),
    check('stand_bookings_stand_check', sql`(${t.status} = 'approved') = (${t.standId} is not null)`),
    check('stand_bookings_passes_check', sql`${t.staffPasses} between 0 and 50`),
  ],
)

/** Every transition of a booking: who, when, why. */
export const standBookingHistory = pgTable(
  'stand_booking_history',
  {
    id: id(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => standBookings.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: BOOKING_STATUSES }),
    toStatus: text('to_status', { enum: BOOKING_STATUSES }).notNull(),
    standId: uuid('stand_id'),
    actorAccountId: uuid('actor_account_id').references(() => accounts.id, { onDelete: 'set null' }),
    reason: text('reason'),
    at: createdAt(),
  },
  (t) => [index('stand_booking_history_booking_idx').on(t.bookingId, t.at)],
)

export const CO_EXHIBITOR_STATUSES = ['invited', 'confirmed', 'declined'] as const

/** Associations sharing a booked stand; they confirm through a link emailed to their contact. */
export const coExhibitors = pgTable(
  'co_exhibitors',
  {
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => standBookings.id, { onDelete: 'cascade' }),
    associationId: uuid('association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    status: text('status', { enum: CO_EXHIBITOR_STATUSES }).notNull().default('invited'),
    // SHA-256 of the confirmation token in the emailed link
    tokenHash: text('token_hash').notNull(),
    respondedAt: at('responded_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.associationId] }),
    uniqueIndex('co_exhibitors_token_hash_key').on(t.tokenHash),
    index('co_exhibitors_association_idx').on(t.associationId),
  ],
)

/**
 * A counter per cached read, bumped by triggers (migration 0007) whenever what the read shows may have changed:
 * `exhibitors:<eventId>` for an event's approved bookings, their stands, profiles and co-exhibitors;
 * `vocabulary` for the vocabularies. An API process keeps answers in memory under the version it read first
 * and checks the version (a primary-key read) before serving one, so every instance sees a change at once.
 */
export const contentVersions = pgTable('content_versions', {
  scope: text('scope').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(1),
})


// ── The program: rooms, sessions, reservations (#11) ─────────────────────────────────────────────────────────
// Migration 0010 adds what drizzle cannot declare: btree_gist and the exclusion constraints on time ranges.

/** Rooms of the fair's program. Deleted rooms stay as rows (deleted_at) so cancelled sessions keep their name. */
export const rooms = pgTable(
  'rooms',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    capacity: integer('capacity').notNull(),
    accessible: boolean('accessible').notNull().default(false),
    notes: text('notes'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    index('rooms_event_idx').on(t.eventId, t.name),
    check('rooms_capacity_check', sql`${t.capacity} between 1 and 100000`),
  ],
)

export const SESSION_KINDS = ['forum', 'talk', 'workshop', 'performance'] as const
export type SessionKind = (typeof SESSION_KINDS)[number]
export const SESSION_STATUSES = ['draft', 'published', 'cancelled'] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]
export const RESERVATION_MODES = ['required', 'open'] as const
export type ReservationMode = (typeof RESERVATION_MODES)[number]

/**
 * A forum, talk, workshop or performance of the program ("sessions" is the accounts' login table).
 * `reserved_people` sits beside `seats` like an event's confirmed_people: one conditional update decides a
 * reservation and the check makes overselling impossible whatever the code does. Two draft or published
 * sessions never overlap in one room: exclusion constraint program_sessions_room_no_overlap (migration 0010).
 */
export const programSessions = pgTable(
  'program_sessions',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    description: text('description'),
    kind: text('kind', { enum: SESSION_KINDS }).notNull(),
    topics: textArray('topics'),
    languages: textArray('languages'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    seats: integer('seats').notNull(),
    reservedPeople: integer('reserved_people').notNull().default(0),
    waitlist: boolean('waitlist').notNull().default(false),
    reservation: text('reservation', { enum: RESERVATION_MODES }).notNull().default('required'),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('draft'),
    // people inside the room now, and admissions, counted by the room door's accepted scans
    inside: integer('inside').notNull().default(0),
    entries: integer('entries').notNull().default(0),
    exits: integer('exits').notNull().default(0),
    publishedAt: at('published_at'),
    cancelledAt: at('cancelled_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('program_sessions_event_starts_idx').on(t.eventId, t.startsAt, t.id),
    index('program_sessions_room_idx').on(t.roomId),
    index('program_sessions_topics_idx').using('gin', t.topics),
    check('program_sessions_kind_check', sql`${t.kind} in ('forum', 'talk', 'workshop', 'performance')`),
    check('program_sessions_status_check', sql`${t.status} in ('draft', 'published', 'cancelled')`),
    check('program_sessions_reservation_check', sql`${t.reservation} in ('required', 'open')`),
    check('program_sessions_times_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('program_sessions_seats_check', sql`${t.seats} between 1 and 100000`),
    check('program_sessions_reserved_check', sql`${t.reservedPeople} between 0 and ${t.seats}`),
    check('program_sessions_inside_check', sql`${t.inside} between 0 and ${t.seats}`),
  ],
)

export type ProgramSessionRow = typeof programSessions.$inferSelect

/** Associations hosting a session (exhibiting at the fair or not). */
export const sessionHosts = pgTable(
  'session_hosts',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => programSessions.id, { onDelete: 'cascade' }),
    associationId: uuid('association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.associationId] }), index('session_hosts_association_idx').on(t.associationId)],
)

export const RESERVATION_STATUSES = ['reserved', 'waitlisted', 'cancelled'] as const
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number]

/**
 * A registration's seat(s) in a session: `people` is the registration's party size. The session's time is copied
 * here (kept in step when the session moves) so the database can refuse two live reservations of one registration
 * that overlap in time: exclusion constraint session_reservations_no_overlap (migration 0010).
 */
export const sessionReservations = pgTable(
  'session_reservations',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => programSessions.id, { onDelete: 'cascade' }),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => registrations.id, { onDelete: 'cascade' }),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull(),
    people: integer('people').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    cancelledAt: at('cancelled_at'),
  },
  (t) => [
    // One live reservation per registration and session.
    uniqueIndex('session_reservations_live_key')
      .on(t.sessionId, t.registrationId)
      .where(sql`${t.status} <> 'cancelled'`),
    // The waitlist is promoted first come first served; the organizer list pages by creation.
    index('session_reservations_session_status_idx').on(t.sessionId, t.status, t.createdAt, t.id),
    index('session_reservations_registration_idx').on(t.registrationId),
    check('session_reservations_status_check', sql`${t.status} in ('reserved', 'waitlisted', 'cancelled')`),
    check('session_reservations_people_check', sql`${t.people} between 1 and 20`),
  ],
)

/**
 * A ticket's door state at one session's room door, like the ticket's own columns at the event's door: an entry
 * is accepted by a conditional update that finds `inside` false and `accepted_scans` unchanged.
 */
export const sessionAttendance = pgTable(
  'session_attendance',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => programSessions.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    inside: boolean('inside').notNull().default(false),
    insidePeople: integer('inside_people').notNull().default(0),
    acceptedScans: integer('accepted_scans').notNull().default(0),
    lastAcceptedAt: at('last_accepted_at'),
    lastAcceptedGate: text('last_accepted_gate'),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.ticketId] }),
    check('session_attendance_inside_people_check', sql`${t.insidePeople} between 0 and 20 and (${t.insidePeople} > 0) = ${t.inside}`),
  ],
)

// ── Meetings between associations (#12) ─────────────────────────────────────────────────────────────────────
// Migration meetings_claims (custom) adds the exclusion constraint of meeting_claims, which drizzle cannot declare.

export const MEETING_STATUSES = ['requested', 'accepted', 'scheduled', 'held', 'declined', 'cancelled'] as const
export type MeetingStatus = (typeof MEETING_STATUSES)[number]
export const LIVE_MEETING_STATUSES = ['requested', 'accepted', 'scheduled'] as const
export const PLACE_KINDS = ['stand', 'table'] as const
export type PlaceKind = (typeof PLACE_KINDS)[number]

/** A meeting between two exhibiting associations of one fair: requested by `from`, answered by `to`. */
export const meetings = pgTable(
  'meetings',
  {
    id: id(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    fromAssociationId: uuid('from_association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    toAssociationId: uuid('to_association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    status: text('status', { enum: MEETING_STATUSES }).notNull().default('requested'),
    message: text('message'),
    proposedSlots: timestamp('proposed_slots', { withTimezone: true, mode: 'date' }).array().notNull().default(sql`'{}'::timestamptz[]`),
    // set exactly while scheduled or held
    startsAt: at('starts_at'),
    endsAt: at('ends_at'),
    placeKind: text('place_kind', { enum: PLACE_KINDS }),
    placeCode: text('place_code'),
    // bumped on every change: the reminder's dedupe key names it, so a meeting moved back to a time is reminded again
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One live meeting per pair and event, whichever side asked.
    uniqueIndex('meetings_pair_live_key')
      .on(t.eventId, sql`least(${t.fromAssociationId}, ${t.toAssociationId})`, sql`greatest(${t.fromAssociationId}, ${t.toAssociationId})`)
      .where(sql`${t.status} in ('requested', 'accepted', 'scheduled')`),
    index('meetings_event_status_idx').on(t.eventId, t.status),
    index('meetings_from_idx').on(t.fromAssociationId, t.eventId),
    index('meetings_to_idx').on(t.toAssociationId, t.eventId),
    check('meetings_status_check', sql`${t.status} in ('requested', 'accepted', 'scheduled', 'held', 'declined', 'cancelled')`),
    check('meetings_pair_check', sql`${t.fromAssociationId} <> ${t.toAssociationId}`),
    check('meetings_time_check', sql`(${t.status} in ('scheduled', 'held')) = (${t.startsAt} is not null and ${t.endsAt} is not null and ${t.placeCode} is not null)`),
    check('meetings_place_kind_check', sql`${t.placeKind} is null or ${t.placeKind} in ('stand', 'table')`),
  ],
)

export type MeetingRow = typeof meetings.$inferSelect

/** Every transition of a meeting: who, when, to which time. */
export const meetingHistory = pgTable(
  'meeting_history',
  {
    id: id(),
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: MEETING_STATUSES }),
    toStatus: text('to_status', { enum: MEETING_STATUSES }).notNull(),
    startsAt: at('starts_at'),
    actorAccountId: uuid('actor_account_id').references(() => accounts.id, { onDelete: 'set null' }),
    reason: text('reason'),
    at: createdAt(),
  },
  (t) => [index('meeting_history_meeting_idx').on(t.meetingId, t.at)],
)

/**
 * The time a scheduled or held meeting takes from each of its holders: both associations (`association:<id>`)
 * and its place (`stand:<standId>` or `table:T3`). The exclusion constraint meeting_claims_no_overlap (custom
 * migration) refuses two claims of one holder whose times overlap, so no association and no place is in two
 * meetings at once, whatever races.
 */
export const meetingClaims = pgTable(
  'meeting_claims',
  {
    meetingId: uuid('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    holder: text('holder').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.holder] }), check('meeting_claims_times_check', sql`${t.endsAt} > ${t.startsAt}`)],
)

/**
 * Per association and event, its meetings that are accepted, scheduled or held. Raised by a conditional update
 * (`active < maxPerAssociation`), which the row lock serialises: nobody goes over the limit under concurrency.
 */
export const meetingCounts = pgTable(
  'meeting_counts',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    associationId: uuid('association_id')
      .notNull()
      .references(() => associations.id, { onDelete: 'cascade' }),
    active: integer('active').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.associationId] }), check('meeting_counts_active_check', sql`${t.active} >= 0`)],
)
