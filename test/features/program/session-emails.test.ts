import t from 'tap'
import { eq } from 'drizzle-orm'
import { events } from '../../../src/db/schema.js'
import { queueDueSessionReminders } from '../../../src/features/program/session-reminders.js'
import { emailAttachments } from '../../../src/features/email/attachments.js'
import { attachmentsFor } from '../../../src/mail/attachments.js'
import { renderEmail } from '../../../src/mail/render.js'
import { bearer, must, programSetup } from '../../helpers/program.js'

const p = await programSetup(t)
const { inject, organizer, fair } = p

t.test('the event field, and a reminder before each reserved session, once', async (t) => {
  const patched = must(await inject('PATCH', `/v1/events/${fair.id}`, organizer.auth, { sessionReminderMinutesBefore: 45 }), 200)
  t.equal(patched.sessionReminderMinutesBefore, 45)
  const room = await p.room({ capacity: 5 })
  const s = await p.session(room, {}, { offsetMinutes: 60, minutes: 30 })
  const a = await p.register(fair.id, 1)
  must(await p.reserve(a, s.id), 201)
  const startsAt = new Date(s.startsAt)
  t.equal(await queueDueSessionReminders(p.ctx.db, p.ctx.config, new Date(startsAt.getTime() - 46 * 60_000)), 0, 'not yet due')
  t.equal(await queueDueSessionReminders(p.ctx.db, p.ctx.config, new Date(startsAt.getTime() - 44 * 60_000)), 1, 'due')
  t.equal(await queueDueSessionReminders(p.ctx.db, p.ctx.config, new Date(startsAt.getTime() - 40 * 60_000)), 0, 'sent once')
  const [reminder] = await p.emails(a.email, 'reminder')
  t.match(reminder.data, { sessionTitle: s.title, people: 1 })
  // a move reminds again at the new time; a cancelled session reminds nobody
  const later = must(await inject('PATCH', `/v1/sessions/${s.id}`, organizer.auth, { startsAt: new Date(startsAt.getTime() + 3600_000).toISOString(), endsAt: new Date(startsAt.getTime() + 5400_000).toISOString() }), 200)
  t.equal(await queueDueSessionReminders(p.ctx.db, p.ctx.config, new Date(Date.parse(later.startsAt) - 30 * 60_000)), 1, 'reminded at the new time')
  must(await inject('POST', `/v1/sessions/${s.id}/cancel`, organizer.auth), 200)
  await p.ctx.db.update(events).set({ sessionReminderMinutesBefore: 600 }).where(eq(events.id, fair.id))
  t.equal(await queueDueSessionReminders(p.ctx.db, p.ctx.config, new Date(Date.parse(later.startsAt) - 60_000)), 0, 'cancelled: none')
})

t.test('reservation emails render in every language and carry the session .ics', async (t) => {
  const room = await p.room({ capacity: 5, name: 'Saal Ost' })
  const s = await p.session(room, {}, { offsetMinutes: 200, minutes: 30 })
  for (const language of ['de', 'en', 'tr', 'ar']) {
    const r = must(await inject('POST', `/v1/events/${fair.id}/registrations`, undefined, { email: `${language}-${Date.now()}@example.org`, name: `Gast ${language}`, language, consent: { privacy: true } }), 201)
    must(await inject('POST', `/v1/registrations/${r.id}/sessions/${s.id}`, bearer(r.manageToken)), 201)
  }
  const rows = await p.ctx.db.query.outboxEmails.findMany({ where: (o, { eq }) => eq(o.template, 'session-reservation') })
  const reserved = rows.filter((r) => (r.data as any).update === 'reserved' && (r.data as any).sessionId === s.id)
  t.equal(reserved.length, 4)
  for (const row of reserved) {
    const email = renderEmail('session-reservation', row.locale, row.data)
    t.match(email.text, 'Saal Ost', `${row.locale}: names the room`)
    t.match(email.subject, s.title)
    const files = await attachmentsFor(emailAttachments, 'session-reservation', row.data as any)
    const ics = files.find((f) => f.filename.endsWith('.ics'))
    t.ok(ics, 'an .ics is attached')
    t.match(ics!.content.toString(), `UID:session-${s.id}@vereinsmesse`)
  }
})
