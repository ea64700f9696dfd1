import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { rawRows, type Queryable } from '../db/client.js'
import { outboxEmails } from '../db/schema.js'
import { normaliseLocale, validateEmailData, type TemplateName } from './templates.js'

export interface EmailToQueue {
  to: string
  template: TemplateName
  locale: string | null | undefined
  data: Record<string, unknown>
  /** unique: queueing the same key again is a no-op (the same reminder for the same person goes out once) */
  dedupeKey?: string
  sendAfter?: Date
  /** the event whose organizers see this email in their outbox */
  eventId?: string | null
  /** chosen by the caller when it may have to take the email back in the same transaction */
  id?: string
}

/**
 * Writes emails to the outbox inside the caller's transaction: they exist exactly when the change that
 * caused them commits. Nothing is rendered or sent here; the worker does that. Returns how many were new.
 */
export async function enqueueEmails(tx: Queryable, emails: EmailToQueue[]): Promise<number> {
  if (emails.length === 0) return 0
  const rows = emails.map((email) => {
    // A template fed the wrong data is a bug in our code: fail the transaction, not the recipient later.
    const problems = validateEmailData(email.template, email.data)
    if (problems.length) throw new Error(`email ${email.template}: ${problems.join('; ')}`)
    const id = email.id ?? randomUUID()
    return {
      id,
      eventId: email.eventId ?? null,
      toAddress: email.to,
      template: email.template,
      locale: normaliseLocale(email.locale),
      data: email.data,
      dedupeKey: email.dedupeKey ?? null,
      messageId: `<${id}@vereinsmesse>`,
      sendAfter: email.sendAfter ?? new Date(),
    }
  })
  let inserted = 0
  // One array parameter per column (`unnest`): the statement's text is the same for any number of rows, so it is
  // prepared once; chunks bound the size of one statement for large announcements.
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000)
    const column = <K extends keyof (typeof rows)[number]>(key: K) => sql.param(chunk.map((row) => row[key]))
    const result = await rawRows(
      tx,
      // jsonb and timestamptz travel as text arrays: postgres.js has no array serializer for them.
      sql`insert into outbox_emails (id, event_id, to_address, template, locale, data, dedupe_key, message_id, send_after)
          select e.id, e.event_id, e.to_address, e.template, e.locale, e.data::jsonb, e.dedupe_key, e.message_id, e.send_after::timestamptz
          from unnest(${column('id')}::uuid[], ${column('eventId')}::uuid[], ${column('toAddress')}::text[], ${column('template')}::text[],
                      ${column('locale')}::text[], ${sql.param(chunk.map((row) => JSON.stringify(row.data)))}::text[], ${column('dedupeKey')}::text[],
                      ${column('messageId')}::text[], ${sql.param(chunk.map((row) => row.sendAfter.toISOString()))}::text[])
            as e(id, event_id, to_address, template, locale, data, dedupe_key, message_id, send_after)
          on conflict (dedupe_key) where dedupe_key is not null do nothing
          returning id`,
    )
    inserted += result.length
  }
  return inserted
}

export async function enqueueEmail(tx: Queryable, email: EmailToQueue): Promise<boolean> {
  return (await enqueueEmails(tx, [email])) === 1
}

/**
 * Takes back an event's emails of one template that are queued and not sent yet (a cancelled fair reminds
 * nobody), in the caller's transaction. The worker sends only queued rows, so a cancelled one never goes out.
 */
export async function cancelQueuedEmails(tx: Queryable, eventId: string, template: TemplateName): Promise<void> {
  await tx
    .update(outboxEmails)
    .set({ status: 'cancelled', lockedUntil: null })
    .where(and(eq(outboxEmails.eventId, eventId), eq(outboxEmails.status, 'queued'), eq(outboxEmails.template, template)))
}
