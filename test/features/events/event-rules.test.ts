import t from 'tap'
import { eventTimeIssues, type EventTimes } from '../../../src/features/events/event-rules.js'
import { canonicalTimeZone } from '../../../src/shared/time-zones.js'

// The rules a schema cannot say, without HTTP or a database: a fixed `now` makes every edge exact.

const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const now = new Date('2027-01-15T12:00:00.000Z')
const at = (ms: number) => new Date(now.getTime() + ms)

/** A valid schedule 30 days after `now`, eight hours long. */
function times(overrides: Partial<EventTimes> = {}): EventTimes {
  return {
    startsAt: at(30 * DAY),
    endsAt: at(30 * DAY + 8 * HOUR),
    timezone: 'Europe/Berlin',
    registrationOpensAt: null,
    registrationClosesAt: null,
    standBookingOpensAt: null,
    standBookingClosesAt: null,
    reminders: [],
    ...overrides,
  }
}
const start = times().startsAt.getTime()
const end = times().endsAt.getTime()

const paths = (overrides: Partial<EventTimes>, datesChanged = true) =>
  eventTimeIssues(times(overrides), now, datesChanged).map((i) => i.path)

t.test('a valid schedule has no issues', async (t) => {
  t.same(eventTimeIssues(times(), now, true), [])
  t.same(eventTimeIssues(times(), now, false), [])
  const full = times({
    registrationOpensAt: at(DAY),
    registrationClosesAt: at(30 * DAY + 7 * HOUR),
    standBookingOpensAt: at(-DAY),
    standBookingClosesAt: at(20 * DAY),
    reminders: [
      { audience: 'visitors', minutesBefore: 60 },
      { audience: 'exhibitors', minutesBefore: 60 },
      { audience: 'visitors', minutesBefore: 1440 },
    ],
  })
  t.same(eventTimeIssues(full, now, true), [])
})

t.test('issues are field issues under /body with a message', async (t) => {
  const issues = eventTimeIssues(times({ endsAt: at(30 * DAY) }), now, true)
  t.same(issues, [{ path: '/body/endsAt', message: 'must be after startsAt' }])
})

t.test('start and end', async (t) => {
  t.same(paths({ endsAt: new Date(start) }), ['/body/endsAt'], 'ending when it starts is not after')
  t.same(paths({ endsAt: new Date(start - 1) }), ['/body/endsAt'])
  t.same(paths({ endsAt: new Date(start + 1) }), [], 'one millisecond long is allowed')
  t.same(paths({ endsAt: new Date(start + 31 * DAY) }), [], 'exactly 31 days')
  t.same(paths({ endsAt: new Date(start + 31 * DAY + 1) }), ['/body/endsAt'], 'longer than 31 days')
  t.same(paths({ endsAt: new Date(start + 31 * DAY + 1) }, false), ['/body/endsAt'], 'the length counts even when dates are unchanged')
  const tooLong = eventTimeIssues(times({ endsAt: new Date(start + 40 * DAY) }), now, true)
  t.match(tooLong[0].message, /31 days/)
  const backwards = eventTimeIssues(times({ endsAt: new Date(start - 2 * HOUR) }), now, true)
  t.same(backwards.map((i) => i.message), ['must be after startsAt'], 'a backwards event is not also "too long"')
})

t.test('against now, only when the dates change', async (t) => {
  const past = { startsAt: at(-2 * DAY), endsAt: at(-DAY) }
  t.same(paths(past, true), ['/body/endsAt'])
  t.match(eventTimeIssues(times(past), now, true)[0].message, /future/)
  t.same(paths(past, false), [], 'a past event whose dates are not touched is fine')

  t.same(paths({ startsAt: at(-HOUR), endsAt: at(HOUR) }), [], 'an event under way may be created')
  t.same(paths({ startsAt: at(-HOUR), endsAt: new Date(now) }), ['/body/endsAt'], 'ending exactly now is not in the future')
  t.same(paths({ startsAt: at(-HOUR), endsAt: at(1) }), [], 'ending one millisecond from now is')

  const fiveYears = 5 * 365 * DAY
  t.same(paths({ startsAt: at(fiveYears), endsAt: at(fiveYears + HOUR) }), [], 'exactly five years ahead')
  t.same(paths({ startsAt: at(fiveYears + 1), endsAt: at(fiveYears + HOUR) }), ['/body/startsAt'])
  t.same(paths({ startsAt: at(fiveYears + 1), endsAt: at(fiveYears + HOUR) }, false), [], 'not checked when unchanged')
})

