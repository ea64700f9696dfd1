import type { FieldIssue } from '../../http/problem.js'
import type { ReminderRule } from '../../db/schema.js'
import { canonicalTimeZone } from '../../shared/time-zones.js'

const DAY = 24 * 60 * 60 * 1000
const MAX_DURATION = 31 * DAY
const MAX_LEAD_TIME = 5 * 365 * DAY
const MAX_WINDOW_LEAD = 2 * 365 * DAY

export interface EventTimes {
  startsAt: Date
  endsAt: Date
  timezone: string
  registrationOpensAt: Date | null
  registrationClosesAt: Date | null
  standBookingOpensAt: Date | null
  standBookingClosesAt: Date | null
  reminders: ReminderRule[]
}

const DATE_FIELDS = [
  'startsAt',
  'endsAt',
  'registrationOpensAt',
  'registrationClosesAt',
  'standBookingOpensAt',
  'standBookingClosesAt',
] as const


/**
 * Rules that a schema cannot say because they relate fields to each other or to now.
 * `datesChanged` is false for a patch that leaves the schedule alone, so a past event stays editable.
 */
export function eventTimeIssues(e: EventTimes, now: Date, datesChanged: boolean): FieldIssue[] {
  const issues: FieldIssue[] = []
  const issue = (field: string, message: string) => issues.push({ path: `/body/${field}`, message })
  // A timestamp can pass the schema's date-time format and still be no instant for Date (a leap second, 23:59:60).
  for (const field of DATE_FIELDS) {
    const value = e[field]
    if (value !== null && Number.isNaN(value.getTime())) issue(field, 'is not a valid point in time')
  }
  if (canonicalTimeZone(e.timezone) === null) issue('timezone', 'is not an IANA time zone such as Europe/Berlin')
  if (e.endsAt <= e.startsAt) issue('endsAt', 'must be after startsAt')
  else if (e.endsAt.getTime() - e.startsAt.getTime() > MAX_DURATION) issue('endsAt', 'must be within 31 days of startsAt')
  if (datesChanged) {
    if (e.endsAt <= now) issue('endsAt', 'must be in the future')
    if (e.startsAt.getTime() - now.getTime() > MAX_LEAD_TIME) issue('startsAt', 'must be within 5 years from now')
  }
  for (const [opens, closes] of [
    ['registrationOpensAt', 'registrationClosesAt'],
    ['standBookingOpensAt', 'standBookingClosesAt'],
  ] as const) {
    const open = e[opens]
    const close = e[closes]
    if (open && close && close <= open) issue(closes, `must be after ${opens}`)
    if (close && close > e.endsAt) issue(closes, 'must not be after endsAt')
    if (open && open >= e.endsAt) issue(opens, 'must be before endsAt')
    if (open && e.startsAt.getTime() - open.getTime() > MAX_WINDOW_LEAD) issue(opens, 'must be within 2 years before startsAt')
    // Without this a closing time in year 0 reached PostgreSQL, which has no year 0 (a 500).
    if (close && e.startsAt.getTime() - close.getTime() > MAX_WINDOW_LEAD) issue(closes, 'must be within 2 years before startsAt')
  }
  const seen = new Set<string>()
  e.reminders.forEach((r, i) => {
    const key = `${r.audience}:${r.minutesBefore}`
    if (seen.has(key)) issue(`reminders/${i}`, 'repeats an earlier reminder')
    seen.add(key)
  })
  return issues
}
