import t from 'tap'
import ICAL from 'ical.js'
import {
  CALENDAR_CONTENT_TYPE,
  escapeText,
  foldLine,
  registrationCalendar,
  registrationUid,
  type RegistrationCalendarInput,
} from '../../../src/features/registrations/calendar.js'

const REGISTRATION_ID = '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

const input: RegistrationCalendarInput = {
  registrationId: REGISTRATION_ID,
  eventTitle: 'Vereinsmesse Dortmund',
  startsAt: '2027-03-20T09:00:00.000Z',
  endsAt: '2027-03-20T16:00:00.000Z',
  timezone: 'Europe/Berlin',
  venueName: 'Dietrich-Keuning-Haus',
  venueAddress: 'Leopoldstraße 50–58\n44147 Dortmund',
  url: 'https://messe.example/registrations/4f1c?token=vmr_abc',
  stamp: new Date('2027-01-02T03:04:05.678Z'),
}

/**
 * Parses with ical.js (Mozilla's parser) and resolves TZID times through the VTIMEZONE in the file itself,
 * not through a time zone database of its own: the instants it returns prove our VTIMEZONE right.
 */
function parse(ics: string) {
  ICAL.TimezoneService.reset()
  const calendar = new ICAL.Component(ICAL.parse(ics))
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone)
  const vevents = calendar.getAllSubcomponents('vevent')
  const event = new ICAL.Event(vevents[0])
  return {
    calendar,
    vevents,
    event,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  }
}

/** The content lines as they are in the file, before unfolding. */
const rawLines = (ics: string) => ics.split('\r\n').slice(0, -1)
/** An unfolded property line of the VEVENT (the VTIMEZONE has DTSTARTs of its own). */
const property = (ics: string, name: string) =>
  rawLines(ics.replace(/\r\n /g, ''))
    .slice(rawLines(ics).indexOf('BEGIN:VEVENT'))
    .find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))

t.test('an RFC 5545 calendar: METHOD:PUBLISH, one VEVENT at the event’s instant, local to its time zone', async (t) => {
  const ics = registrationCalendar(input)
  const { calendar, vevents, event, start, end } = parse(ics)
  t.equal(calendar.getFirstPropertyValue('version'), '2.0')
  t.equal(calendar.getFirstPropertyValue('method'), 'PUBLISH')
  t.ok(calendar.getFirstPropertyValue('prodid'))
  t.equal(vevents.length, 1, 'one event')
  t.equal(event.uid, `registration-${REGISTRATION_ID}@vereinsmesse`)
  t.equal(start, '2027-03-20T09:00:00.000Z', 'starts at the event’s instant')
  t.equal(end, '2027-03-20T16:00:00.000Z', 'ends at the event’s instant')
  t.equal(event.startDate.zone?.tzid, 'Europe/Berlin')
  t.equal(property(ics, 'DTSTART'), 'DTSTART;TZID=Europe/Berlin:20270320T100000', '10:00 in Dortmund')
  t.equal(property(ics, 'DTEND'), 'DTEND;TZID=Europe/Berlin:20270320T170000')
  t.equal(property(ics, 'DTSTAMP'), 'DTSTAMP:20270102T030405Z')
  t.equal(event.summary, 'Vereinsmesse Dortmund')
  t.equal(event.location, 'Dietrich-Keuning-Haus, Leopoldstraße 50–58, 44147 Dortmund', 'the address on one line')
  t.equal(vevents[0].getFirstPropertyValue('url'), input.url)
  t.equal(vevents[0].getFirstPropertyValue('status'), 'CONFIRMED')
  t.equal(calendar.getAllSubcomponents('vtimezone')[0].getFirstPropertyValue('tzid'), 'Europe/Berlin', 'a VTIMEZONE for the TZID')
  t.equal(CALENDAR_CONTENT_TYPE, 'text/calendar; charset=utf-8; method=PUBLISH')
})

