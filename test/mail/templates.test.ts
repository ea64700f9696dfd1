import t, { type Test } from 'tap'
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import {
  EMAIL_DATA,
  LOCALES,
  TEMPLATE_NAMES,
  isTemplateName,
  normaliseLocale,
  validateEmailData,
  type EmailData,
  type TemplateName,
} from '../../src/mail/templates.js'
import {
  EmailRenderError,
  LAYOUT_FILE,
  inlineImages,
  createRenderer,
  TEMPLATES_DIR,
  renderEmail,
  templateFileProblems,
  templateVariables,
} from '../../src/mail/render.js'

const LOGIN_URL = 'https://messe.example/login?token=abc123'
const MANAGE_URL = 'https://messe.example/registrations/4f1c?token=vmr_xyz'
const BOOKING_URL = 'https://messe.example/stand-bookings/4f1c2d3e-0000-4000-8000-000000000003'

const reminder: EmailData['reminder'] = {
  name: 'Ayşe Yılmaz',
  audience: 'visitors',
  eventTitle: 'Vereinsmesse Dortmund',
  startsAt: '2027-03-20T09:00:00.000Z',
  endsAt: '2027-03-20T16:00:00.000Z',
  timezone: 'Europe/Berlin',
  venueName: 'Dietrich-Keuning-Haus',
  venueAddress: 'Leopoldstraße 50–58\n44147 Dortmund',
  manageUrl: MANAGE_URL,
}

const event = {
  eventTitle: 'Vereinsmesse Dortmund',
  startsAt: '2027-03-20T09:00:00.000Z',
  endsAt: '2027-03-20T16:00:00.000Z',
  timezone: 'Europe/Berlin',
  venueName: 'Dietrich-Keuning-Haus',
  venueAddress: 'Leopoldstraße 50–58\n44147 Dortmund',
}

const confirmed: EmailData['registration-confirmed'] = {
  name: 'Ayşe Yılmaz',
  ...event,
  partySize: 3,
  manageUrl: MANAGE_URL,
  registrationId: '4f1c2d3e-0000-4000-8000-000000000001',
  ticketId: '9a8b7c6d-0000-4000-8000-000000000002',
  ticketCode: `VM1${'A'.repeat(115)}`,
}

// one seat reserved, one on a waiting list: the confirmation lists both
const reservations: NonNullable<EmailData['registration-confirmed']['reservations']> = [
  { sessionTitle: 'Forum Elternvereine', startsAt: '2027-03-20T10:00:00.000Z', endsAt: '2027-03-20T11:30:00.000Z', roomName: 'Saal Ost' },
  { sessionTitle: 'Workshop Jugendarbeit', startsAt: '2027-03-20T13:00:00.000Z', endsAt: '2027-03-20T14:00:00.000Z', roomName: 'Raum 2', waitlistPosition: 3 },
]

