import { and, asc, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import type { Config } from '../../config.js'
import { isUniqueViolation, pgError } from '../../db/errors.js'
import { DEFAULT_MEETING_SETTINGS, eventOrganizers, events, registrations, type EventRow, type EventStatus } from '../../db/schema.js'
import { meetingSettingsIssues } from '../meetings/slots.js'
import { cancelQueuedEmails, enqueueEmails } from '../../mail/outbox.js'
import { oneLine } from '../../mail/templates.js'
import type { Principal } from '../../http/auth.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { Problem, type FieldIssue } from '../../http/problem.js'
import { findAccountById, toAccount } from '../accounts/accounts.service.js'
import { lockEvent } from '../capacity/places.js'
import { promoteWaitlist } from '../registrations/registrations.service.js'
import { eventKey } from '../tickets/ticket-codes.js'
import { organizersOf } from './event-access.js'
import { eventEmailFields } from '../../mail/event-fields.js'
import { canonicalTimeZone } from '../../shared/time-zones.js'
import { eventTimeIssues, type EventTimes } from './event-rules.js'
import type { EventCreate, EventPatch } from './events.schemas.js'
import type { Static } from 'typebox'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function toEvent(row: EventRow) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    venue: { name: row.venueName, address: row.venueAddress },
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    timezone: row.timezone,
    visitorCapacity: row.visitorCapacity,
    maxPartySize: row.maxPartySize,
    waitlist: row.waitlist,
    registrationOpensAt: iso(row.registrationOpensAt),
    registrationClosesAt: iso(row.registrationClosesAt),
    standBookingOpensAt: iso(row.standBookingOpensAt),
    standBookingClosesAt: iso(row.standBookingClosesAt),
    reminders: row.reminders,
    retentionDays: row.retentionDays,
    sessionReminderMinutesBefore: row.sessionReminderMinutesBefore,
    meetings: row.meetings,
    status: row.status,
    publishedAt: iso(row.publishedAt),
    cancelledAt: iso(row.cancelledAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

type EventCreateInput = Static<typeof EventCreate>
type EventPatchInput = Static<typeof EventPatch>

const date = (s: string | null | undefined) => (s ? new Date(s) : null)

/** Text fields are stored trimmed, so one of only blanks would pass `minLength: 1` and be stored empty. */
function blankIssues(fields: Record<string, string | undefined>): FieldIssue[] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined && value.trim() === '')
    .map(([field]) => ({ path: `/body/${field}`, message: 'must not be blank' }))
}

function checkTimes(times: EventTimes, datesChanged: boolean, blanks: FieldIssue[]): string {
  const issues = [...blanks, ...eventTimeIssues(times, new Date(), datesChanged)]
  if (issues.length) throw Problem.badRequest(`${issues[0].path} ${issues[0].message}`, issues)
  return canonicalTimeZone(times.timezone)!
}

function slugTaken(err: unknown): never {
  if (isUniqueViolation(err, 'events_slug_key')) throw Problem.conflict('slug_taken', 'Another event has this slug.')
  throw err
}

export async function createEvent(db: Queryable, input: EventCreateInput): Promise<EventRow> {
  const times: EventTimes = {
    startsAt: new Date(input.startsAt),
    endsAt: new Date(input.endsAt),
    timezone: input.timezone ?? 'Europe/Berlin',
    registrationOpensAt: date(input.registrationOpensAt),
    registrationClosesAt: date(input.registrationClosesAt),
    standBookingOpensAt: date(input.standBookingOpensAt),
    standBookingClosesAt: date(input.standBookingClosesAt),
    reminders: input.reminders ?? [],
  }
  const timezone = checkTimes(
    times,
    true,
    blankIssues({ title: input.title, 'venue/name': input.venue.name, 'venue/address': input.venue.address }),
  )
  const [row] = await db
    .insert(events)
    .values({
      ...times,
      timezone,
      slug: input.slug,
      title: input.title.trim(),
      description: input.description ?? null,
      venueName: input.venue.name.trim(),
      venueAddress: input.venue.address.trim(),
      visitorCapacity: input.visitorCapacity,
      maxPartySize: input.maxPartySize ?? 5,
      waitlist: input.waitlist ?? false,
      retentionDays: input.retentionDays ?? null,
      sessionReminderMinutesBefore: input.sessionReminderMinutesBefore ?? 30,
    })
    .returning()
    .catch(slugTaken)
  return row
}

