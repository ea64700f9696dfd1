import t from 'tap'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import ICAL from 'ical.js'
import jsqr from 'jsqr'
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser'
import { PNG } from 'pngjs'
import pino from 'pino'
import { outboxEmails } from '../../src/db/schema.js'
import { eventKey, signTicketCode, verifyTicketCode } from '../../src/features/tickets/ticket-codes.js'
import { emailAttachments, TICKET_QR_CID } from '../../src/features/email/attachments.js'
import { attachmentsFor, isTransientAttachmentError } from '../../src/mail/attachments.js'
import { enqueueEmails } from '../../src/mail/outbox.js'
import { renderEmail, templateFileProblems } from '../../src/mail/render.js'
import { LOCALES, validateEmailData, type EmailData } from '../../src/mail/templates.js'
import { createTransport } from '../../src/mail/transport.js'
import { drainOutbox } from '../../src/mail/worker.js'
import { build, eventBody, type TestContext } from '../helpers/app.js'
import { startSmtpSink } from '../helpers/smtp.js'
import { workerOptions } from '../helpers/mail.js'

const MANAGE_URL = 'https://messe.example/registrations/4f1c2d3e-0000-4000-8000-000000000001?token=vmr_xyz'
const event = {
  eventTitle: 'Vereinsmesse Dortmund',
  startsAt: '2027-03-20T09:00:00.000Z',
  endsAt: '2027-03-20T16:00:00.000Z',
  timezone: 'Europe/Berlin',
  venueName: 'Dietrich-Keuning-Haus',
  venueAddress: 'Leopoldstraße 50–58\n44147 Dortmund',
}
const confirmed: EmailData['registration-confirmed'] & Record<string, unknown> = {
  name: 'Ayşe Yılmaz',
  ...event,
  partySize: 3,
  manageUrl: MANAGE_URL,
  registrationId: '4f1c2d3e-0000-4000-8000-000000000001',
  ticketId: '9a8b7c6d-0000-4000-8000-000000000002',
  ticketCode: `VM1${'Ab3_-'.repeat(23)}`,
}
const waitlisted: EmailData['registration-waitlisted'] & Record<string, unknown> = {
  name: 'Karim',
  ...event,
  partySize: 2,
  manageUrl: MANAGE_URL,
  waitlistPosition: 4,
}
const cancelled: EmailData['event-cancelled'] & Record<string, unknown> = { name: 'Olga', ...event }

// jsqr is CommonJS typed as an ES default export: under NodeNext the import is the module, its function at .default.
const jsQR = jsqr.default

function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null
}

/** ical.js, with TZID times resolved through the VTIMEZONE the file carries. */
function parseCalendar(ics: string) {
  ICAL.TimezoneService.reset()
  const calendar = new ICAL.Component(ICAL.parse(ics))
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone)
  const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!)
  return { calendar, event }
}

t.test('the ticket email in German: event, QR inline with alt text, party size, when and where, manage link, .ics hint', async (t) => {
  const email = renderEmail('registration-confirmed', 'de', confirmed)
  t.equal(email.subject, 'Ihr Ticket für Vereinsmesse Dortmund')
  t.match(email.html, /<img src="cid:ticket-qr" width="240" height="240" alt="QR-Code Ihres Tickets für Vereinsmesse Dortmund"/)
  t.match(email.html, 'Gilt für 3 Personen')
  t.match(email.text, 'Ihr Ticket gilt für 3 Personen.')
  t.match(email.text, 'Der eine Code gilt für Ihre ganze Gruppe')
  t.match(email.text, 'Wann: Samstag, 20. März 2027, 10:00–17:00 Uhr', 'in the event’s time zone')
  t.match(email.html, 'Wann: Samstag, 20. März 2027, 10:00–17:00 Uhr')
  t.match(email.text, 'Wo: Dietrich-Keuning-Haus, Leopoldstraße 50–58, 44147 Dortmund')
  t.match(email.html, `href="${MANAGE_URL}"`)
  t.match(email.text, `ändern oder stornieren:\n${MANAGE_URL}\n`)
  t.match(email.text, 'vereinsmesse.ics')
  t.match(email.html, 'vereinsmesse.ics')
  t.notMatch(email.text + email.html, confirmed.ticketCode, 'the code is in the QR only')

  const single = renderEmail('registration-confirmed', 'de', { ...confirmed, partySize: 1 })
  t.match(single.html, 'Gilt für 1 Person<')
  t.match(single.text, 'Ihr Ticket gilt für 1 Person.')
  t.notMatch(single.text, 'Gruppe')

  const promoted = renderEmail('registration-confirmed', 'de', { ...confirmed, promoted: true })
  t.equal(promoted.subject, 'Sie haben einen Platz: Vereinsmesse Dortmund')
  t.match(promoted.text, 'von der Warteliste nachgerückt')
  t.notMatch(renderEmail('registration-confirmed', 'de', { ...confirmed, promoted: false }).text, 'Warteliste nachgerückt')
  t.equal(renderEmail('registration-confirmed', 'en', { ...confirmed, promoted: true }).subject, 'You have a place: Vereinsmesse Dortmund')
  t.equal(renderEmail('registration-confirmed', 'en', confirmed).subject, 'Your ticket for Vereinsmesse Dortmund')
})