/** Each template with and without its optional data, so every section is rendered both ways. */
const SAMPLES: { [T in TemplateName]: EmailData[T][] } = {
  'magic-link': [{ name: 'Karim', loginUrl: LOGIN_URL, expiresMinutes: 15 }, { loginUrl: LOGIN_URL, expiresMinutes: 1 }],
  'account-erase': [{ name: 'Karim', confirmUrl: LOGIN_URL, expiresMinutes: 1440 }, { confirmUrl: LOGIN_URL, expiresMinutes: 60 }],
  reminder: [
    reminder,
    { ...reminder, audience: 'exhibitors', standCode: 'B12', name: 'Kulturverein Nordstadt e. V.' },
    {
      audience: 'exhibitors',
      eventTitle: 'Vereinsmesse Dortmund',
      startsAt: '2027-03-20T09:00:00Z',
      endsAt: '2027-03-21T16:00:00Z',
      timezone: 'Europe/Berlin',
      venueName: 'Dietrich-Keuning-Haus',
      venueAddress: 'Leopoldstraße 50–58, 44147 Dortmund',
    },
  ],
  announcement: [
    {
      name: 'Olga',
      eventTitle: 'Vereinsmesse Dortmund',
      subject: 'Neuer Eingang',
      body: 'Liebe Gäste,\nder Eingang ist dieses Jahr an der Nordseite.\n\nBis Samstag!',
    },
    { eventTitle: 'Vereinsmesse Dortmund', subject: 'Parking', body: 'There is no parking at the venue.' },
  ],
  // party sizes that reach every plural form of each language (Arabic: one, two, few, many, other)
  'registration-confirmed': [
    confirmed,
    { ...confirmed, partySize: 1, promoted: true },
    { ...confirmed, partySize: 2, promoted: false },
    { ...confirmed, partySize: 11 },
    { ...confirmed, partySize: 100, endsAt: '2027-03-21T16:00:00Z' },
    { ...confirmed, reservations },
  ],
  'registration-waitlisted': [
    { name: 'Karim', ...event, partySize: 1, manageUrl: MANAGE_URL, waitlistPosition: 1 },
    { name: 'Karim', ...event, partySize: 2, manageUrl: MANAGE_URL, waitlistPosition: 12 },
    { name: 'Karim', ...event, partySize: 5, manageUrl: MANAGE_URL, waitlistPosition: 3 },
  ],
  'event-cancelled': [{ name: 'Olga', ...event }, { ...event }],
  'association-welcome': [{ name: 'Ayşe Yılmaz', associationName: 'Kulturverein Nordstadt e. V.', verifyUrl: LOGIN_URL, expiresMinutes: 7 * 24 * 60 }],
  'association-invitation': [
    { name: 'Karim', inviterName: 'Ayşe Yılmaz', associationName: 'Kulturverein Nordstadt e. V.', loginUrl: LOGIN_URL, expiresMinutes: 7 * 24 * 60 },
  ],
  'booking-status': [
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'requested', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL },
    {
      associationName: 'Kulturverein Nordstadt e. V.',
      ...event,
      status: 'approved',
      bookingId: '4f1c2d3e-0000-4000-8000-000000000003',
      manageUrl: BOOKING_URL,
      standCode: 'B12',
      passes: [
        { ticketId: '9a8b7c6d-0000-4000-8000-000000000004', code: `VM1${'B'.repeat(115)}` },
        { ticketId: '9a8b7c6d-0000-4000-8000-000000000005', code: `VM1${'C'.repeat(115)}` },
      ],
    },
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'approved', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL, standCode: 'A1', reassigned: true },
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'waitlisted', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL },
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'rejected', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL, reason: 'Alle Stände sind vergeben.\nNächstes Jahr gern wieder.' },
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'withdrawn', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL },
    { associationName: 'Kulturverein Nordstadt e. V.', ...event, status: 'cancelled', bookingId: '4f1c2d3e-0000-4000-8000-000000000003', manageUrl: BOOKING_URL },
  ],
  'co-exhibitor-invitation': [
    { associationName: 'Elternnetzwerk Hörde', hostAssociationName: 'Kulturverein Nordstadt e. V.', ...event, confirmUrl: 'https://messe.example/co-exhibitors/confirm?token=abc' },
  ],
  'stand-freed': [
    {
      ...event,
      name: 'Selin Organisatorin',
      standCode: 'H1-07',
      associationName: 'Kulturverein Nordstadt e. V.',
      waitlisted: 'Elternnetzwerk Hörde\nTürkischer Elternverein "Eving" & Freunde',
      bookingsUrl: 'https://messe.example/events/4f1c2d3e-0000-4000-8000-000000000009/stand-bookings?status=waitlisted',
    },
    { ...event, standCode: 'H1-07', associationName: 'Kulturverein Nordstadt e. V.', bookingsUrl: 'https://messe.example/events/x/stand-bookings?status=waitlisted' },
  ],
  'session-reservation': (['reserved', 'waitlisted', 'promoted', 'changed', 'cancelled', 'reminder'] as const).map((update, i) => ({
    name: 'Ayşe Yılmaz',
    update,
    eventTitle: event.eventTitle,
    timezone: event.timezone,
    venueName: event.venueName,
    venueAddress: event.venueAddress,
    sessionTitle: 'Forum Elternvereine: Mitmachen in der Schule',
    startsAt: '2027-03-20T10:00:00.000Z',
    endsAt: '2027-03-20T11:30:00.000Z',
    roomName: 'Saal 2',
    people: 1 + (i % 3),
    ...(update === 'waitlisted' ? { waitlistPosition: 4 } : {}),
    sessionId: '4f1c2d3e-0000-4000-8000-00000000000a',
    registrationId: '4f1c2d3e-0000-4000-8000-00000000000b',
    manageUrl: 'https://messe.example/registrations/4f1c2d3e-0000-4000-8000-00000000000b',
  })),
  meeting: [
    {
      ...event,
      associationName: 'Kulturverein Nordstadt e. V.',
      otherName: 'Elternnetzwerk Hörde',
      kind: 'requested',
      meetingId: '4f1c2d3e-0000-4000-8000-000000000010',
      manageUrl: 'https://messe.example/meetings/4f1c2d3e-0000-4000-8000-000000000010',
      message: 'Wir würden gern über ein gemeinsames Sommerfest sprechen.',
      reasons: 'Both work in culture\nBoth in Innenstadt-Nord',
    },
    ...(['accepted', 'scheduled', 'declined', 'rescheduled', 'cancelled', 'held', 'reminder'] as const).map((kind) => ({
      ...event,
      associationName: 'Elternnetzwerk Hörde',
      otherName: 'Kulturverein Nordstadt e. V.',
      kind,
      meetingId: '4f1c2d3e-0000-4000-8000-000000000010',
      manageUrl: 'https://messe.example/meetings/4f1c2d3e-0000-4000-8000-000000000010',
      ...(kind === 'declined' ? { reason: 'Keine Zeit an diesem Tag.' } : {}),
      ...(['scheduled', 'rescheduled', 'held', 'reminder'].includes(kind)
        ? { meetingStartsAt: '2027-03-20T10:00:00.000Z', meetingEndsAt: '2027-03-20T10:20:00.000Z', placeCode: 'T3' }
        : {}),
    })),
  ],
}

