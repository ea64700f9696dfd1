/*
 * Files that go with an email, made by the worker when it sends (never when the email is queued: a QR code
 * takes about 4 ms of CPU, too slow for a request or a transaction, and the outbox row stays small JSON).
 */
import { registrationCalendar, CALENDAR_CONTENT_TYPE } from '../features/registrations/calendar.js'
import { ticketQrPng } from '../features/tickets/qr.js'
import { passQrCid, type EmailData, type TemplateName } from './templates.js'
import type { EmailAttachment } from './transport.js'

export type { EmailAttachment }

/** The Content-ID the registration-confirmed templates show with `<img src="cid:ticket-qr">` (INLINE_IMAGES). */
export const TICKET_QR_CID = 'ticket-qr'
export const TICKET_FILENAME = 'ticket.png'
export const CALENDAR_FILENAME = 'vereinsmesse.ics'

export interface AttachmentOptions {
  /** width of the QR image in pixels (the email shows it at 240) */
  qrWidth?: number
  /** DTSTAMP of the .ics; now by default */
  now?: Date
}

/**
 * What `template` attaches for `data` (already checked by renderEmail): for a ticket, the QR code twice (inline
 * for the email's body, and as `ticket.png` to save or print) and the event as `vereinsmesse.ics`.
 */
export async function emailAttachments(
  template: TemplateName,
  data: Record<string, unknown>,
  options: AttachmentOptions = {},
): Promise<EmailAttachment[]> {
  if (template === 'booking-status') return passAttachments(data as unknown as EmailData['booking-status'], options)
  if (template !== 'registration-confirmed') return []
  const d = data as unknown as EmailData['registration-confirmed']
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

/** Errors of the machine rather than of the email (out of memory, too many open files): worth a retry. */
export function isTransientAttachmentError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && ['ENOMEM', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY'].includes(code)
}

/** An approval's exhibitor passes: each QR code inline (cid pass-qr-N, shown by the body) and as pass-N.png. */
async function passAttachments(d: EmailData['booking-status'], options: AttachmentOptions): Promise<EmailAttachment[]> {
  const parts: EmailAttachment[] = []
  for (const [i, pass] of (d.passes ?? []).entries()) {
    const png = await ticketQrPng(pass.code, options.qrWidth ?? 480)
    parts.push({ filename: `${passQrCid(i)}.png`, content: png, contentType: 'image/png', cid: passQrCid(i) })
    parts.push({ filename: `pass-${i + 1}.png`, content: png, contentType: 'image/png' })
  }
  return parts
}
