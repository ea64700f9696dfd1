import { createHash } from 'node:crypto'
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { rawRows, type Database } from '../../db/client.js'
import { eventKeys, registrations, SEARCH_FOLD_FROM, SEARCH_FOLD_TO, tickets } from '../../db/schema.js'
import { passAssociationName } from '../stands/pass-association.js'
import { matchesIfNoneMatch } from '../../http/etag.js'
import { roomDoorSnapshot } from './session-checkins.service.js'

/**
 * What a scanner needs to judge alone: the event's public key and every ticket with its holder, party and state.
 * The ETag is a digest PostgreSQL computes over the tickets' door-relevant columns, in the same repeatable-read
 * transaction as the rows, so a scanner polling with If-None-Match costs one aggregate and no transfer while
 * nothing changed (and gets a tag that matches the body it holds when something did).
 */
export async function doorSnapshot(db: Database, eventId: string, ifNoneMatch: string | undefined) {
  return db.transaction(
    async (tx) => {
      const [{ digest }] = await rawRows<{ digest: string }>(
        tx,
        sql`select md5(coalesce(string_agg(md5(row(id, kind, holder_name, admits, revoked_at is not null, inside)::text), '' order by id), '')) as digest
            from tickets where event_id = ${eventId}::uuid`,
      )
      const program = await roomDoorSnapshot(tx, eventId, false)
      const keys = await tx.select({ kid: eventKeys.kid, key: eventKeys.publicKey }).from(eventKeys).where(eq(eventKeys.eventId, eventId))
      const etag = `"${createHash('sha256').update(`${digest}:${program.digest}:${keys.map((k) => k.kid).join(',')}`).digest('base64url').slice(0, 32)}"`
      if (matchesIfNoneMatch(ifNoneMatch, etag)) return { etag, snapshot: null }
      const rows = await tx
        .select({ id: tickets.id, kind: tickets.kind, holderName: tickets.holderName, admits: tickets.admits, revokedAt: tickets.revokedAt, inside: tickets.inside })
        .from(tickets)
        .where(eq(tickets.eventId, eventId))
        .orderBy(asc(tickets.id))
      return {
        etag,
        snapshot: {
          eventId,
          publicKeys: keys.map((k) => ({ kid: k.kid, algorithm: 'Ed25519' as const, key: k.key })),
          tickets: rows.map((t) => ({
            id: t.id,
            kind: t.kind,
            holderName: t.holderName,
            admits: t.admits,
            status: t.revokedAt ? ('revoked' as const) : ('valid' as const),
            checkedIn: t.inside,
          })),
          revoked: rows.filter((t) => t.revokedAt).map((t) => t.id),
          sessions: (await roomDoorSnapshot(tx, eventId, true)).sessions,
          generatedAt: new Date().toISOString(),
        },
      }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

const FOLD = new Map([...SEARCH_FOLD_FROM].map((c, i) => [c, SEARCH_FOLD_TO[i]]))

/**
 * The words of a door search, folded like the `search_name` column (lower case, then the same letters replaced),
 * so "AYSE yil" and "Ayşe Yıl" search alike. JavaScript writes a lower-case İ as i + a combining dot that
 * PostgreSQL's lower() does not produce: dropped.
 */
export function searchWords(q: string): string[] {
  const folded = [...q.toLowerCase().replace(/\u0307/g, '')].map((c) => FOLD.get(c) ?? c).join('')
  return folded.match(/[\p{L}\p{N}]+/gu) ?? []
}

/**
 * Door search among the event's valid tickets: every word typed must start a word of the holder's name (the GIN
 * index on the tickets' `search_name` tsvector, with prefix queries), or the text typed starts the registration's
 * email (a text_pattern_ops index on lower(email)). Ordered by name.
 */
export async function searchAttendees(db: Database, eventId: string, q: string, limit: number) {
  const words = searchWords(q)
  const columns = {
    ticketId: tickets.id,
    kind: tickets.kind,
    name: tickets.holderName,
    admits: tickets.admits,
    checkedIn: tickets.inside,
    associationName: passAssociationName(tickets.bookingId),
  }
  const byName = words.length
    ? db
        .select(columns)
        .from(tickets)
        .where(
          and(
            eq(tickets.eventId, eventId),
            isNull(tickets.revokedAt),
            // Only letters and digits reach the query text, so quoting each word is all the escaping it needs.
            sql`${tickets.searchName} @@ to_tsquery('simple', ${words.map((w) => `'${w}':*`).join(' & ')})`,
          ),
        )
        .orderBy(asc(tickets.holderName), asc(tickets.id))
        .limit(limit)
    : Promise.resolve([])
  const emailStart = q.trim().toLowerCase()
  const byEmail = /\s/.test(emailStart)
    ? Promise.resolve([])
    : db
        .select(columns)
        .from(registrations)
        .innerJoin(tickets, eq(tickets.registrationId, registrations.id))
        .where(
          and(
            eq(registrations.eventId, eventId),
            eq(registrations.status, 'confirmed'),
            sql`lower(${registrations.email}) like ${`${emailStart.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
            isNull(tickets.revokedAt),
          ),
        )
        .orderBy(asc(tickets.holderName), asc(tickets.id))
        .limit(limit)
  const [named, mailed] = await Promise.all([byName, byEmail])
  const found = new Map([...named, ...mailed].map((row) => [row.ticketId, row]))
  const items = [...found.values()]
    .map((row) => ({ ...row, name: row.name ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.ticketId.localeCompare(b.ticketId))
    .slice(0, limit)
  return { items }
}
