import { Readable } from 'node:stream'
import { and, asc, eq, ilike, isNull, or, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { registrations, tickets, type RegistrationStatus } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { CSV_BOM, csvRecord } from './csv.js'

export interface RegistrationFilter {
  status?: RegistrationStatus
  /** part of the name or the email, case-insensitive */
  q?: string
}

// created_at is PostgreSQL's now(), to the microsecond; a JS Date keeps milliseconds, and a cursor cut to
// them would skip the rows sharing the last row's millisecond (a rush registers many per millisecond).
const createdAtMicros = sql<string>`to_char(${registrations.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** `q` is text to find, not a pattern: %, _ and the escape character itself match only themselves. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

type Row = Awaited<ReturnType<typeof selectRegistrations>>[number]

/** One page of an event's registrations in registration order, after the key `after` (created_at micros, id). */
function selectRegistrations(db: Queryable, eventId: string, filter: RegistrationFilter, after: string[] | undefined, limit: number) {
  const pattern = filter.q === undefined ? undefined : containsPattern(filter.q)
  return db
    .select({ registration: registrations, ticketId: tickets.id, cursorAt: createdAtMicros })
    .from(registrations)
    // a live ticket only: a cancelled registration's revoked ticket admits nobody
    .leftJoin(tickets, and(eq(tickets.registrationId, registrations.id), isNull(tickets.revokedAt)))
    .where(
      and(
        eq(registrations.eventId, eventId),
        filter.status ? eq(registrations.status, filter.status) : undefined,
        pattern ? or(ilike(registrations.name, pattern), ilike(registrations.email, pattern)) : undefined,
        after ? sql`(${registrations.createdAt}, ${registrations.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(registrations.createdAt), asc(registrations.id))
    .limit(limit)
}

const keyOf = (row: Row) => [row.cursorAt, row.registration.id]
const iso = (d: Date | null) => (d ? d.toISOString() : null)

function toListItem({ registration: r, ticketId }: Row) {
  return {
    id: r.id,
    status: r.status,
    name: r.name,
    email: r.email,
    partySize: r.partySize,
    language: r.language as 'de' | 'en' | 'tr' | 'ar',
    accessibilityNeeds: r.accessibilityNeeds,
    ticketId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    cancelledAt: iso(r.cancelledAt),
    erasedAt: iso(r.erasedAt),
  }
}

/** The organizer's list: first registered first, keyset-paged so a page never shifts while people register. */
export async function listRegistrations(
  db: Queryable,
  eventId: string,
  query: RegistrationFilter & { limit: number; cursor?: string },
) {
  const after = query.cursor ? decodeCursor(query.cursor, ['timestampMicros', 'uuid']) : undefined
  const rows = await selectRegistrations(db, eventId, query, after, query.limit + 1)
  return toPage(rows, query.limit, toListItem, keyOf)
}

export const CSV_COLUMNS = ['id', 'status', 'name', 'email', 'partySize', 'language', 'accessibilityNeeds', 'createdAt', 'cancelledAt']

const csvLine = ({ registration: r }: Row) =>
  csvRecord([r.id, r.status, r.name, r.email, r.partySize, r.language, r.accessibilityNeeds, r.createdAt.toISOString(), iso(r.cancelledAt)])

export const CSV_CHUNK = 500

/**
 * Every matching registration as CSV, streamed: read in keyset chunks and written as they come, so an
 * export of 50,000 people holds 500 in memory and no transaction open. Rows registered during the export
 * appear if they sort after the chunk being read; none appears twice. The first chunk is read before
 * anything is sent, so a database that is down is still a 503, not a cut-off file.
 */
export async function registrationsCsv(db: Queryable, eventId: string, filter: RegistrationFilter, chunk = CSV_CHUNK): Promise<Readable> {
  const first = await selectRegistrations(db, eventId, filter, undefined, chunk)
  async function* lines() {
    yield CSV_BOM + csvRecord(CSV_COLUMNS)
    let rows = first
    for (;;) {
      if (rows.length > 0) yield rows.map(csvLine).join('')
      if (rows.length < chunk) return
      rows = await selectRegistrations(db, eventId, filter, keyOf(rows[rows.length - 1]), chunk)
    }
  }
  return Readable.from(lines())
}