t.test('party sizes in every plural form the languages have', async (t) => {
  const party = (locale: string, partySize: number) => renderEmail('registration-confirmed', locale, { ...confirmed, partySize }).html
  t.match(party('en', 1), 'Valid for 1 person<')
  t.match(party('en', 4), 'Valid for 4 people<')
  t.match(party('tr', 4), '4 kişi için geçerlidir')
  t.match(party('ar', 1), 'صالحة لشخص واحد')
  t.match(party('ar', 2), 'صالحة لشخصين')
  t.match(party('ar', 3), 'صالحة لـ 3 أشخاص')
  t.match(party('ar', 11), 'صالحة لـ 11 شخصًا')
  t.match(party('ar', 100), 'صالحة لـ 100 شخص<')
  for (const locale of LOCALES) {
    for (const partySize of [1, 2, 3, 11, 100]) {
      t.match(party(locale, partySize), /<div[^>]*font-weight:bold[^>]*>[^<]+<\/div>/, `${locale} ${partySize}: the party size is there`)
    }
  }
  const arabic = renderEmail('registration-confirmed', 'ar', confirmed)
  t.match(arabic.html, '<html lang="ar" dir="rtl">')
  t.match(arabic.html, 'alt="رمز QR لتذكرتك إلى Vereinsmesse Dortmund"')
  t.match(arabic.text, '\u200Fالموعد: السبت، 20 مارس 2027')
})

t.test('the waitlist email: position, party, what happens next, a link to leave', async (t) => {
  const de = renderEmail('registration-waitlisted', 'de', waitlisted)
  t.equal(de.subject, 'Sie stehen auf der Warteliste für Vereinsmesse Dortmund')
  t.match(de.text, 'Sie stehen auf Platz 4.')
  t.match(de.html, '<strong>Platz 4</strong>')
  t.match(de.text, 'Ihre Anmeldung gilt für 2 Personen.')
  t.match(de.text, 'bekommen Ihr Ticket per E-Mail')
  t.match(de.text, `von der Warteliste abmelden:\n${MANAGE_URL}\n`)
  t.match(de.text, 'Wann: Samstag, 20. März 2027, 10:00–17:00 Uhr')
  t.notMatch(de.html, /<img|cid:/, 'no ticket')
  t.match(renderEmail('registration-waitlisted', 'en', waitlisted).text, 'you are number 4.')
  t.match(renderEmail('registration-waitlisted', 'tr', waitlisted).text, 'listede 4. sıradasınız')
  t.match(renderEmail('registration-waitlisted', 'ar', waitlisted).text, 'ترتيبك فيها هو 4.')
  t.match(renderEmail('registration-waitlisted', 'ar', waitlisted).text, 'تسجيلك لشخصين.')
})

