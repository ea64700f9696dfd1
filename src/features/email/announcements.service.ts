import { randomUUID } from 'node:crypto'
import type { Database } from '../../db/client.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmails, type EmailToQueue } from '../../mail/outbox.js'
import { oneLine } from '../../mail/templates.js'
import type { Audience, AudienceSources } from '../../mail/reminders.js'
import type { EventRow } from '../../db/schema.js'
import type { AnnouncementAudience } from './email.schemas.js'

export interface Announcement {
  audience: AnnouncementAudience
  subject: string
  body: string
}

// Email template lines must be one line; titles and names are free text and may hold line breaks.

/**
 * Queues one `announcement` email per recipient address, in the recipient's language, all in one transaction:
 * either everybody gets it or nobody does (the organizer can simply send again). A person in both audiences
 * of `all` gets it once. An audience without a source (its feature not built yet) has nobody in it.
 *
 * Published and cancelled events may announce (organizers must be able to explain a cancellation);
 * a draft has nobody to tell, and sending from it would leak an unpublished event.
 */
export async function announce(db: Database, sources: AudienceSources, event: EventRow, announcement: Announcement): Promise<number> {
  if (event.status === 'draft') {
    throw Problem.conflict('invalid_transition', 'A draft event cannot make announcements; publish it first.')
  }
  // Fresh per announcement: the dedupe keys only keep one person from getting this announcement twice.
  const announcementId = randomUUID()
  const audiences: Audience[] = announcement.audience === 'all' ? ['visitors', 'exhibitors'] : [announcement.audience]
  const subject = announcement.subject.trim()
  const body = announcement.body.trim()
  return db.transaction(async (tx) => {
    const seen = new Set<string>()
    const emails: EmailToQueue[] = []
    for (const audience of audiences) {
      const recipients = (await sources[audience]?.(tx, event)) ?? []
      for (const recipient of recipients) {
        const address = recipient.email.trim().toLowerCase()
        if (seen.has(address)) continue
        seen.add(address)
        const name = recipient.name ? oneLine(recipient.name) : ''
        emails.push({
          to: recipient.email.trim(),
          template: 'announcement',
          locale: recipient.locale,
          eventId: event.id,
          dedupeKey: `announcement:${announcementId}:${recipient.key}`,
          data: { ...(name ? { name } : {}), eventTitle: oneLine(event.title), subject, body },
        })
      }
    }
    return enqueueEmails(tx, emails)
  })
}
