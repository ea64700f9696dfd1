/*
 * iCalendar files (RFC 5545): a registration's .ics, a program session's, the whole program.
 *
 * Written by hand rather than with a library: the part a library would not give us either is the VTIMEZONE
 * (ical-generator only emits one through a second package with its own copy of the time zone database). Ours is
 * derived from the runtime's own time zone data (Intl), the same data the emails use to print the time, so the
 * calendar entry and the email text cannot disagree.
 *
 * Times are written as local times of the event's zone (DTSTART;TZID=Europe/Berlin:20270320T100000) with a
 * VTIMEZONE listing that zone's actual offset changes around the entries: a calendar shows the fair at 10:00
 * in Dortmund, and converts it correctly for a reader elsewhere, even a client that does not know the zone.
 * (Only a time in the hour that repeats when clocks go back is written in UTC: see dateTime.) The tests check
 * the result with ical.js, resolving through our VTIMEZONE, for every zone the runtime knows.
 */
import { LRUCache } from 'lru-cache'
import { canonicalTimeZone } from './time-zones.js'

/** One VEVENT. */
export interface CalendarEntry {
  /** stable per thing described, so importing a newer file updates the entry instead of adding one */
  uid: string
  title: string
  /** plain text, may hold line breaks */
  description?: string | null
  startsAt: Date | string
  endsAt: Date | string
  /** one line; parts joined with ", " by the caller */
  location: string
  url?: string | null
  /** calendars that already hold the entry mark it cancelled */
  cancelled?: boolean
}

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH'

/** A venue's name and address (which may hold line breaks) as one LOCATION line, parts joined with ", ". */
export function locationLine(...parts: (string | null | undefined)[]): string {
  return parts
    .flatMap((part) => (part ?? '').split(/\r\n|\r|\n/))
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ')
}

/**
 * RFC 5545 text: METHOD:PUBLISH, one VTIMEZONE covering every entry, one VEVENT per entry, CRLF line ends,
 * folded lines. `stamp` is DTSTAMP, when this file was made (now by default).
 */
export function calendarFile(entries: readonly CalendarEntry[], zone: string, options: { prodId: string; stamp?: Date }): string {
  const canonical = canonicalTimeZone(zone)
  if (!canonical) throw new RangeError(`unknown time zone "${zone}"`)
  // ICU's canonical name is sometimes the older one (Asia/Kolkata → Asia/Calcutta): keep the name as given,
  // and only its spelling from ICU when the two differ in case alone (europe/berlin → Europe/Berlin).
  const timezone = canonical.toLowerCase() === zone.toLowerCase() ? canonical : zone
  const spans = entries.map((entry) => {
    const start = toDate(entry.startsAt, 'startsAt')
    const end = toDate(entry.endsAt, 'endsAt')
    if (end < start) throw new RangeError('endsAt is before startsAt')
    return { entry, start, end }
  })
  const stamp = utcStamp(options.stamp ?? new Date())
  const first = spans.length ? new Date(Math.min(...spans.map((s) => s.start.getTime()))) : new Date()
  const last = spans.length ? new Date(Math.max(...spans.map((s) => s.end.getTime()))) : first
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${options.prodId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...vtimezone(timezone, first, last),
    ...spans.flatMap(({ entry, start, end }) => [
      'BEGIN:VEVENT',
      `UID:${entry.uid}`,
      `DTSTAMP:${stamp}`,
      dateTime('DTSTART', start, timezone),
      dateTime('DTEND', end, timezone),
      `SUMMARY:${escapeText(entry.title)}`,
      `LOCATION:${escapeText(entry.location)}`,
      ...(entry.description ? [`DESCRIPTION:${escapeText(entry.description)}`] : []),
      ...(entry.url ? [`URL:${uri(entry.url)}`] : []),
      `STATUS:${entry.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ]
  return lines.map(foldLine).join('\r\n') + '\r\n'
}

function toDate(value: Date | string, name: string): Date {
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid instant`)
  return date
}

/** TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, any line break as \n, no other controls. */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n|\r/g, '\n')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, '')
}

/** A URI value is not escaped; it must only not break the line. Our URLs are validated, so this is a guard. */
function uri(url: string): string {
  return url.replace(/[\u0000-\u0020\u007F]/g, (c) => encodeURIComponent(c))
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): CRLF and one space, never inside a UTF-8 sequence, so a
 * long Arabic or Turkish title reaches the reader whole.
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 75) return line
  const parts: string[] = []
  let current = ''
  let size = 0
  let limit = 75 // the first line; later ones begin with the space that folding adds
  for (const char of line) {
    const bytes = Buffer.byteLength(char, 'utf8')
    if (size + bytes > limit) {
      parts.push(current)
      current = ''
      size = 0
      limit = 74
    }
    current += char
    size += bytes
  }
  parts.push(current)
  return parts.join('\r\n ')
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

// One formatter per zone: creating them is the expensive part of Intl.
const formatters = new Map<string, Intl.DateTimeFormat>()

function wallClock(ms: number, timezone: string) {
  let format = formatters.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(timezone, format)
  }
  const parts: Record<string, string> = {}
  for (const { type, value } of format.formatToParts(new Date(ms))) parts[type] = value
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year)
  return {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  }
}

