import t from 'tap'
import { eq } from 'drizzle-orm'
import { accounts, coExhibitors, events, outboxEmails, standBookingHistory } from '../../../src/db/schema.js'
import { exhibitorAudience } from '../../../src/features/associations/exhibitors.service.js'
import { defaultAudiences } from '../../../src/features/email/audiences.js'
import { queueDueReminders } from '../../../src/mail/reminders.js'
import { build } from '../../helpers/app.js'
import { insertAssociation, insertBooking, insertExhibitor, inviteCoExhibitor, publishedEvent } from '../../helpers/exhibitors.js'

const HOUR = 60 * 60 * 1000

t.test('the exhibitors audience is registered by default', async (t) => {
  t.equal(defaultAudiences.exhibitors, exhibitorAudience)
})

t.test('announcements and reminders to exhibitors reach approved bookings only, with their stand code', async (t) => {
  const ctx = await build(t)
  const startsAt = new Date(Date.now() + 3 * HOUR)
  const { event, admin } = await publishedEvent(ctx, {
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * HOUR).toISOString(),
    reminders: [{ audience: 'exhibitors', minutesBefore: 24 * 60 }],
  })
  const approved = await insertExhibitor(ctx.db, event.id, 'A-07', { name: 'Chor Hörde', contactEmail: 'chor@example.org' })
  for (const status of ['requested', 'waitlisted', 'rejected', 'withdrawn'] as const) {
    const other = await insertAssociation(ctx.db, { name: `Verein ${status}`, contactEmail: `${status}@example.org` })
    await insertBooking(ctx.db, event.id, other.id, status)
  }
  // Approved long before the reminder time, as the booking workflow records it.
  await ctx.db.insert(standBookingHistory).values({
    bookingId: approved.booking.id,
    fromStatus: 'requested',
    toStatus: 'approved',
    standId: approved.stand.id,
    at: new Date(Date.now() - 48 * HOUR),
  })
  const { event: otherFair } = await publishedEvent(ctx)
  await insertExhibitor(ctx.db, otherFair.id, 'A-01', { name: 'Anderswo e. V.', contactEmail: 'anderswo@example.org' })

  const announced = await ctx.app.inject({
    method: 'POST',
    url: `/v1/events/${event.id}/announcements`,
    headers: admin.auth,
    payload: { audience: 'exhibitors', subject: 'Aufbau ab 7 Uhr', body: 'Die Halle ist ab 7 Uhr offen.' },
  })
  t.equal(announced.statusCode, 202, announced.body)
  t.same(announced.json(), { queued: 1 })

  t.equal(await queueDueReminders(ctx.db, defaultAudiences), 1, 'the 24-hour exhibitor reminder is due')

  const mail = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, event.id))
  t.same(mail.map((m) => m.toAddress), ['chor@example.org', 'chor@example.org'], 'the approved exhibitor only')
  const announcement = mail.find((m) => m.template === 'announcement')!
  const reminder = mail.find((m) => m.template === 'reminder')!
  t.equal(announcement.data.subject, 'Aufbau ab 7 Uhr')
  t.equal(reminder.data.audience, 'exhibitors')
  t.equal(reminder.data.standCode, 'A-07', 'with the stand code')
  t.equal(reminder.data.name, 'Chor Hörde')
  t.equal(reminder.locale, 'de', 'the contact address is no account: German')
  t.match(reminder.dedupeKey, approved.booking.id, 'one reminder per booking')

  // Once the contact address is an account's, the association's emails speak its language.
  await ctx.db.insert(accounts).values({ email: 'Chor@Example.org', name: 'Chorleitung', role: 'exhibitor', language: 'tr' })
  const again = await ctx.app.inject({
    method: 'POST',
    url: `/v1/events/${event.id}/announcements`,
    headers: admin.auth,
    payload: { audience: 'exhibitors', subject: 'Abbau', body: 'Abbau bis 18 Uhr.' },
  })
  t.equal(again.statusCode, 202, again.body)
  const latest = (await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, event.id))).filter((m) => m.data.subject === 'Abbau')
  t.same(latest.map((m) => m.locale), ['tr'], "in the contact account's language")
})

