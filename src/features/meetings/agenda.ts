/*
 * Meetings as an iCalendar file (RFC 5545): one VEVENT per meeting, times in UTC (a meeting is 10 to 60 minutes
 * at a fair, so no VTIMEZONE is needed for a calendar to show it right), the same UID for one meeting in every
 * file so importing the agenda again updates entries instead of adding them.
 */
import { escapeText, foldLine } from '../registrations/calendar.js'

export interface CalendarMeeting {
  meetingId: string
  summary: string
  startsAt: Date
  endsAt: Date
  location: string
  cancelled?: boolean
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

export function meetingsCalendar(items: CalendarMeeting[], now = new Date()): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Vereinsmesse//Vereinsmesse Meetings//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH']
  for (const m of items) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:meeting-${m.meetingId.toLowerCase()}@vereinsmesse`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(m.startsAt)}`,
      `DTEND:${stamp(m.endsAt)}`,
      `SUMMARY:${escapeText(m.summary)}`,
      `LOCATION:${escapeText(m.location)}`,
      `STATUS:${m.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  return lines.map(foldLine).join('\r\n') + '\r\n'
}