/** Seconds east of UTC in `timezone` at the instant `ms`. */
function offsetSeconds(ms: number, timezone: string): number {
  const w = wallClock(ms, timezone)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 1000)
}

/** The wall-clock time at `ms` in a zone, as an iCalendar local DATE-TIME (20270320T100000). */
function localStamp(date: Date, timezone: string): string {
  const w = wallClock(date.getTime(), timezone)
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
}

/**
 * DTSTART/DTEND as the local time of the zone. A local time in the hour that repeats when clocks go back is
 * ambiguous: RFC 5545 §3.3.5 says it means the first occurrence, some parsers (ical.js) take the second. Such
 * an instant is written in UTC instead, the one form every calendar reads alike.
 */
function dateTime(name: string, date: Date, timezone: string): string {
  const ms = date.getTime()
  const local = localStamp(date, timezone)
  const offset = offsetSeconds(ms, timezone)
  // The same wall-clock time at another instant: before us when the offset then was larger, after us when it
  // will be smaller. (No zone shifts by 3 hours or more at once.)
  const before = offsetSeconds(ms - 3 * HOUR, timezone)
  const after = offsetSeconds(ms + 3 * HOUR, timezone)
  const twins = [ms - (before - offset) * 1000, ms + (offset - after) * 1000].filter((twin) => twin !== ms)
  if (twins.some((twin) => localStamp(new Date(twin), timezone) === local)) return `${name}:${utcStamp(date)}`
  return `${name};TZID=${timezone}:${local}`
}

/** A wall-clock time given as an instant plus a fixed offset, as a local DATE-TIME. */
function stampAtOffset(ms: number, offset: number): string {
  return utcStamp(new Date(ms + offset * 1000)).replace(/Z$/, '')
}

function utcOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+'
  const abs = Math.abs(seconds)
  const hhmm = `${pad(Math.floor(abs / 3600))}${pad(Math.floor((abs % 3600) / 60))}`
  return `${sign}${hhmm}${abs % 60 ? pad(abs % 60) : ''}`
}

interface Transition {
  at: number
  from: number
  to: number
}

const HOUR = 3600_000
const DAY = 24 * HOUR

/**
 * Every change of the zone's UTC offset between `from` and `to`: sampled once a day (no zone changes twice
 * within a day; Morocco's Ramadan break, the shortest, lasts weeks), each change then found to the second by
 * bisection. About 6 ms per zone and span the first time; the result is cached.
 */
function transitions(timezone: string, from: number, to: number): Transition[] {
  const found: Transition[] = []
  let previousAt = from
  let previous = offsetSeconds(from, timezone)
  for (let at = from + DAY; at <= to; at += DAY) {
    const offset = offsetSeconds(at, timezone)
    if (offset !== previous) {
      let [lo, hi] = [previousAt, at] // offset(lo) = previous, offset(hi) = offset
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000
        if (offsetSeconds(mid, timezone) === previous) lo = mid
        else hi = mid
      }
      found.push({ at: hi, from: previous, to: offset })
    }
    previous = offset
    previousAt = at
  }
  return found
}

// A few hundred zones, each for the span of a few events: the bound only guards against odd input.
const vtimezoneCache = new LRUCache<string, string[]>({ max: 500 })

/**
 * The VTIMEZONE for `timezone`, covering the event: from the start of the year before it to the end of the
 * year it ends in (a calendar may convert a neighbouring date too). One observance per actual offset change,
 * each with its onset written in the local time before the change (as RFC 5545 asks), plus the offset in
 * force at the start of that span; a zone without changes (Asia/Tokyo) is a single STANDARD observance.
 * Explicit onsets instead of RRULEs: rules would have to be guessed from the data, onsets are just the data.
 */
function vtimezone(timezone: string, start: Date, end: Date): string[] {
  const from = Date.UTC(start.getUTCFullYear() - 1, 0, 1) - DAY
  const to = Date.UTC(end.getUTCFullYear() + 1, 0, 1) + DAY
  const key = `${timezone}|${from}|${to}`
  const cached = vtimezoneCache.get(key)
  if (cached) return cached

  const changes = transitions(timezone, from, to)
  const initial = offsetSeconds(from, timezone)
  const offsets = [initial, ...changes.map((c) => c.to)]
  const standard = Math.min(...offsets)
  const observance = (onset: number, fromOffset: number, toOffset: number) => {
    const kind = toOffset > standard ? 'DAYLIGHT' : 'STANDARD'
    return [
      `BEGIN:${kind}`,
      `DTSTART:${stampAtOffset(onset, fromOffset)}`,
      `TZOFFSETFROM:${utcOffset(fromOffset)}`,
      `TZOFFSETTO:${utcOffset(toOffset)}`,
      `END:${kind}`,
    ]
  }
  const lines = [
    'BEGIN:VTIMEZONE',
    `TZID:${timezone}`,
    ...observance(from, initial, initial),
    ...changes.flatMap((c) => observance(c.at, c.from, c.to)),
    'END:VTIMEZONE',
  ]
  vtimezoneCache.set(key, lines)
  return lines
}