t.test('time zones', async (t) => {
  t.same(paths({ timezone: 'Mars/Olympus' }), ['/body/timezone'])
  t.same(paths({ timezone: 'Mars/Olympus' }, false), ['/body/timezone'], 'checked even when the dates are unchanged')
  t.same(paths({ timezone: '' }), ['/body/timezone'])
  t.same(paths({ timezone: ' Europe/Berlin' }), ['/body/timezone'], 'no trimming')
  t.same(paths({ timezone: '+01:00' }), ['/body/timezone'], 'an offset is not a zone')
  t.same(paths({ timezone: 'europe/berlin' }), [], 'any case is accepted (and canonicalised by the service)')
  t.same(paths({ timezone: 'UTC' }), [])
  t.same(paths({ timezone: 'America/Argentina/Buenos_Aires' }), [])
  t.match(eventTimeIssues(times({ timezone: 'Nowhere' }), now, true)[0].message, /IANA/)
})

t.test('canonicalTimeZone', async (t) => {
  t.equal(canonicalTimeZone('Europe/Berlin'), 'Europe/Berlin')
  t.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin')
  t.equal(canonicalTimeZone('EUROPE/BERLIN'), 'Europe/Berlin')
  t.equal(canonicalTimeZone('utc'), 'UTC')
  t.equal(canonicalTimeZone('Etc/UTC'), 'UTC')
  t.equal(canonicalTimeZone('GMT'), 'UTC')
  t.equal(canonicalTimeZone('US/Pacific'), 'America/Los_Angeles', 'a backward link resolves to its zone')
  t.equal(canonicalTimeZone('America/New_York'), 'America/New_York')
  t.equal(canonicalTimeZone('Istanbul'), null)
  t.equal(canonicalTimeZone('Mars/Olympus'), null)
  t.equal(canonicalTimeZone(''), null)
  t.equal(canonicalTimeZone('Europe/Berlin '), null)
  t.equal(canonicalTimeZone('Europe/Berlin\u0000'), null)
  t.equal(canonicalTimeZone('+01:00'), null)
  t.equal(canonicalTimeZone('x'.repeat(64)), null)
  // Whatever it returns is itself canonical: canonicalising twice changes nothing.
  for (const name of ['America/Argentina/Buenos_Aires', 'europe/istanbul', 'Asia/Kolkata', 'Europe/Kyiv', 'US/Eastern', 'utc']) {
    const once = canonicalTimeZone(name)
    t.type(once, 'string', `${name} is known`)
    t.equal(canonicalTimeZone(once!), once, `${name} → ${once} is a fixed point`)
  }
})

for (const [opens, closes] of [
  ['registrationOpensAt', 'registrationClosesAt'],
  ['standBookingOpensAt', 'standBookingClosesAt'],
] as const) {
  t.test(`the window ${opens} … ${closes}`, async (t) => {
    const o = `/body/${opens}`
    const c = `/body/${closes}`
    t.same(paths({ [opens]: at(DAY), [closes]: at(2 * DAY) }), [], 'open then close')
    t.same(paths({ [opens]: at(2 * DAY), [closes]: at(DAY) }), [c], 'closing before opening')
    t.same(paths({ [opens]: at(DAY), [closes]: at(DAY) }), [c], 'closing when it opens')
    t.same(paths({ [opens]: at(DAY), [closes]: at(DAY + 1) }), [], 'one millisecond open')
    t.match(eventTimeIssues(times({ [opens]: at(2 * DAY), [closes]: at(DAY) }), now, true)[0].message, opens)

    t.same(paths({ [closes]: new Date(end) }), [], 'closing exactly at the end')
    t.same(paths({ [closes]: new Date(end + 1) }), [c], 'closing after the end')
    t.same(paths({ [closes]: new Date(start - DAY) }), [], 'closing before the start is fine')
    t.same(paths({ [closes]: at(-DAY) }), [], 'a close in the past is not checked against now')

    t.same(paths({ [opens]: new Date(end - 1) }), [], 'opening just before the end')
    t.same(paths({ [opens]: new Date(end) }), [o], 'opening at the end')
    t.same(paths({ [opens]: new Date(end + DAY) }), [o])
    t.same(paths({ [opens]: at(-DAY) }), [], 'a window that opened in the past')
    t.same(paths({ [opens]: new Date(start - 2 * 365 * DAY) }), [], 'exactly two years before the start')
    t.same(paths({ [opens]: new Date(start - 2 * 365 * DAY - 1) }), [o], 'more than two years before')

    // Closing before opening and after the end are two issues of the close; opening after the end one of the open.
    t.same(paths({ [opens]: new Date(end + DAY), [closes]: new Date(end + HOUR) }), [c, c, o], 'every broken rule at once')
    t.same(paths({ [opens]: new Date(end + DAY), [closes]: new Date(end + HOUR) }, false), [c, c, o], 'windows are checked even when dates are unchanged')
  })
}