t.test('the cancellation email: the fair is off, the ticket void, an apology', async (t) => {
  const de = renderEmail('event-cancelled', 'de', cancelled)
  t.equal(de.subject, 'Abgesagt: Vereinsmesse Dortmund am Samstag, 20. März')
  t.match(de.text, /^Hallo Olga,\n\nleider müssen wir Ihnen mitteilen, dass Vereinsmesse Dortmund abgesagt ist/)
  t.match(de.text, 'Ihr Ticket ist damit nicht mehr gültig')
  t.match(de.text, 'Wir bitten um Entschuldigung')
  t.match(de.text, 'Geplant war: Samstag, 20. März 2027, 10:00–17:00 Uhr')
  t.match(renderEmail('event-cancelled', 'de', { ...event }).text, /^Guten Tag,/, 'without a name')
  const en = renderEmail('event-cancelled', 'en', cancelled)
  t.equal(en.subject, 'Cancelled: Vereinsmesse Dortmund on Saturday 20 March')
  t.match(en.text, 'no longer valid')
  t.match(en.text, 'We apologise')
  t.match(renderEmail('event-cancelled', 'tr', cancelled).text, 'biletiniz artık geçerli değildir')
  t.match(renderEmail('event-cancelled', 'ar', cancelled).text, 'لم تعد تذكرتك صالحة')
})

t.test('user text in the new emails is escaped in HTML, the alt attribute included', async (t) => {
  const evil = '"><script>alert(1)</script>'
  for (const locale of LOCALES) {
    const email = renderEmail('registration-confirmed', locale, { ...confirmed, eventTitle: evil, name: evil })
    t.notMatch(email.html, '<script', locale)
    t.match(email.html, /alt="[^"]*&quot;&gt;&lt;script&gt;/, `${locale}: the title in the alt text stays inside it`)
    t.match(email.text, evil, `${locale}: text is plain`)
  }
})

t.test('the data contract of the new emails', async (t) => {
  t.same(validateEmailData('registration-confirmed', confirmed), [])
  t.same(validateEmailData('registration-confirmed', { ...confirmed, promoted: true }), [])
  t.same(validateEmailData('registration-waitlisted', waitlisted), [])
  t.same(validateEmailData('event-cancelled', { ...event }), [])
  t.same(
    validateEmailData('registration-confirmed', {
      ...confirmed,
      partySize: 0,
      registrationId: 'r-1',
      ticketCode: 'VM1 with spaces',
      promoted: 'yes',
      manageUrl: 'javascript:alert(1)',
    }),
    [
      'partySize must be a whole number from 1 to 100000',
      'manageUrl must be an absolute http(s) URL',
      'registrationId must be a UUID',
      'ticketCode must be printable ASCII without spaces, at most 200 characters',
      'promoted must be true or false',
    ],
  )
  const { ticketCode: _, name: __, ...incomplete } = confirmed
  t.same(validateEmailData('registration-confirmed', incomplete), ['name is required', 'ticketCode is required'])
  t.same(validateEmailData('registration-confirmed', { ...confirmed, ticketCode: 'x'.repeat(201) }), [
    'ticketCode must be printable ASCII without spaces, at most 200 characters',
  ])
  t.same(validateEmailData('registration-waitlisted', { ...waitlisted, waitlistPosition: 1.5, qrCode: 'x' }), [
    'waitlistPosition must be a whole number from 1 to 100000',
    'qrCode is not a field of the "registration-waitlisted" email',
  ])
  t.same(validateEmailData('event-cancelled', { ...event, endsAt: '2027-03-20T08:00:00Z' }), ['endsAt must not be before startsAt'])
})

t.test('only the ticket email may show an image, only its own, and only with alt text', async (t) => {
  const img = '<img src="cid:ticket-qr" width="240" height="240" alt="QR">'
  t.same(templateFileProblems('registration-confirmed', 'html', `<p>{{name}}</p>${img}`), [])
  t.same(templateFileProblems('registration-confirmed', 'html', '<img src="cid:ticket-qr" alt=" ">'), [
    'the image cid:ticket-qr has no alt text',
  ])
  t.same(templateFileProblems('registration-confirmed', 'html', '<img src="cid:logo" alt="Logo">'), [
    'uses <style>, <script>, <link>, <iframe> or <img>',
    'loads an external resource',
  ])
  t.same(templateFileProblems('registration-confirmed', 'html', '<img src="https://x.example/qr.png" alt="QR">'), [
    'uses <style>, <script>, <link>, <iframe> or <img>',
    'loads an external resource',
  ])
  t.same(templateFileProblems('reminder', 'html', img), ['uses <style>, <script>, <link>, <iframe> or <img>', 'loads an external resource'])
})

