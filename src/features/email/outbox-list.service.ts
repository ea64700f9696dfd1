import { and, desc, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { outboxEmails, type OutboxStatus } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'

// created_at has microseconds, a JS Date only milliseconds: a cursor cut to milliseconds would skip the rows
// that share the last row's millisecond. So the cursor carries the time as PostgreSQL formats it, to the microsecond.
const createdAtMicros = sql<string>`to_char(${outboxEmails.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

const iso = (d: Date | null) => (d ? d.toISOString() : null)

// Everything the list shows, and not `data` (an announcement's whole body, for every row of it).
const listed = {
  id: outboxEmails.id,
  toAddress: outboxEmails.toAddress,
  template: outboxEmails.template,
  locale: outboxEmails.locale,
  status: outboxEmails.status,
  attempts: outboxEmails.attempts,
  lastError: outboxEmails.lastError,
  sendAfter: outboxEmails.sendAfter,
  sentAt: outboxEmails.sentAt,
  createdAt: outboxEmails.createdAt,
  cursorAt: createdAtMicros,
}
type Row = Pick<typeof outboxEmails.$inferSelect, Exclude<keyof typeof listed, 'cursorAt'>> & { cursorAt: string }

function toOutboxEmail(row: Row) {
  return {
    id: row.id,
    to: row.toAddress,
    template: row.template,
    locale: row.locale,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    sendAfter: row.sendAfter.toISOString(),
    sentAt: iso(row.sentAt),
    createdAt: row.createdAt.toISOString(),
  }
}

/** An event's outbox, newest first; one announcement's emails share a created_at, so id breaks the tie. */
export async function listOutboxEmails(
  db: Queryable,
  eventId: string,
  query: { limit: number; cursor?: string; status?: OutboxStatus },
) {
  const after = query.cursor ? decodeCursor(query.cursor, ['timestampMicros', 'uuid']) : undefined
  const rows = await db
    .select(listed)
    .from(outboxEmails)
    .where(
      and(
        eq(outboxEmails.eventId, eventId),
        query.status ? eq(outboxEmails.status, query.status) : undefined,
        // A row comparison walks the (event_id, created_at, id) index backwards.
        after ? sql`(${outboxEmails.createdAt}, ${outboxEmails.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(outboxEmails.createdAt), desc(outboxEmails.id))
    .limit(query.limit + 1)
  return toPage(rows, query.limit, toOutboxEmail, (r) => [r.cursorAt, r.id])
}