t.test('the two windows are independent', async (t) => {
  t.same(paths({ registrationOpensAt: at(DAY), standBookingClosesAt: at(DAY / 2) }), [], 'a stand booking may close before registration opens')
  t.same(
    paths({ registrationClosesAt: new Date(end + 1), standBookingClosesAt: new Date(end + 1) }),
    ['/body/registrationClosesAt', '/body/standBookingClosesAt'],
  )
})

t.test('reminders', async (t) => {
  const visitors60 = { audience: 'visitors' as const, minutesBefore: 60 }
  t.same(paths({ reminders: [visitors60] }), [])
  t.same(paths({ reminders: [visitors60, { audience: 'exhibitors', minutesBefore: 60 }] }), [], 'same minutes, other audience')
  t.same(paths({ reminders: [visitors60, { audience: 'visitors', minutesBefore: 61 }] }), [], 'same audience, other minutes')
  t.same(paths({ reminders: [visitors60, { ...visitors60 }] }), ['/body/reminders/1'])
  t.same(
    paths({
      reminders: [visitors60, { audience: 'exhibitors', minutesBefore: 30 }, visitors60, { audience: 'exhibitors', minutesBefore: 30 }, visitors60],
    }),
    ['/body/reminders/2', '/body/reminders/3', '/body/reminders/4'],
    'every repeat is named by its own index, the first occurrence never',
  )
  t.match(eventTimeIssues(times({ reminders: [visitors60, visitors60] }), now, true)[0].message, /repeat/)
  t.same(paths({ reminders: [visitors60, visitors60] }, false), ['/body/reminders/1'], 'checked even when dates are unchanged')
})

t.test('every issue at once', async (t) => {
  const issues = eventTimeIssues(
    times({
      timezone: 'Mars/Olympus',
      startsAt: at(-2 * DAY),
      endsAt: at(-DAY),
      registrationClosesAt: at(DAY),
      standBookingOpensAt: at(2 * DAY),
      reminders: [
        { audience: 'visitors', minutesBefore: 5 },
        { audience: 'visitors', minutesBefore: 5 },
      ],
    }),
    now,
    true,
  )
  t.same(
    issues.map((i) => i.path).sort(),
    ['/body/endsAt', '/body/registrationClosesAt', '/body/reminders/1', '/body/standBookingOpensAt', '/body/timezone'].sort(),
  )
  for (const issue of issues) t.ok(issue.message.length > 0, `${issue.path} has a message`)
})

t.test('dates that are not a point in time are named, not compared', async (t) => {
  const invalid = new Date('2027-06-30T23:59:60Z') // what a leap second parses to
  t.ok(Number.isNaN(invalid.getTime()), 'the runtime does not parse a leap second')
  t.same(paths({ startsAt: invalid }), ['/body/startsAt'])
  t.same(paths({ endsAt: invalid }), ['/body/endsAt'])
  t.same(paths({ endsAt: invalid }, false), ['/body/endsAt'], 'also when the dates are not changed')
  t.same(paths({ registrationOpensAt: invalid }), ['/body/registrationOpensAt'])
  t.same(paths({ registrationClosesAt: invalid }), ['/body/registrationClosesAt'])
  t.same(paths({ standBookingOpensAt: invalid }), ['/body/standBookingOpensAt'])
  t.same(paths({ standBookingClosesAt: invalid }), ['/body/standBookingClosesAt'])
  t.same(paths({ startsAt: invalid, endsAt: invalid }).sort(), ['/body/endsAt', '/body/startsAt'])
})

t.test('the rules do not change their input', async (t) => {
  const input = times({ reminders: [{ audience: 'visitors', minutesBefore: 60 }], registrationOpensAt: at(DAY) })
  const copy = structuredClone(input)
  eventTimeIssues(input, now, true)
  t.same(input, copy)
})