t.test('attachments: the QR inline and as ticket.png, the .ics; other emails carry none', async (t) => {
  const parts = await attachmentsFor(emailAttachments, 'registration-confirmed', confirmed, { now: new Date('2027-01-01T00:00:00Z') })
  t.same(
    parts.map(({ filename, contentType, cid }) => ({ filename, contentType, cid })),
    [
      { filename: 'ticket-qr.png', contentType: 'image/png', cid: 'ticket-qr' },
      { filename: 'ticket.png', contentType: 'image/png', cid: undefined },
      { filename: 'vereinsmesse.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', cid: undefined },
    ],
  )
  t.equal(decodeQr(parts[0].content as Buffer), confirmed.ticketCode, 'the inline QR holds the code')
  t.equal(decodeQr(parts[1].content as Buffer), confirmed.ticketCode, 'so does ticket.png')
  const { event: vevent } = parseCalendar((parts[2].content as Buffer).toString('utf8'))
  t.equal(vevent.uid, `registration-${confirmed.registrationId}@vereinsmesse`)
  t.equal(vevent.startDate.toJSDate().toISOString(), confirmed.startsAt)
  t.equal(vevent.summary, 'Vereinsmesse Dortmund')
  t.match(vevent.description, MANAGE_URL, 'the manage link, for calendars that do not show URL')
  t.same(await attachmentsFor(emailAttachments, 'registration-waitlisted', waitlisted), [])
  t.same(await attachmentsFor(emailAttachments, 'event-cancelled', cancelled), [])
  t.same(await attachmentsFor(emailAttachments, 'magic-link', { loginUrl: MANAGE_URL, expiresMinutes: 5 }), [])
  t.ok(isTransientAttachmentError(Object.assign(new Error('x'), { code: 'EMFILE' })))
  t.notOk(isTransientAttachmentError(new RangeError('unknown time zone')))
  t.notOk(isTransientAttachmentError(null))
})

