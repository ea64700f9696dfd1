/*
 * What the emails of the features attach: the visitor's ticket (QR code and .ics) and the exhibitor passes of
 * an approved stand booking. server.ts hands this map to the outbox worker, which makes the files when it sends.
 */
import type { EmailAttachment, EmailAttachments } from '../../mail/attachments.js'
import { passQrCid, TICKET_QR_CID, type EmailData } from '../../mail/templates.js'
import { registrationCalendar, CALENDAR_CONTENT_TYPE } from '../registrations/calendar.js'
import { ticketQrPng } from '../tickets/qr.js'
import { sessionCalendar } from '../program/program-calendar.js'
import { meetingsCalendar } from '../meetings/agenda.js'

export { TICKET_QR_CID }
export const TICKET_FILENAME = 'ticket.png'
export const CALENDAR_FILENAME = 'vereinsmesse.ics'

export const emailAttachments: EmailAttachments = {
  'registration-confirmed': ticketAttachments,
  'booking-status': passAttachments,
  'session-reservation': sessionAttachments,
  meeting: meetingAttachments,
}

/** A seat in a session: the session as `session.ics` (cancelled ones marked so), except on the waitlist and in reminders. */
async function sessionAttachments(d: EmailData['session-reservation'], options: { now?: Date }): Promise<EmailAttachment[]> {
  if (d.update === 'waitlisted' || d.update === 'reminder') return []
  const ics = sessionCalendar(
    {
      sessionId: d.sessionId,
      sessionTitle: d.sessionTitle,
      eventTitle: d.eventTitle,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      roomName: d.roomName,
      venueName: d.venueName,
      venueAddress: d.venueAddress,
      url: d.manageUrl,
      cancelled: d.update === 'cancelled',
    },
    d.timezone,
    options.now,
  )
  return [{ filename: 'session.ics', content: Buffer.from(ics, 'utf8'), contentType: CALENDAR_CONTENT_TYPE, contentTransferEncoding: 'base64' }]
}

/** A meeting with a time (scheduled, moved, reminded): the meeting as `meeting.ics`. */
async function meetingAttachments(d: EmailData['meeting'], options: { now?: Date }): Promise<EmailAttachment[]> {
  if (!d.meetingStartsAt || !d.meetingEndsAt || d.kind === 'held') return []
  const ics = meetingsCalendar(
    [
      {
        meetingId: d.meetingId,
        summary: `${d.eventTitle}: ${d.otherName}`,
        startsAt: new Date(d.meetingStartsAt),
        endsAt: new Date(d.meetingEndsAt),
        location: [d.placeCode, d.venueName].filter(Boolean).join(', '),
        cancelled: d.kind === 'cancelled',
      },
    ],
    options.now,
  )
  return [{ filename: 'meeting.ics', content: Buffer.from(ics, 'utf8'), contentType: CALENDAR_CONTENT_TYPE, contentTransferEncoding: 'base64' }]
}

/**
 * A ticket: the QR code twice (inline for the email's body, and as `ticket.png` to save or print) and the event
 * as `vereinsmesse.ics`.
 */
async function ticketAttachments(d: EmailData['registration-confirmed'], options: { qrWidth?: number; now?: Date }): Promise<EmailAttachment[]> {
  const png = await ticketQrPng(d.ticketCode, options.qrWidth ?? 480)
  const ics = registrationCalendar({
    registrationId: d.registrationId,
    eventTitle: d.eventTitle,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    timezone: d.timezone,
    venueName: d.venueName,
    venueAddress: d.venueAddress,
    // Many calendar apps do not show URL; in the description the manage link is one tap away.
    description: d.manageUrl,
    url: d.manageUrl,
    stamp: options.now,
  })
  return [
    { filename: 'ticket-qr.png', content: png, contentType: 'image/png', cid: TICKET_QR_CID },
    { filename: TICKET_FILENAME, content: png, contentType: 'image/png' },
    {
      filename: CALENDAR_FILENAME,
      content: Buffer.from(ics, 'utf8'),
      contentType: CALENDAR_CONTENT_TYPE,
      contentTransferEncoding: 'base64',
    },
  ]
}

/** An approval's exhibitor passes: each QR code inline (cid pass-qr-N, shown by the body) and as pass-N.png. */
async function passAttachments(d: EmailData['booking-status'], options: { qrWidth?: number }): Promise<EmailAttachment[]> {
  const parts: EmailAttachment[] = []
  for (const [i, pass] of (d.passes ?? []).entries()) {
    const png = await ticketQrPng(pass.code, options.qrWidth ?? 480)
    parts.push({ filename: `${passQrCid(i)}.png`, content: png, contentType: 'image/png', cid: passQrCid(i) })
    parts.push({ filename: `pass-${i + 1}.png`, content: png, contentType: 'image/png' })
  }
  return parts
}
