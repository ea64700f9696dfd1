import { and, eq, gt, lte, ne, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../db/client.js'
import { events, reminderRuns, type EventRow, type ReminderRule } from '../db/schema.js'
import { enqueueEmails } from './outbox.js'
import { oneLine } from './templates.js'
import { eventEmailFields } from './event-fields.js'

export type Audience = ReminderRule['audience']

/** A person who should hear about an event: what the registration and stand-booking features provide. */
export interface Recipient {
  /** stable per person and event (e.g. the registration id): part of every dedupe key */
  key: string
  email: string
  name?: string
  locale: string | null
  /** when they joined: a reminder whose time had passed by then is not sent to them */
  since: Date
  manageUrl?: string
  standCode?: string
}

/** Who belongs to an audience of an event: live people only (a cancelled registration is nobody). */
export type AudienceSource = (db: Queryable, event: EventRow) => Promise<Recipient[]>
export type AudienceSources = Partial<Record<Audience, AudienceSource>>

// The longest reminder the schema allows (30 days): events starting later have nothing due.
const MAX_REMINDER_LEAD = sql`interval '30 days'`

export function reminderDedupeKey(eventId: string, rule: ReminderRule, recipientKey: string): string {
  return `reminder:${eventId}:${rule.audience}:${rule.minutesBefore}:${recipientKey}`
}

/**
 * Queues every reminder that is due: at startsAt − minutesBefore, for published events that have not started.
 * Nothing is stored ahead of time, so moving the start moves the reminders, and a cancelled event has none.
 * The dedupe key makes repeated polls, and several workers, queue each reminder once per person.
 */
export async function queueDueReminders(db: Database, sources: AudienceSources, now = new Date()): Promise<number> {
  const upcoming = await db
    .select()
    .from(events)
    .where(
      and(
        eq(events.status, 'published'),
        gt(events.startsAt, now),
        lte(events.startsAt, sql`${now.toISOString()}::timestamptz + ${MAX_REMINDER_LEAD}`),
        ne(sql`${events.reminders}::text`, '[]'),
      ),
    )
  const done = await db
    .select()
    .from(reminderRuns)
    .where(sql`${reminderRuns.eventId} in (select id from events where status = 'published' and starts_at > ${now.toISOString()}::timestamptz)`)
  const isDone = (event: EventRow, rule: ReminderRule) =>
    done.some(
      (run) =>
        run.eventId === event.id &&
        run.audience === rule.audience &&
        run.minutesBefore === rule.minutesBefore &&
        run.startsAt.getTime() === event.startsAt.getTime(),
    )
  let queued = 0
  for (const event of upcoming) {
    for (const rule of event.reminders) {
      const dueAt = new Date(event.startsAt.getTime() - rule.minutesBefore * 60_000)
      const source = sources[rule.audience]
      if (dueAt > now || !source || isDone(event, rule)) continue
      queued += await db.transaction(async (tx) => {
        const recipients = (await source(tx, event)).filter((r) => r.since <= dueAt)
        const count = await enqueueEmails(tx, recipients.map((r) => reminderEmail(event, rule, r)))
        await tx
          .insert(reminderRuns)
          .values({ eventId: event.id, audience: rule.audience, minutesBefore: rule.minutesBefore, startsAt: event.startsAt, queued: count })
          .onConflictDoNothing()
        return count
      })
    }
  }
  return queued
}

function reminderEmail(event: EventRow, rule: ReminderRule, r: Recipient) {
  return {
    to: r.email,
    template: 'reminder' as const,
    locale: r.locale,
    eventId: event.id,
    dedupeKey: reminderDedupeKey(event.id, rule, r.key),
    data: {
      ...(r.name && oneLine(r.name) ? { name: oneLine(r.name) } : {}),
      audience: rule.audience,
      ...eventEmailFields(event),
      ...(r.manageUrl ? { manageUrl: r.manageUrl } : {}),
      ...(r.standCode ? { standCode: r.standCode } : {}),
    },
  }
}
