import t from 'tap'
import { eq } from 'drizzle-orm'
import { events } from '../../../src/db/schema.js'
import { queueDueSessionReminders } from '../../../src/features/program/session-reminders.js'
import { emailAttachments } from '../../../src/features/email/attachments.js'
import { attachmentsFor } from '../../../src/mail/attachments.js'
import { renderEmail } from '../../../src/mail/render.js'
import { createTransport } from '../../../src/mail/transport.js'
import { drainOutbox } from '../../../src/mail/worker.js'
import { workerOptions } from '../../helpers/mail.js'
import { startSmtpSink } from '../../helpers/smtp.js'
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

t.test('a resent confirmation lists the registration’s reservations, in its language, over SMTP', async (t) => {
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  const transport = createTransport({ smtpUrl: sink.url, dataDir: '/nonexistent', publicUrl: p.ctx.config.publicUrl }, p.ctx.app.log)
  t.teardown(() => transport.close())
  const forum = await p.session(await p.room({ name: 'Salon Doğu' }), { title: 'Forum Veli Dernekleri' }, { offsetMinutes: 300, minutes: 60 })
  // one seat, taken by someone else: the second reservation waits first in line
  const workshop = await p.session(await p.room({ name: 'Oda 2' }), { title: 'Atölye Gençlik', seats: 1, waitlist: true }, { offsetMinutes: 390, minutes: 60 })
  must(await p.reserve(await p.register(fair.id, 1), workshop.id), 201)
  const email = `tr-${Date.now()}@example.org`
  const ayse = must(await inject('POST', `/v1/events/${fair.id}/registrations`, undefined, { email, name: 'Ayşe', language: 'tr', consent: { privacy: true } }), 201)
  must(await inject('POST', `/v1/registrations/${ayse.id}/sessions/${forum.id}`, bearer(ayse.manageToken)), 201)
  t.match(must(await inject('POST', `/v1/registrations/${ayse.id}/sessions/${workshop.id}`, bearer(ayse.manageToken)), 201), { status: 'waitlisted', waitlistPosition: 1 })
  t.equal((await inject('POST', `/v1/events/${fair.id}/registrations/resend`, undefined, { email })).statusCode, 202)

  await drainOutbox(workerOptions({ db: p.ctx.db, transport, mailFrom: p.ctx.config.mailFrom, log: p.ctx.app.log }), 'w1')
  const tickets = sink.messages.filter((m) => m.to && JSON.stringify(m.to).includes(email) && m.subject?.includes('biletiniz'))
  t.equal(tickets.length, 2, 'the first confirmation and the resent one')
  const [first, resent] = tickets.sort((a, b) => Number(String(a.text).includes('Programdaki')) - Number(String(b.text).includes('Programdaki')))
  t.notMatch(first.text, 'Programdaki yerleriniz', 'no list when the registration had no reservations yet')
  const local = (iso: string) => new Intl.DateTimeFormat('tr-TR', { timeZone: fair.timezone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso))
  const text = String(resent.text)
  t.match(text, 'Programdaki yerleriniz:\n- Forum Veli Dernekleri\n')
  t.match(text, new RegExp(`${local(forum.startsAt)}.${local(forum.endsAt)}, Salon: Salon Doğu, yer ayrıldı\n`), 'local time range, room, reserved')
  t.match(text, new RegExp(`- Atölye Gençlik\n .*${local(workshop.startsAt)}.${local(workshop.endsAt)}, Salon: Oda 2, bekleme listesi, sıra 1\n`), 'waitlisted with its position')
  t.ok(text.indexOf('Forum Veli Dernekleri') < text.indexOf('Atölye Gençlik'), 'by start')
  const html = String(resent.html)
  t.match(html, '<strong>Forum Veli Dernekleri</strong>')
  t.match(html, 'Salon: Oda 2<br>\nbekleme listesi, sıra 1')
})