t.test('a booking approved after the reminder time does not get that reminder late', async (t) => {
  const ctx = await build(t)
  const startsAt = new Date(Date.now() + 3 * HOUR)
  const { event } = await publishedEvent(ctx, {
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * HOUR).toISOString(),
    reminders: [{ audience: 'exhibitors', minutesBefore: 24 * 60 }],
  })
  // No history row: the booking's last change (now) counts as its approval, after the reminder's time.
  await insertExhibitor(ctx.db, event.id, 'B-01', { name: 'Spät dran e. V.' })
  const [row] = await ctx.db.select().from(events).where(eq(events.id, event.id))
  const recipients = await exhibitorAudience(ctx.db, row)
  t.equal(recipients.length, 1)
  t.ok(recipients[0].since instanceof Date && recipients[0].since.getTime() > Date.now() - HOUR, 'since is a Date')
  t.equal(await queueDueReminders(ctx.db, defaultAudiences), 0)
})

t.test('associations that confirmed sharing a stand get the exhibitor reminder and announcements too, with the stand', async (t) => {
  const ctx = await build(t)
  const startsAt = new Date(Date.now() + 3 * HOUR)
  const { event, admin } = await publishedEvent(ctx, {
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * HOUR).toISOString(),
    reminders: [{ audience: 'exhibitors', minutesBefore: 24 * 60 }],
  })
  const host = await insertExhibitor(ctx.db, event.id, 'C-03', { name: 'Kulturverein Nordstadt', contactEmail: 'kultur@example.org' })
  await ctx.db.insert(standBookingHistory).values({ bookingId: host.booking.id, fromStatus: 'requested', toStatus: 'approved', standId: host.stand.id, at: new Date(Date.now() - 48 * HOUR) })
  const confirmed = await insertAssociation(ctx.db, { name: 'Elterncafé Nord', contactEmail: 'eltern@example.org' })
  const invited = await insertAssociation(ctx.db, { name: 'Noch unentschlossen e. V.', contactEmail: 'offen@example.org' })
  const late = await insertAssociation(ctx.db, { name: 'Spät bestätigt e. V.', contactEmail: 'spaet@example.org' })
  await inviteCoExhibitor(ctx.db, host.booking.id, confirmed.id, 'confirmed')
  await ctx.db.update(coExhibitors).set({ respondedAt: new Date(Date.now() - 30 * HOUR) }).where(eq(coExhibitors.associationId, confirmed.id))
  await inviteCoExhibitor(ctx.db, host.booking.id, invited.id, 'invited')
  // confirmed after the reminder's time (24 h before the start): no late reminder
  await inviteCoExhibitor(ctx.db, host.booking.id, late.id, 'confirmed')
  await ctx.db.update(coExhibitors).set({ respondedAt: new Date() }).where(eq(coExhibitors.associationId, late.id))

  t.equal(await queueDueReminders(ctx.db, defaultAudiences), 2, 'the host and the co-exhibitor that confirmed in time')
  const reminders = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.eventId, event.id))
  t.same(reminders.map((m) => m.toAddress).sort(), ['eltern@example.org', 'kultur@example.org'])
  for (const m of reminders) t.equal(m.data.standCode, 'C-03', `${m.toAddress}: the shared stand`)
  t.equal(reminders.find((m) => m.toAddress === 'eltern@example.org')!.data.name, 'Elterncafé Nord')
  t.equal(await queueDueReminders(ctx.db, defaultAudiences), 0, 'each once')

  const announced = await ctx.app.inject({
    method: 'POST',
    url: `/v1/events/${event.id}/announcements`,
    headers: admin.auth,
    payload: { audience: 'exhibitors', subject: 'Aufbau ab 7 Uhr', body: 'Die Halle ist ab 7 Uhr offen.' },
  })
  t.same(announced.json(), { queued: 3 }, 'an announcement reaches every association on an approved stand, the invited one not')
})