t.test('CRLF line ends, lines folded at 75 octets without splitting a character', async (t) => {
  const title = `Vereinsmesse Dortmund 2027 – معرض الجمعيات في دورتموند – Dortmund Dernekler Fuarı 🎪 ${'ş'.repeat(80)}`
  const ics = registrationCalendar({ ...input, eventTitle: title, description: 'Ä'.repeat(200) })
  t.ok(ics.endsWith('\r\n'), 'ends with CRLF')
  t.notMatch(ics.replace(/\r\n/g, ''), /[\r\n]/, 'no bare CR or LF')
  const bytes = Buffer.from(ics, 'utf8')
  const lines: Buffer[] = []
  for (let from = 0; from < bytes.length; ) {
    const at = bytes.indexOf('\r\n', from)
    lines.push(bytes.subarray(from, at))
    from = at + 2
  }
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const line of lines) {
    t.ok(line.length <= 75, `${line.length} octets`)
    t.doesNotThrow(() => decoder.decode(line), 'each physical line is whole UTF-8')
  }
  t.ok(lines.filter((l) => l[0] === 0x20).length >= 5, 'long lines were folded')
  const { event } = parse(ics)
  t.equal(event.summary, title, 'the title survives folding')
  t.equal(event.description, 'Ä'.repeat(200))

  t.equal(foldLine('x'.repeat(75)), 'x'.repeat(75))
  t.equal(foldLine('x'.repeat(76)), `${'x'.repeat(75)}\r\n x`)
  t.equal(foldLine(`${'x'.repeat(74)}é`), `${'x'.repeat(74)}\r\n é`, 'a 2-octet character that would cross 75 moves down')
})

t.test('commas, semicolons, backslashes and line breaks are escaped', async (t) => {
  const title = 'Messe, Markt; Treffen \\ Fest\nZweite Zeile\r\nDritte'
  const ics = registrationCalendar({
    ...input,
    eventTitle: title,
    venueName: 'Halle 1; Eingang B, Nord',
    description: 'Ticket: 3 Personen\nhttps://messe.example/x?a=1,2;b',
  })
  t.equal(property(ics, 'SUMMARY'), 'SUMMARY:Messe\\, Markt\\; Treffen \\\\ Fest\\nZweite Zeile\\nDritte')
  const { event, vevents } = parse(ics)
  t.equal(event.summary, 'Messe, Markt; Treffen \\ Fest\nZweite Zeile\nDritte')
  t.equal(event.location, 'Halle 1; Eingang B, Nord, Leopoldstraße 50–58, 44147 Dortmund')
  t.equal(event.description, 'Ticket: 3 Personen\nhttps://messe.example/x?a=1,2;b')
  t.equal(vevents.length, 1, 'a line break in the title does not start a new property')
  t.equal(escapeText('a\u0000b\u0007c\td'), 'abc\td', 'control characters other than tab are dropped')
})

t.test('the UID is stable per registration', async (t) => {
  const first = parse(registrationCalendar(input)).event.uid
  const later = parse(registrationCalendar({ ...input, stamp: new Date(), eventTitle: 'Umbenannt', partySize: 4 } as RegistrationCalendarInput))
  t.equal(later.event.uid, first, 'the same registration, another day and another title: the same UID')
  t.equal(registrationUid(REGISTRATION_ID.toUpperCase()), first, 'whatever the case of the id')
  t.not(parse(registrationCalendar({ ...input, registrationId: '00000000-0000-4000-8000-000000000000' })).event.uid, first)
  t.notOk(property(registrationCalendar({ ...input, url: undefined }), 'URL'), 'no URL without a link')
  const cancelled = parse(registrationCalendar({ ...input, cancelled: true }))
  t.equal(cancelled.vevents[0].getFirstPropertyValue('status'), 'CANCELLED')
})