const samples = (template: TemplateName) => SAMPLES[template] as unknown as Record<string, unknown>[]
const HTML_TAG = /<\/?[a-z][a-z0-9]*[\s>/]/i
const ARABIC = /[\u0600-\u06FF]/
const URL_VARIABLES = Object.values(EMAIL_DATA).flatMap((schema) =>
  Object.entries(schema.properties as Record<string, { kind?: string }>).flatMap(([name, field]) => (field.kind === 'url' ? [name] : [])),
)

t.test('the files on disk: every template in every language, each placeholder known', async (t) => {
  const expected = new Set(['README.md', LAYOUT_FILE, ...TEMPLATE_NAMES])
  t.same(
    readdirSync(TEMPLATES_DIR).filter((entry) => !expected.has(entry)),
    [],
    'no stray files or folders in templates/',
  )
  const layout = readFileSync(new URL(LAYOUT_FILE, TEMPLATES_DIR), 'utf8')
  t.same(templateFileProblems(LAYOUT_FILE, 'html', layout), [], LAYOUT_FILE)
  t.match(layout, '<html lang="{{lang}}" dir="{{dir}}">')
  t.match(layout, 'max-width:600px')

  for (const template of TEMPLATE_NAMES) {
    const files = readdirSync(new URL(`${template}/`, TEMPLATES_DIR)).sort()
    t.same(files, LOCALES.flatMap((locale) => [`${locale}.html`, `${locale}.txt`]).sort(), `${template}: one pair per language`)
    for (const file of files) {
      const source = readFileSync(new URL(`${template}/${file}`, TEMPLATES_DIR), 'utf8')
      t.same(templateFileProblems(template, file.endsWith('.html') ? 'html' : 'txt', source), [], `${template}/${file}`)
    }
  }
})

t.test('Arabic text parts mark every Arabic line right-to-left (templates/README.md)', async (t) => {
  for (const template of TEMPLATE_NAMES) {
    const lines = readFileSync(new URL(`${template}/ar.txt`, TEMPLATES_DIR), 'utf8').split('\n').slice(1)
    const unmarked = lines.filter((line) => ARABIC.test(line) && !line.startsWith('\u200F'))
    t.same(unmarked, [], `${template}/ar.txt`)
    const marked = lines.filter((line) => line.startsWith('\u200F') && URL_VARIABLES.some((name) => line.includes(`{{${name}}}`)))
    t.same(marked, [], `${template}/ar.txt: no mark before a URL (a copied URL would break)`)
  }
})