/** The CHECK beside the confirmed-people counter refuses a capacity below it, whatever raced with this patch. */
function patchConflict(err: unknown): never {
  const { code, constraint } = pgError(err)
  if (code === '23514' && constraint === 'events_confirmed_people_check') {
    throw Problem.conflict('capacity_below_confirmed', 'More people are already confirmed than this capacity allows.')
  }
  return slugTaken(err)
}

export async function patchEvent(
  db: Database,
  config: Pick<Config, 'publicUrl'>,
  eventId: string,
  patch: EventPatchInput,
): Promise<EventRow> {
  // Raising the capacity promotes the waitlist, which signs tickets. The key is made before the transaction:
  // one made inside a transaction that rolled back would be cached but never stored.
  const key = patch.visitorCapacity !== undefined ? await eventKey(db, eventId) : null
  // The row lock serialises patches of one event, so two patches cannot each pass the date rules
  // against the old row and together leave an invalid schedule.
  return db.transaction(async (tx) => {
    const row = await lockEvent(tx, eventId)
    if (!row) throw Problem.notFound('event')
    if (row.status === 'cancelled') throw Problem.conflict('invalid_transition', 'A cancelled event cannot be changed.')
    const pick = <K extends keyof EventPatchInput>(k: K, current: Date | null) =>
      patch[k] === undefined ? current : date(patch[k] as string | null)
    const times: EventTimes = {
      startsAt: pick('startsAt', row.startsAt)!,
      endsAt: pick('endsAt', row.endsAt)!,
      timezone: patch.timezone ?? row.timezone,
      registrationOpensAt: pick('registrationOpensAt', row.registrationOpensAt),
      registrationClosesAt: pick('registrationClosesAt', row.registrationClosesAt),
      standBookingOpensAt: pick('standBookingOpensAt', row.standBookingOpensAt),
      standBookingClosesAt: pick('standBookingClosesAt', row.standBookingClosesAt),
      reminders: patch.reminders ?? row.reminders,
    }
    const datesChanged = patch.startsAt !== undefined || patch.endsAt !== undefined
    const timezone = checkTimes(
      times,
      datesChanged,
      blankIssues({ title: patch.title, 'venue/name': patch.venue?.name, 'venue/address': patch.venue?.address }),
    )
    const meetings = patch.meetings ? { ...DEFAULT_MEETING_SETTINGS, ...patch.meetings } : row.meetings
    if (patch.meetings || datesChanged) {
      const issues = meetingSettingsIssues(meetings, times)
      if (issues.length) throw Problem.badRequest(`${issues[0].path} ${issues[0].message}`, issues)
    }
    const [updated] = await tx
      .update(events)
      .set({
        ...times,
        meetings,
        timezone,
        slug: patch.slug ?? row.slug,
        title: patch.title?.trim() ?? row.title,
        description: patch.description === undefined ? row.description : patch.description,
        venueName: patch.venue?.name.trim() ?? row.venueName,
        venueAddress: patch.venue?.address.trim() ?? row.venueAddress,
        visitorCapacity: patch.visitorCapacity ?? row.visitorCapacity,
        maxPartySize: patch.maxPartySize ?? row.maxPartySize,
        waitlist: patch.waitlist ?? row.waitlist,
        retentionDays: patch.retentionDays === undefined ? row.retentionDays : patch.retentionDays,
        sessionReminderMinutesBefore: patch.sessionReminderMinutesBefore ?? row.sessionReminderMinutesBefore,
        updatedAt: new Date(),
      })
      .where(eq(events.id, eventId))
      .returning()
      .catch(patchConflict)
    // More room: waitlisted people move up in the same transaction, first come first served.
    if (key && updated.visitorCapacity > row.visitorCapacity && (await promoteWaitlist(tx, config, key, eventId)) > 0) {
      const [promoted] = await tx.select().from(events).where(eq(events.id, eventId))
      return promoted
    }
    return updated
  })
}