async function createEvent(ctx: TestContext) {
  const admin = await ctx.account('admin')
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody({ timezone: 'Europe/Berlin' }) })
  if (res.statusCode !== 201) throw new Error(`event not created: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; title: string; startsAt: string; endsAt: string; timezone: string; venue: { name: string; address: string } }
}

function attachmentByCid(mail: ParsedMail, cid: string): Attachment | undefined {
  return mail.attachments.find((a) => a.cid === cid || a.contentId === `<${cid}>`)
}

t.test('end to end: a ticket email through the outbox and SMTP, with a QR that decodes to a signed code and an .ics', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  const created = await createEvent(ctx)
  const key = await eventKey(ctx.db, created.id)
  const ticketId = randomUUID()
  const registrationId = randomUUID()
  const code = signTicketCode(ticketId, key)
  const data: EmailData['registration-confirmed'] & Record<string, unknown> = {
    name: 'Ayşe Yılmaz',
    eventTitle: created.title,
    startsAt: created.startsAt,
    endsAt: created.endsAt,
    timezone: created.timezone,
    venueName: created.venue.name,
    venueAddress: created.venue.address,
    partySize: 2,
    manageUrl: `${ctx.config.publicUrl}/registrations/${registrationId}?token=vmr_test`,
    registrationId,
    ticketId,
    ticketCode: code,
  }
  await enqueueEmails(ctx.db, [
    { to: 'ayse@example.org', template: 'registration-confirmed', locale: 'de', data, eventId: created.id },
    {
      to: 'karim@example.org',
      template: 'registration-waitlisted',
      locale: 'ar',
      data: { ...waitlisted, eventTitle: created.title },
      eventId: created.id,
    },
  ])
  const transport = createTransport({ smtpUrl: sink.url, dataDir: '/nonexistent', publicUrl: ctx.config.publicUrl }, ctx.app.log)
  t.teardown(() => transport.close())
  t.equal(await drainOutbox(workerOptions({ db: ctx.db, transport, mailFrom: ctx.config.mailFrom, log: ctx.app.log }), 'w1'), 2)
  const messages = await sink.waitFor(2)
  const rows = await ctx.db.select().from(outboxEmails)
  t.same(rows.map((r) => r.status), ['sent', 'sent'])

  const mail = messages.find((m) => m.subject?.includes('Ticket'))!
  t.equal(mail.subject, `Ihr Ticket für ${created.title}`, 'the subject names the event')
  // mailparser swaps a cid: link for the data of the part it names, so a data URL here is the proof that
  // the HTML's cid:ticket-qr points at the QR part (the file transport test below reads the link itself).
  const inlineSrc = /<img src="([^"]+)"[^>]*alt="QR-Code Ihres Tickets/.exec(String(mail.html))?.[1]
  t.ok(inlineSrc, 'the HTML shows the QR image')
  t.match(mail.text, data.manageUrl)
  t.match(mail.text, 'Ihr Ticket gilt für 2 Personen.')

  const inline = attachmentByCid(mail, TICKET_QR_CID)
  t.ok(inline, 'a part with Content-ID ticket-qr')
  t.equal(inline?.contentType, 'image/png')
  t.equal(inline?.contentDisposition, 'inline')
  t.equal(inlineSrc, `data:image/png;base64,${inline!.content.toString('base64')}`, 'the <img> shows that part')
  const scanned = decodeQr(inline!.content)
  t.equal(scanned, code, 'the inline QR decodes to the ticket code')
  t.equal(verifyTicketCode(scanned!, key.publicKey, key.kid), ticketId, 'and the code verifies with the event’s key')

  const file = mail.attachments.find((a) => a.filename === 'ticket.png')
  t.equal(file?.contentDisposition, 'attachment', 'ticket.png is a normal attachment')
  t.equal(decodeQr(file!.content), code)

  const ics = mail.attachments.find((a) => a.filename === 'vereinsmesse.ics')
  t.ok(ics, 'the calendar file is attached')
  t.match(ics?.contentType, 'text/calendar')
  const raw = ics!.content.toString('utf8')
  t.notMatch(raw.replace(/\r\n/g, ''), /\n/, 'CRLF survived the trip')
  const { calendar, event: vevent } = parseCalendar(raw)
  t.equal(calendar.getFirstPropertyValue('method'), 'PUBLISH')
  t.equal(vevent.uid, `registration-${registrationId}@vereinsmesse`, 'UID of the registration')
  t.equal(vevent.startDate.toJSDate().toISOString(), new Date(created.startsAt).toISOString(), 'DTSTART is the event’s start')
  t.equal(vevent.endDate.toJSDate().toISOString(), new Date(created.endsAt).toISOString(), 'DTEND is the event’s end')
  t.equal(vevent.startDate.zone?.tzid, 'Europe/Berlin')
  t.equal(vevent.summary, created.title)

  const waitlistMail = messages.find((m) => m !== mail)!
  t.equal(waitlistMail.subject, `أنت على قائمة الانتظار لفعالية ${created.title}`)
  t.same(waitlistMail.attachments, [], 'the waitlist email has no ticket and no calendar')
})

t.test('file transport: the .eml keeps the attachments and the .ics byte for byte', async (t) => {
  const ctx = await build(t)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-ticket-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const transport = createTransport({ dataDir: dir, publicUrl: ctx.config.publicUrl }, pino({ level: 'silent' }))
  await enqueueEmails(ctx.db, [{ to: 'ayse@example.org', template: 'registration-confirmed', locale: 'en', data: { ...confirmed, promoted: true } }])
  await drainOutbox(workerOptions({ db: ctx.db, transport, mailFrom: ctx.config.mailFrom, log: ctx.app.log }), 'w')
  const [name] = fs.readdirSync(path.join(dir, 'outbox'))
  const mail = await simpleParser(fs.readFileSync(path.join(dir, 'outbox', name)), { keepCidLinks: true })
  t.equal(mail.subject, 'You have a place: Vereinsmesse Dortmund')
  t.match(String(mail.html), '<img src="cid:ticket-qr" width="240" height="240" alt="QR code of your ticket for Vereinsmesse Dortmund"')
  t.equal(decodeQr(attachmentByCid(mail, TICKET_QR_CID)!.content), confirmed.ticketCode)
  const ics = mail.attachments.find((a) => a.filename === 'vereinsmesse.ics')!.content.toString('utf8')
  t.equal(ics, (await attachmentsFor(emailAttachments, 'registration-confirmed', confirmed))[2].content.toString().replace(/DTSTAMP:\w+/, ics.match(/DTSTAMP:\w+/)![0]))
  const [row] = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.toAddress, 'ayse@example.org'))
  t.equal(row.status, 'sent')
})
