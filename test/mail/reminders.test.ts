import t from 'tap'
import { eq } from 'drizzle-orm'
import { events, outboxEmails, reminderRuns } from '../../src/db/schema.js'
import { queueDueReminders, type AudienceSources, type Recipient } from '../../src/mail/reminders.js'
import { build, eventBody, type TestContext } from '../helpers/app.js'

const HOUR = 60 * 60 * 1000

// Recipients as the registration and stand-booking features will give them: who, in which language, since when.
function audiences(visitors: Recipient[], exhibitors: Recipient[] = []): AudienceSources {
  return { visitors: async () => visitors, exhibitors: async () => exhibitors }
}

async function publishedEvent(ctx: TestContext, startsInMs: number, reminders: unknown[]) {
  const admin = await ctx.account('admin')
  const startsAt = new Date(Date.now() + startsInMs)
  const created = await ctx.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: admin.auth,
    payload: eventBody({ startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 8 * HOUR).toISOString(), reminders }),
  })
  t.equal(created.statusCode, 201)
  const event = created.json()
  await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth })
  return { event, admin, startsAt }
}

const person = (key: string, locale: string, since: Date): Recipient => ({
  key,
  email: `${key}@example.org`,
  name: key,
  locale,
  since,
})

t.test('reminders are queued when due, once per person, in their language', async (t) => {
  const ctx = await build(t)
  const longAgo = new Date(Date.now() - 48 * HOUR)
  const { event, startsAt } = await publishedEvent(ctx, 3 * HOUR, [
    { audience: 'visitors', minutesBefore: 120 },
    { audience: 'exhibitors', minutesBefore: 24 * 60 },
  ])
  const sources = audiences(
    [person('ayse', 'tr', longAgo), person('omar', 'ar', longAgo), person('late', 'de', new Date(startsAt.getTime() - 1 * HOUR))],
    [person('verein', 'en', longAgo)],
  )

  t.equal(await queueDueReminders(ctx.db, sources), 1, 'now: only the 24-hour exhibitor reminder is due')
  const twoHoursBefore = new Date(startsAt.getTime() - 2 * HOUR + 1000)
  t.equal(await queueDueReminders(ctx.db, sources, twoHoursBefore), 2, 'visitors who registered before the reminder time')
  t.equal(await queueDueReminders(ctx.db, sources, twoHoursBefore), 0, 'a second poll queues nothing')
  // A second worker that has not seen the run marker still cannot queue a reminder twice (dedupe keys).
  await ctx.db.delete(reminderRuns)
  t.equal(await queueDueReminders(ctx.db, sources, twoHoursBefore), 0, 'dedupe keys hold without the run marker')

  const rows = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, event.id))
  const byEmail = Object.fromEntries(rows.map((r) => [r.toAddress, r]))
  t.same(Object.keys(byEmail).sort(), ['ayse@example.org', 'omar@example.org', 'verein@example.org'])
  t.equal(byEmail['ayse@example.org'].locale, 'tr')
  t.equal(byEmail['omar@example.org'].locale, 'ar')
  t.equal(byEmail['verein@example.org'].data.audience, 'exhibitors')
  t.equal(byEmail['ayse@example.org'].template, 'reminder')
  t.equal(byEmail['ayse@example.org'].data.timezone, 'Europe/Berlin')
  t.notOk(byEmail['late@example.org'], 'who registered after the reminder time gets none')
})

t.test('moving the start moves pending reminders; a cancelled event reminds nobody', async (t) => {
  const ctx = await build(t)
  const longAgo = new Date(Date.now() - 48 * HOUR)
  const { event, admin } = await publishedEvent(ctx, 90 * 60 * 1000, [{ audience: 'visitors', minutesBefore: 120 }])
  const sources = audiences([person('a', 'de', longAgo)])

  const later = new Date(Date.now() + 48 * HOUR)
  const moved = await ctx.app.inject({
    method: 'PATCH',
    url: `/v1/events/${event.id}`,
    headers: admin.auth,
    payload: { startsAt: later.toISOString(), endsAt: new Date(later.getTime() + 8 * HOUR).toISOString() },
  })
  t.equal(moved.statusCode, 200)
  t.equal(await queueDueReminders(ctx.db, sources), 0, 'the reminder is no longer due')
  t.equal(await queueDueReminders(ctx.db, sources, new Date(later.getTime() - 119 * 60 * 1000)), 1, 'it is due before the new start')

  // Queued but not yet sent when the event is cancelled: withdrawn in the cancelling transaction.
  await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/cancel`, headers: admin.auth })
  const [row] = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, event.id))
  t.equal(row.status, 'cancelled')
  await ctx.db.delete(outboxEmails)
  t.equal(await queueDueReminders(ctx.db, sources, new Date(later.getTime() - 60 * 1000)), 0, 'a cancelled event queues none')
})

t.test('drafts, started events and audiences without a source queue nothing', async (t) => {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const draft = await ctx.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: admin.auth,
    payload: eventBody({ reminders: [{ audience: 'visitors', minutesBefore: 60 }] }),
  })
  const [row] = await ctx.db.select().from(events).where(eq(events.id, draft.json().id))
  const sources = audiences([person('a', 'de', new Date(0))])
  t.equal(await queueDueReminders(ctx.db, sources, new Date(row.startsAt.getTime() - 30 * 60 * 1000)), 0, 'draft')
  await ctx.app.inject({ method: 'POST', url: `/v1/events/${row.id}/publish`, headers: admin.auth })
  t.equal(await queueDueReminders(ctx.db, sources, new Date(row.startsAt.getTime() + 1000)), 0, 'already started')
  t.equal(await queueDueReminders(ctx.db, {}, new Date(row.startsAt.getTime() - 30 * 60 * 1000)), 0, 'no source')
  t.equal(await queueDueReminders(ctx.db, sources, new Date(row.startsAt.getTime() - 30 * 60 * 1000)), 1, 'due and published')
})
