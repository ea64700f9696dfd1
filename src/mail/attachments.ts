/*
 * Files that go with an email, made by the worker when it sends (never when the email is queued: a QR code
 * takes about 4 ms of CPU, too slow for a request or a transaction, and the outbox row stays small JSON).
 * What each kind of email attaches is the features' business (features/email/attachments.ts); the
 * composition root hands the map to the worker.
 */
import type { EmailData, TemplateName } from './templates.js'
import type { EmailAttachment } from './transport.js'

export type { EmailAttachment }

export interface AttachmentOptions {
  /** width of the QR image in pixels (the email shows it at 240) */
  qrWidth?: number
  /** DTSTAMP of the .ics; now by default */
  now?: Date
}

/** By template, what its email attaches for its data; a template missing here attaches nothing. */
export type EmailAttachments = {
  [T in TemplateName]?: (data: EmailData[T], options: AttachmentOptions) => Promise<EmailAttachment[]>
}

/** What `template` attaches for `data` (already checked by renderEmail). */
export async function attachmentsFor(
  attachments: EmailAttachments,
  template: TemplateName,
  data: Record<string, unknown>,
  options: AttachmentOptions = {},
): Promise<EmailAttachment[]> {
  const make = attachments[template] as ((data: unknown, options: AttachmentOptions) => Promise<EmailAttachment[]>) | undefined
  return make ? make(data, options) : []
}

/** Errors of the machine rather than of the email (out of memory, too many open files): worth a retry. */
export function isTransientAttachmentError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && ['ENOMEM', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY'].includes(code)
}