t.test('the VTIMEZONE converts correctly in zones with and without daylight saving time', async (t) => {
  const cases: { timezone: string; startsAt: string; endsAt: string; localStart: string; localEnd: string }[] = [
    // winter time, a week before the change (+01:00)
    { timezone: 'Europe/Berlin', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T100000', localEnd: '20270320T170000' },
    // summer time (+02:00)
    { timezone: 'Europe/Berlin', startsAt: '2027-07-10T08:00:00Z', endsAt: '2027-07-10T15:30:00Z', localStart: '20270710T100000', localEnd: '20270710T173000' },
    // across the night the clocks go forward: starts at +01:00, ends at +02:00
    { timezone: 'Europe/Berlin', startsAt: '2027-03-27T20:00:00Z', endsAt: '2027-03-28T10:00:00Z', localStart: '20270327T210000', localEnd: '20270328T120000' },
    // a December event: the window spans two years
    { timezone: 'Europe/Berlin', startsAt: '2027-12-31T20:00:00Z', endsAt: '2028-01-01T02:00:00Z', localStart: '20271231T210000', localEnd: '20280101T030000' },
    { timezone: 'Europe/Istanbul', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T120000', localEnd: '20270320T190000' },
    { timezone: 'America/New_York', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T050000', localEnd: '20270320T120000' },
    { timezone: 'Australia/Sydney', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T200000', localEnd: '20270321T030000' },
    { timezone: 'Asia/Tokyo', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T180000', localEnd: '20270321T010000' },
    { timezone: 'Asia/Kolkata', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T143000', localEnd: '20270320T213000' },
    { timezone: 'Pacific/Chatham', startsAt: '2027-01-20T09:00:00Z', endsAt: '2027-01-20T16:00:00Z', localStart: '20270120T224500', localEnd: '20270121T054500' },
    { timezone: 'UTC', startsAt: '2027-03-20T09:00:00Z', endsAt: '2027-03-20T16:00:00Z', localStart: '20270320T090000', localEnd: '20270320T160000' },
  ]
  for (const c of cases) {
    const ics = registrationCalendar({ ...input, ...c })
    const { start, end, calendar } = parse(ics)
    const label = `${c.timezone} ${c.startsAt}`
    t.equal(start, new Date(c.startsAt).toISOString(), `${label}: start`)
    t.equal(end, new Date(c.endsAt).toISOString(), `${label}: end`)
    t.equal(property(ics, 'DTSTART'), `DTSTART;TZID=${c.timezone}:${c.localStart}`, `${label}: local start`)
    t.equal(property(ics, 'DTEND'), `DTEND;TZID=${c.timezone}:${c.localEnd}`, `${label}: local end`)
    t.equal(calendar.getAllSubcomponents('vtimezone').length, 1, `${label}: one VTIMEZONE`)
  }
  // Berlin's changes in the file: the onset in local time before the change, as RFC 5545 wants.
  const berlin = registrationCalendar(input)
  t.match(berlin, 'BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT')
  t.match(berlin, 'BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD')
  t.notMatch(registrationCalendar({ ...input, timezone: 'Asia/Tokyo' }), 'DAYLIGHT', 'no daylight saving time in Tokyo')
  // a zone given in another spelling is written under its canonical name
  t.match(registrationCalendar({ ...input, timezone: 'europe/berlin' }), 'DTSTART;TZID=Europe/Berlin:20270320T100000')
})

t.test('the hour that repeats when clocks go back is written in UTC, which no calendar reads two ways', async (t) => {
  // 02:30 on 31 October 2027 happens twice in Berlin: 00:30Z (summer time) and 01:30Z (winter time).
  for (const [startsAt, expected] of [
    ['2027-10-31T00:30:00Z', 'DTSTART:20271031T003000Z'],
    ['2027-10-31T01:30:00Z', 'DTSTART:20271031T013000Z'],
    ['2027-10-31T02:00:00Z', 'DTSTART;TZID=Europe/Berlin:20271031T030000'],
    ['2027-10-30T23:59:00Z', 'DTSTART;TZID=Europe/Berlin:20271031T015900'],
    // the gap in spring is no problem: 02:30 does not exist, 03:30 once
    ['2027-03-28T01:30:00Z', 'DTSTART;TZID=Europe/Berlin:20270328T033000'],
  ]) {
    const endsAt = new Date(Date.parse(startsAt) + 3 * 3600_000).toISOString()
    const ics = registrationCalendar({ ...input, startsAt, endsAt })
    t.equal(property(ics, 'DTSTART'), expected, startsAt)
    t.equal(parse(ics).start, new Date(startsAt).toISOString(), `${startsAt}: parsed back`)
  }
})

t.test('every time zone the runtime knows, winter and summer', async (t) => {
  const wrong: string[] = []
  const zones = Intl.supportedValuesOf('timeZone')
  for (const timezone of zones) {
    for (const startsAt of ['2027-01-15T09:00:00.000Z', '2027-07-15T09:00:00.000Z']) {
      const endsAt = new Date(Date.parse(startsAt) + 7 * 3600_000).toISOString()
      const { start, end } = parse(registrationCalendar({ ...input, timezone, startsAt, endsAt }))
      if (start !== startsAt || end !== endsAt) wrong.push(`${timezone} ${startsAt}: ${start}–${end}`)
    }
  }
  t.ok(zones.length > 300, `${zones.length} zones`)
  t.same(wrong, [], 'each parses back to the same instants')
})

t.test('Date objects are accepted (the route passes rows); nonsense is refused', async (t) => {
  const fromDates = registrationCalendar({ ...input, startsAt: new Date(input.startsAt), endsAt: new Date(input.endsAt) })
  t.equal(fromDates, registrationCalendar(input))
  t.throws(() => registrationCalendar({ ...input, timezone: 'Europe/Dortmund' }), RangeError)
  t.throws(() => registrationCalendar({ ...input, startsAt: 'soon' }), RangeError)
  t.throws(() => registrationCalendar({ ...input, endsAt: '2027-03-20T08:00:00Z' }), /before/)
})