/** draft → published; publishing again answers the event unchanged. A cancelled event stays cancelled. */
export async function publishEvent(db: Queryable, eventId: string): Promise<EventRow> {
  const [row] = await db
    .update(events)
    .set({ status: 'published', publishedAt: sql`coalesce(${events.publishedAt}, now())`, updatedAt: new Date() })
    .where(and(eq(events.id, eventId), inArray(events.status, ['draft', 'published'])))
    .returning()
  if (!row) throw Problem.conflict('invalid_transition', 'A cancelled event cannot be published.')
  return row
}

/**
 * Any state → cancelled, idempotently; the conditional update keeps the first cancellation's time.
 * In the same transaction everyone holding a ticket is told (once: dedupe keys), and reminders already queued
 * but not sent are withdrawn: a cancelled fair reminds nobody.
 */
export async function cancelEvent(db: Database, eventId: string): Promise<EventRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(events)
      .set({ status: 'cancelled', cancelledAt: sql`coalesce(${events.cancelledAt}, now())`, updatedAt: new Date() })
      .where(eq(events.id, eventId))
      .returning()
    if (!row) throw Problem.notFound('event')
    const holders = await tx
      .select()
      .from(registrations)
      .where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'confirmed'), isNull(registrations.erasedAt)))
    await enqueueEmails(
      tx,
      holders.map((r) => ({
        to: r.email,
        template: 'event-cancelled' as const,
        locale: r.language,
        eventId,
        dedupeKey: `event-cancelled:${eventId}:${r.id}`,
        data: { ...eventEmailFields(row), name: oneLine(r.name) },
      })),
    )
    await cancelQueuedEmails(tx, eventId, 'reminder')
    return row
  })
}

export async function listEvents(
  db: Queryable,
  principal: Principal | null,
  query: { limit: number; cursor?: string; status?: EventStatus },
) {
  const account = principal?.kind === 'account' ? principal.account : null
  let visible: SQL | undefined
  if (account?.role === 'organizer') {
    visible = or(
      eq(events.status, 'published'),
      inArray(
        events.id,
        db.select({ id: eventOrganizers.eventId }).from(eventOrganizers).where(eq(eventOrganizers.accountId, account.id)),
      ),
    )
  } else if (account?.role !== 'admin') {
    visible = eq(events.status, 'published')
  }
  const after = query.cursor ? decodeCursor(query.cursor, ['timestamp', 'uuid']) : undefined
  const rows = await db
    .select()
    .from(events)
    .where(
      and(
        visible,
        query.status ? eq(events.status, query.status) : undefined,
        after
          ? or(gt(events.startsAt, new Date(after[0])), and(eq(events.startsAt, new Date(after[0])), gt(events.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(query.limit + 1)
  return toPage(rows, query.limit, toEvent, (r) => [r.startsAt.toISOString(), r.id])
}

export async function listOrganizers(db: Queryable, eventId: string) {
  return { items: (await organizersOf(db, eventId)).map(toAccount) }
}

export async function assignOrganizer(db: Queryable, eventId: string, accountId: string) {
  const account = await findAccountById(db, accountId)
  if (!account) throw Problem.notFound('account')
  if (account.role !== 'organizer') {
    throw Problem.conflict('not_an_organizer', 'Only accounts with the role organizer can be assigned to an event.')
  }
  await db.insert(eventOrganizers).values({ eventId, accountId }).onConflictDoNothing()
  return listOrganizers(db, eventId)
}

export async function removeOrganizer(db: Queryable, eventId: string, accountId: string): Promise<void> {
  const removed = await db
    .delete(eventOrganizers)
    .where(and(eq(eventOrganizers.eventId, eventId), eq(eventOrganizers.accountId, accountId)))
    .returning({ accountId: eventOrganizers.accountId })
  if (removed.length === 0) throw Problem.notFound('organizer of this event')
}
