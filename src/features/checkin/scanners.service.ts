import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm'
import { LRUCache } from 'lru-cache'
import QRCode from 'qrcode'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { rooms, scanners } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import type { ScannerPrincipal } from '../../http/auth.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { hashToken, newToken } from '../auth/tokens.js'

export type ScannerRow = typeof scanners.$inferSelect

export function toScanner(row: ScannerRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    label: row.label,
    gate: row.gate,
    roomId: row.roomId,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }
}

/**
 * A new device for the event's door. The token exists only in this answer (stored as its SHA-256, like sessions),
 * so the pairing QR is made here too: once the answer is gone, nobody can show it again. A lost token is replaced
 * by a new scanner, and the old one revoked.
 */
export async function createScanner(
  db: Queryable,
  serviceUrl: string,
  eventId: string,
  input: { label: string; gate?: string; roomId?: string },
  createdBy: string,
) {
  const roomId = input.roomId?.toLowerCase() ?? null
  if (roomId) {
    const [room] = await db.select({ id: rooms.id }).from(rooms).where(and(eq(rooms.id, roomId), eq(rooms.eventId, eventId), isNull(rooms.deletedAt)))
    if (!room) throw Problem.invalidField('/body/roomId', 'is not a room of this event')
  }
  const { token, hash } = newToken('vmd_')
  const [row] = await db
    .insert(scanners)
    .values({ eventId, label: input.label.trim(), gate: input.gate?.trim() ?? null, roomId, tokenHash: hash, createdBy })
    .returning()
  // The fragment (#) stays in the browser: the token never reaches a web server's access log.
  // A scanner bound to a room: the door app opens at that room's current session.
  const pairingUrl = `${serviceUrl}/door#event=${eventId}${roomId ? `&room=${roomId}` : ''}&token=${token}`
  // Rendered after the insert, outside any transaction (about 1 ms for an SVG).
  const svg = await QRCode.toString(pairingUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return {
    ...toScanner(row),
    token,
    pairingUrl,
    pairingQr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
  }
}

export async function findScanner(db: Queryable, id: string): Promise<ScannerRow | undefined> {
  const [row] = await db.select().from(scanners).where(eq(scanners.id, id))
  return row
}

/** The event's scanners, revoked ones too, oldest first. */
export async function listScanners(db: Queryable, eventId: string, query: { limit: number; cursor?: string }) {
  const after = query.cursor ? decodeCursor(query.cursor, ['timestampMicros', 'uuid']) : undefined
  const createdAtMicros = sql<string>`to_char(${scanners.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
  const rows = await db
    .select({ scanner: scanners, cursorAt: createdAtMicros })
    .from(scanners)
    .where(
      and(
        eq(scanners.eventId, eventId),
        after
          ? or(
              gt(scanners.createdAt, sql`${after[0]}::timestamptz`),
              and(eq(scanners.createdAt, sql`${after[0]}::timestamptz`), gt(scanners.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(scanners.createdAt), asc(scanners.id))
    .limit(query.limit + 1)
  return toPage(rows, query.limit, (r) => toScanner(r.scanner), (r) => [r.cursorAt, r.scanner.id])
}

/** Idempotent: revoking again keeps the first time. */
export async function revokeScanner(db: Queryable, id: string): Promise<void> {
  await db.update(scanners).set({ revokedAt: new Date() }).where(and(eq(scanners.id, id), isNull(scanners.revokedAt)))
}

// How long a process trusts a scanner token it has resolved before asking the database again.
export const SCANNER_TOKEN_TTL_MS = 5000
const MAX_REMEMBERED = 10_000

/**
 * Resolves vmd_ tokens, remembering each live one for SCANNER_TOKEN_TTL_MS: a door sends several scans a second,
 * and a forged code must be refused without a database round trip. Revoking through this process forgets the
 * scanner at once; other API processes stop accepting its token within the TTL. Unknown and revoked tokens are
 * not remembered (401 each time, from the database).
 */
export function scannerTokens(db: Database) {
  // Only live tokens are kept, each for the TTL; the bound keeps a flood of distinct tokens from growing memory.
  const remembered = new LRUCache<string, ScannerPrincipal>({ max: MAX_REMEMBERED, ttl: SCANNER_TOKEN_TTL_MS })
  const query = () =>
    prepared(db, 'scanner_by_token', (d) =>
      d
        .select({ scannerId: scanners.id, eventId: scanners.eventId, gate: scanners.gate, roomId: scanners.roomId })
        .from(scanners)
        .where(and(eq(scanners.tokenHash, sql.placeholder('hash')), isNull(scanners.revokedAt)))
        .prepare('scanner_by_token'),
    )
  return {
    async resolve(token: string): Promise<ScannerPrincipal | null> {
      const hash = hashToken(token)
      const hit = remembered.get(hash)
      if (hit) return hit
      const [row] = await query().execute({ hash })
      if (!row) {
        remembered.delete(hash)
        return null
      }
      const principal: ScannerPrincipal = { kind: 'scanner', ...row }
      remembered.set(hash, principal)
      return principal
    },
    forget(scannerId: string): void {
      for (const [hash, principal] of [...remembered.entries()]) if (principal.scannerId === scannerId) remembered.delete(hash)
    },
  }
}