t.test('every template renders in every language', async (t) => {
  for (const template of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      for (const [i, data] of samples(template).entries()) {
        const label = `${template}/${locale} #${i}`
        const email = renderEmail(template, locale, data)
        t.equal(email.locale, locale, label)
        t.ok(email.subject.length > 3, `${label}: subject`)
        t.notMatch(email.subject, /\n/, `${label}: subject is one line`)
        for (const [part, value] of Object.entries({ subject: email.subject, html: email.html, text: email.text })) {
          t.notMatch(value, /undefined|null|\[object |\{\{|\}\}/, `${label}: ${part} has no leftovers`)
        }
        t.notMatch(email.text, HTML_TAG, `${label}: no HTML in the text part`)
        t.match(email.html, /^<!DOCTYPE html>/, label)
        t.match(email.html, `<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">`, label)
        // The one image allowed is one the email carries itself (cid:), and only where the worker attaches it.
        const { rest: withoutInlineImages } = inlineImages(template, email.html)
        t.notMatch(withoutInlineImages, /<style|<script|<img|<link|src=|url\(/i, `${label}: nothing external, no style blocks`)

        const urls = [data.loginUrl, data.manageUrl, data.verifyUrl, data.confirmUrl, data.bookingsUrl].filter((url): url is string => typeof url === 'string')
        for (const url of urls) {
          t.match(email.html, `href="${url}"`, `${label}: link`)
          t.match(email.text, `\n${url}\n`, `${label}: URL on a line of its own`)
        }
        const withoutLinks = urls.reduce((html, url) => html.split(url).join(''), email.html)
        t.notMatch(withoutLinks, /https?:/, `${label}: no other address in the HTML`)

        if (template === 'magic-link' || template === 'account-erase' || template.startsWith('association-')) t.match(email.subject, 'Vereinsmesse', label)
        else t.match(email.subject, 'Vereinsmesse Dortmund', `${label}: the subject names the event`)
        if (data.name) {
          t.match(email.text, data.name as string, `${label}: greets by name`)
        }
      }
    }
  }
})

t.test('the ticket email lists the reservations: session, local time, room, reserved or waitlisted', async (t) => {
  const de = renderEmail('registration-confirmed', 'de', { ...confirmed, reservations })
  t.match(de.text, 'Ihre Plätze im Programm:\n- Forum Elternvereine\n  Samstag, 20. März 2027, 11:00–12:30 Uhr, Raum: Saal Ost, Platz reserviert\n')
  t.match(de.text, '- Workshop Jugendarbeit\n  Samstag, 20. März 2027, 14:00–15:00 Uhr, Raum: Raum 2, Warteliste, Position 3\n')
  t.match(de.html, '<strong>Workshop Jugendarbeit</strong><br>\nSamstag, 20. März 2027, 14:00–15:00 Uhr, Raum: Raum 2<br>\nWarteliste, Position 3')
  const ar = renderEmail('registration-confirmed', 'ar', { ...confirmed, reservations })
  t.match(ar.text, '\u200F  السبت، 20 مارس 2027')
  t.match(ar.text, 'قائمة الانتظار، الترتيب 3')
  for (const locale of LOCALES) {
    const without = renderEmail('registration-confirmed', locale, confirmed)
    t.notMatch(without.text, /Saal Ost|Raum:|Room:|Salon:|القاعة/, `${locale}: no list without reservations`)
  }
})

t.test('Arabic is right-to-left and right-aligned', async (t) => {
  const email = renderEmail('reminder', 'ar', reminder)
  t.equal(email.locale, 'ar')
  t.match(email.html, '<html lang="ar" dir="rtl">')
  t.match(email.html, '<body dir="rtl"')
  t.match(email.html, 'text-align:right')
  t.notMatch(email.html, 'text-align:left')
  t.match(email.subject, /^تذكير: Vereinsmesse Dortmund يوم السبت، 20 مارس$/)
  t.match(email.text, '\u200F')
  const german = renderEmail('reminder', 'de', reminder)
  t.match(german.html, 'text-align:left')
  t.notMatch(german.html, 'rtl')
  t.notMatch(german.text, '\u200F')
})

t.test('a language we do not write in falls back to German', async (t) => {
  const german = renderEmail('reminder', 'de', reminder)
  for (const locale of ['fr', '', 'xx-YY', 'deutsch']) {
    const email = renderEmail('reminder', locale, reminder)
    t.equal(email.locale, 'de', locale)
    t.equal(email.subject, german.subject, locale)
    t.equal(email.text, german.text, locale)
  }
  t.equal(renderEmail('reminder', 'de-DE', reminder).locale, 'de')
  t.equal(renderEmail('reminder', 'ar_SY', reminder).locale, 'ar')
  t.equal(renderEmail('magic-link', 'TR', SAMPLES['magic-link'][0]).locale, 'tr')
})

/** A renderer over a copy of templates/ that the test may break. */
function copyOfTemplates(t: Test) {
  const dir = t.testdir()
  cpSync(TEMPLATES_DIR, dir, { recursive: true })
  const url = pathToFileURL(`${dir}/`)
  return { dir, render: createRenderer(url) }
}

t.test('a template not yet translated is sent in German; a broken set fails loudly', async (t) => {
  const untranslated = copyOfTemplates(t)
  rmSync(`${untranslated.dir}/reminder/tr.html`)
  rmSync(`${untranslated.dir}/reminder/tr.txt`)
  const email = untranslated.render('reminder', 'tr', reminder)
  t.equal(email.locale, 'de')
  t.equal(email.subject, 'Erinnerung: Vereinsmesse Dortmund am Samstag, 20. März')
  t.equal(untranslated.render('magic-link', 'tr', SAMPLES['magic-link'][0]).locale, 'tr', 'other templates keep Turkish')

  // Read once, at first use: a later change on disk does not reach a running worker.
  writeFileSync(`${untranslated.dir}/reminder/de.txt`, 'Subject: {{eventTitle}} geändert\n\nneu')
  t.equal(untranslated.render('reminder', 'de', reminder).subject, email.subject)

  const half = copyOfTemplates(t)
  rmSync(`${half.dir}/reminder/ar.txt`)
  t.throws(() => half.render('magic-link', 'de', SAMPLES['magic-link'][0]), {
    name: 'EmailRenderError',
    message: /templates\/reminder\/ar\.html has no \.txt beside it/,
  })

  const noGerman = copyOfTemplates(t)
  rmSync(`${noGerman.dir}/announcement/de.html`)
  rmSync(`${noGerman.dir}/announcement/de.txt`)
  writeFileSync(`${noGerman.dir}/magic-link/en.txt`, 'Your link\n{{loginUrl}}')
  const err = t.throws(() => noGerman.render('magic-link', 'en', SAMPLES['magic-link'][0])) as EmailRenderError
  t.same(err.problems, [
    'templates/magic-link/en: must start with a "Subject: …" line followed by a blank line',
    'templates/announcement/de.{html,txt} are missing',
  ])
  t.equal(err.kind, 'templates', 'a broken deployment, not a bad email')

  // Windows line ends and a byte order mark from a translator's editor do not reach the email.
  const windows = copyOfTemplates(t)
  const source = readFileSync(`${windows.dir}/magic-link/de.txt`, 'utf8')
  writeFileSync(`${windows.dir}/magic-link/de.txt`, `\uFEFF${source.replace(/\n/g, '\r\n')}`)
  const fromWindows = windows.render('magic-link', 'de', SAMPLES['magic-link'][0])
  t.equal(fromWindows.subject, 'Ihr Anmeldelink für die Vereinsmesse')
  t.notMatch(fromWindows.text, /\r|\uFEFF/)
})

t.test('normaliseLocale and isTemplateName', async (t) => {
  t.equal(normaliseLocale('de-DE'), 'de')
  t.equal(normaliseLocale('en-GB'), 'en')
  t.equal(normaliseLocale(' EN '), 'en')
  t.equal(normaliseLocale('tr_TR'), 'tr')
  t.equal(normaliseLocale('ar-EG'), 'ar')
  t.equal(normaliseLocale('fr'), 'de')
  t.equal(normaliseLocale(null), 'de')
  t.equal(normaliseLocale(undefined), 'de')
  t.equal(normaliseLocale(''), 'de')
  t.ok(isTemplateName('reminder'))
  t.notOk(isTemplateName('Reminder'))
  t.notOk(isTemplateName('toString'))
})

t.test('the German reminder reads as the issue asks, in the event’s time zone', async (t) => {
  const email = renderEmail('reminder', 'de', reminder)
  t.equal(email.subject, 'Erinnerung: Vereinsmesse Dortmund am Samstag, 20. März')
  t.match(email.text, 'Wann: Samstag, 20. März 2027, 10:00–17:00 Uhr')
  t.match(email.html, 'Wann: Samstag, 20. März 2027, 10:00–17:00 Uhr')
  t.match(email.text, 'Wo: Dietrich-Keuning-Haus, Leopoldstraße 50–58, 44147 Dortmund', 'address on one line')

  // 23:30 UTC is already Sunday in Berlin: the date, not only the hour, follows the zone.
  const late = renderEmail('reminder', 'de', { ...reminder, startsAt: '2027-03-20T23:30:00Z', endsAt: '2027-03-21T03:00:00Z' })
  t.equal(late.subject, 'Erinnerung: Vereinsmesse Dortmund am Sonntag, 21. März')
  t.match(late.text, '00:30')

  const istanbul = renderEmail('reminder', 'tr', { ...reminder, timezone: 'Europe/Istanbul' })
  t.match(istanbul.text, '12:00–19:00')
  const newYork = renderEmail('reminder', 'en', { ...reminder, timezone: 'America/New_York' })
  t.match(newYork.text, '05:00–12:00')
  t.equal(newYork.subject, 'Reminder: Vereinsmesse Dortmund on Saturday 20 March')

  const twoDays = renderEmail('reminder', 'de', SAMPLES.reminder[2])
  t.match(twoDays.text, 'Samstag, 20. März 2027 um 10:00 – Sonntag, 21. März 2027 um 17:00')
})

t.test('visitors and exhibitors are told different things', async (t) => {
  const visitor = renderEmail('reminder', 'de', reminder)
  const exhibitor = renderEmail('reminder', 'de', SAMPLES.reminder[1])
  t.match(visitor.text, 'Ticket')
  t.notMatch(visitor.text, 'Stand')
  t.match(visitor.html, 'Anmeldung verwalten')
  t.match(exhibitor.text, 'Ihr Stand: B12')
  t.match(exhibitor.html, 'Ihr Stand: <strong>B12</strong>')
  t.match(exhibitor.text, 'aufgebaut')
  t.notMatch(exhibitor.text, 'Ticket')
  t.match(exhibitor.html, 'Standbuchung ansehen')
  const withoutLink = renderEmail('reminder', 'de', SAMPLES.reminder[2])
  t.notMatch(withoutLink.html, '<a ')
  t.notMatch(withoutLink.text, 'Standbuchung')
  t.notMatch(withoutLink.text, 'Ihr Stand:')
  t.notMatch(withoutLink.text, /\n\n\n/, 'no holes where sections were left out')
})

t.test('user text is escaped in HTML and left alone in the text part', async (t) => {
  const evil = '<script>alert("x")</script> & Co'
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'
  const cases: [TemplateName, Record<string, unknown>][] = [
    ['magic-link', { ...SAMPLES['magic-link'][0], name: evil }],
    ['reminder', { ...reminder, name: evil, eventTitle: evil, venueName: evil }],
    ['announcement', { ...SAMPLES.announcement[0], name: evil, subject: evil, body: `${evil}\n${evil}` }],
  ]
  for (const [template, data] of cases) {
    for (const locale of LOCALES) {
      const email = renderEmail(template, locale, data)
      t.notMatch(email.html, '<script', `${template}/${locale}`)
      t.match(email.html, escaped, `${template}/${locale}`)
      t.match(email.text, evil, `${template}/${locale}: text is plain`)
      t.notMatch(email.text, '&lt;', `${template}/${locale}`)
    }
  }
  const announcement = renderEmail('announcement', 'de', cases[2][1])
  t.equal(announcement.subject, `Vereinsmesse Dortmund: ${evil}`, 'a subject is a header, not HTML')
  t.match(announcement.html, `<title>Vereinsmesse Dortmund: ${escaped}</title>`)

  const ampersand = 'https://messe.example/login?token=a&next=b'
  t.match(renderEmail('magic-link', 'de', { loginUrl: ampersand, expiresMinutes: 5 }).html, 'href="https://messe.example/login?token=a&amp;next=b"')
})

t.test('an announcement body becomes paragraphs, with a transactional footer', async (t) => {
  const email = renderEmail('announcement', 'en', {
    eventTitle: 'Vereinsmesse Dortmund',
    subject: 'New entrance',
    body: 'Dear guests,\r\nthe entrance has moved.\n\n\n  See you on Saturday!  \n',
  })
  t.equal(email.subject, 'Vereinsmesse Dortmund: New entrance')
  t.match(email.html, '<p style="margin:0 0 16px;">Dear guests,<br>\nthe entrance has moved.</p>\n<p style="margin:0 0 16px;">See you on Saturday!</p>')
  t.match(email.text, 'Dear guests,\nthe entrance has moved.')
  t.match(email.html, 'You receive this message because you are registered for Vereinsmesse Dortmund.')
  t.match(email.text, 'You receive this message because you are registered for Vereinsmesse Dortmund.')
  t.notMatch(email.html + email.text, /unsubscribe|abmelden/i)
  t.match(email.html, '<div dir="auto"', 'the organizer’s text keeps its own direction')
})

t.test('the magic link names the fair and its lifetime in words', async (t) => {
  const de = renderEmail('magic-link', 'de', SAMPLES['magic-link'][0])
  t.equal(de.subject, 'Ihr Anmeldelink für die Vereinsmesse')
  t.match(de.text, 'Hallo Karim,')
  t.match(de.text, '15 Minuten gültig')
  t.match(renderEmail('magic-link', 'de', SAMPLES['magic-link'][1]).text, /^Guten Tag,\n[\s\S]*1 Minute gültig/)
  t.match(renderEmail('magic-link', 'ar', SAMPLES['magic-link'][0]).text, '15 دقيقة')
})

t.test('missing or wrong data fails loudly instead of rendering "undefined"', async (t) => {
  const { timezone: _, ...noTimezone } = reminder
  const missing = t.throws(() => renderEmail('reminder', 'de', noTimezone), {
    name: 'EmailRenderError',
    message: 'Cannot render the "reminder" email: timezone is required',
  })
  t.ok(missing instanceof EmailRenderError, 'the worker can tell it from a transport error')
  t.equal((missing as EmailRenderError).kind, 'data')
  const err = t.throws(() => renderEmail('magic-link', 'de', { loginUrl: 'javascript:alert(1)', expiresMinutes: '15' })) as EmailRenderError
  t.same(err.problems, ['loginUrl must be an absolute http(s) URL', 'expiresMinutes must be a whole number of minutes from 1 to 10080'])
  t.throws(() => renderEmail('nope' as TemplateName, 'de', {}), /Unknown email template "nope"/)
  // A key the template does not know is refused at enqueue time but does not stop an already queued email.
  t.doesNotThrow(() => renderEmail('magic-link', 'de', { ...SAMPLES['magic-link'][0], legacyField: 1 }))
})

t.test('validateEmailData', async (t) => {
  for (const template of TEMPLATE_NAMES) {
    for (const data of samples(template)) t.same(validateEmailData(template, data), [], template)
  }
  t.same(validateEmailData('magic-link', null), ['data must be an object'])
  t.same(validateEmailData('magic-link', []), ['data must be an object'])
  t.same(validateEmailData('magic-link', {}), ['loginUrl is required', 'expiresMinutes is required'])
  t.same(validateEmailData('magic-link', { loginUrl: LOGIN_URL, expiresMinutes: 0, nmae: 'x' }), [
    'expiresMinutes must be a whole number of minutes from 1 to 10080',
    'nmae is not a field of the "magic-link" email',
  ])
  t.same(validateEmailData('magic-link', { ...SAMPLES['magic-link'][0], name: null }), [], 'null is absent')
  t.same(
    validateEmailData('reminder', {
      ...reminder,
      audience: 'everyone',
      startsAt: '20.03.2027',
      timezone: 'Europe/Dortmund',
      eventTitle: 'two\nlines',
      venueName: '   ',
      standCode: 12,
    }),
    [
      'audience must be one of "visitors", "exhibitors"',
      'eventTitle must be a single line',
      'startsAt must be an ISO 8601 timestamp with offset, such as 2027-03-20T09:00:00.000Z (Date#toISOString())',
      'timezone is not an IANA time zone such as Europe/Berlin',
      'venueName must not be blank',
      'standCode must be a string',
    ],
  )
  t.same(validateEmailData('reminder', { ...reminder, endsAt: '2027-03-20T08:00:00Z' }), ['endsAt must not be before startsAt'])
  t.same(validateEmailData('reminder', { ...reminder, standCode: 'B12' }), ['standCode is only for exhibitors'])
  t.same(validateEmailData('announcement', { eventTitle: 'X', subject: 'Y', body: 'x'.repeat(20_001) }), [
    'body must be at most 20000 characters',
  ])
  t.same(Object.keys(EMAIL_DATA).sort(), [...TEMPLATE_NAMES].sort(), 'every template declares its data')
})

t.test('the placeholder checker flags what a template may not use', async (t) => {
  t.same(templateVariables('{{a}} {{#b}}{{c}}{{/b}} {{^d}}x{{/d}} {{{e}}} {{&f}} {{! note }} {{a}}'), ['a', 'b', 'c', 'd', 'e', 'f'])

  const badText = 'Subject: Erinnerung an Ihre Messe\n\nHallo {{nmae}},\n{{#isVisitor}}Ticket{{/isVisitor}} {{eventTitle}}'
  t.same(templateFileProblems('reminder', 'txt', badText), [
    'the subject does not contain {{eventTitle}}',
    'uses {{nmae}}, which the "reminder" email does not provide',
    'uses {{isVisitor}}, which the "reminder" email does not provide',
  ])
  t.same(templateFileProblems('magic-link', 'txt', 'Subject: Ihr Link\n\n{{loginUrl}}'), [
    'the subject does not mention "Vereinsmesse"',
  ])
  t.same(templateFileProblems('announcement', 'txt', 'Subject: {{eventTitle}}: {{subjekt}}\n\n{{body}}'), [
    'uses {{subjekt}}, which the "announcement" email does not provide',
  ])
  // a list item's variables exist only inside the list's section
  t.same(templateFileProblems('registration-confirmed', 'txt', 'Subject: {{eventTitle}}\n\n{{#reservations}}{{sessionTitle}} {{roomName}}{{/reservations}}'), [])
  t.same(templateFileProblems('registration-confirmed', 'txt', 'Subject: {{eventTitle}}\n\n{{roomName}} {{#promoted}}{{sessionWhenText}}{{/promoted}}'), [
    'uses {{roomName}}, which the "registration-confirmed" email does not provide',
    'uses {{sessionWhenText}}, which the "registration-confirmed" email does not provide',
  ])
  t.same(templateFileProblems('magic-link', 'txt', 'Subject: \n\ntext'), ['has an empty subject'])
  t.same(templateFileProblems('magic-link', 'txt', 'Vereinsmesse\n{{loginUrl}}'), [
    'must start with a "Subject: …" line followed by a blank line',
  ])
  t.same(templateFileProblems('announcement', 'html', '<p>{{{body}}}</p>{{{bodyHtml}}}'), [
    'uses {{{body}}} unescaped in HTML; only bodyHtml, passesHtml, waitlistedHtml may be',
  ])
  t.same(templateFileProblems('magic-link', 'html', '<p>{{> footer}}</p>'), [
    'uses the partial {{> footer}}; partials are not supported',
  ])
  t.match(templateFileProblems('magic-link', 'html', '<p>{{#name}}unclosed</p>'), [/^does not parse: /])
  t.same(templateFileProblems('magic-link', 'html', '<style>p{color:red}</style><img src="https://x.example/a.png">'), [
    'uses <style>, <script>, <link>, <iframe> or <img>',
    'loads an external resource',
  ])
  t.same(templateFileProblems(LAYOUT_FILE, 'html', '<html lang="{{lang}}">{{{content}}}{{eventTitle}}</html>'), [
    'uses {{eventTitle}}, which the "_layout.html" email does not provide',
  ])
})
