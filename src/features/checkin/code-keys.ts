import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { eventKeys } from '../../db/schema.js'
import { sodiumSecretKey } from '../tickets/ed25519.js'
import { readTicketCode, storedPrivateKey } from '../tickets/ticket-codes.js'
import { codeCheckThread } from './code-check-thread.js'
import { refusedCodes } from './refused-codes.js'

/** What a code says once its signature checks out: the ticket it names and the event whose key signed it. */
export interface SignedCode {
  ticketId: string
  eventId: string
}

/** Codes are 118 characters; anything longer (a URL on a poster, a QR of a PDF) is rejected unread. */
export const MAX_CODE_LENGTH = 200
// How often the keys of all events are read again, while this process scans: how late a new event's tickets
// scanned at another event's door are told `wrong_event` rather than `invalid_code`.
const REFRESH_MS = 60_000
// Key ids looked up one by one at most this often a second, for a door whose own event had no key yet.
const LOOKUPS_PER_SECOND = 20
// Forged codes remembered (oldest forgotten first): a phone stuck on one fake QR, or a replayed forgery, costs a
// lookup instead of a signature. 860 kB, allocated when the verifier is made (refused-codes.ts).
const REFUSED_REMEMBERED = 10_000

interface SigningKey {
  eventId: string
  /** the event's private key in libsodium's form */
  key: Buffer
}

const toSigningKey = (row: { eventId: string; privateKey: string }): SigningKey => ({ eventId: row.eventId, key: sodiumSecretKey(storedPrivateKey(row.privateKey)) })

/**
 * Checks ticket codes against the keys of all events, held in memory: read once at the first scan (one row per
 * event, and keys never change), then again every minute in the background. The door's API holds the private keys
 * (it issues the codes) and checks a code by signing its payload again (`isIssuedCode`, decisions 0089 and 0090),
 * a sixth of what a public-key verify costs, on a thread of its own (code-check-thread.ts). A forged or garbled code
 * thus costs one Ed25519 signature (~13 µs, off the requests' event loop) and no database statement, whatever key id it claims;
 * phones check offline with the public key, as before. The one lookup on the
 * request path is for a door whose own event had no key when the keys were read (its first ticket came later):
 * then an unknown key id may be that key, and is looked up, at most LOOKUPS_PER_SECOND times a second.
 */
export function codeVerifier(db: Database) {
  const byKid = new Map<string, SigningKey>()
  const checks = codeCheckThread()
  const refused = refusedCodes(REFUSED_REMEMBERED)
  const eventsWithKey = new Set<string>()
  let loaded: Promise<void> | null = null
  /** the first read of all keys is done: scans need not wait for it (an await is a turn of the microtask queue) */
  let keysRead = false
  let refresher: NodeJS.Timeout | undefined
  let windowStart = 0
  let lookupsInWindow = 0

  const remember = (kid: string, key: SigningKey) => {
    byKid.set(kid, key)
    eventsWithKey.add(key.eventId)
  }

  async function loadAll(): Promise<void> {
    const rows = await db.select({ kid: eventKeys.kid, eventId: eventKeys.eventId, privateKey: eventKeys.privateKey }).from(eventKeys)
    for (const row of rows) if (!byKid.has(row.kid)) remember(row.kid, toSigningKey(row))
  }

  function ensureLoaded(): Promise<void> {
    if (!loaded) {
      loaded = loadAll()
      loaded.then(
        () => (keysRead = true),
        () => (loaded = null), // a failed first read is tried again by the next scan
      )
      // One refresher, however many times a failed first read is tried again.
      refresher ??= setInterval(() => loadAll().catch(() => {}), REFRESH_MS).unref()
    }
    return loaded
  }

  async function lookUp(kid: string): Promise<SigningKey | undefined> {
    const now = Date.now()
    if (now - windowStart >= 1000) {
      windowStart = now
      lookupsInWindow = 0
    }
    if (++lookupsInWindow > LOOKUPS_PER_SECOND) return undefined
    const query = prepared(db, 'event_key_by_kid', (d) =>
      d
        .select({ eventId: eventKeys.eventId, privateKey: eventKeys.privateKey })
        .from(eventKeys)
        .where(eq(eventKeys.kid, sql.placeholder('kid')))
        .prepare('event_key_by_kid'),
    )
    const [row] = await query.execute({ kid })
    if (!row) return undefined
    const key = toSigningKey(row)
    remember(kid, key)
    return key
  }

  return {
    /**
     * The ticket and event a code names when its signature is genuine; null for anything forged, garbled or too
     * long. `doorEventId`: the event whose door scans it.
     */
    async verify(code: string, doorEventId: string): Promise<SignedCode | null> {
      if (code.length > MAX_CODE_LENGTH) return null
      const parsed = readTicketCode(code)
      if (!parsed || refused.has(parsed)) return null
      if (!keysRead) await ensureLoaded()
      const key = byKid.get(parsed.kid) ?? (eventsWithKey.has(doorEventId) ? undefined : await lookUp(parsed.kid))
      if (!key) return null
      if (await checks.isIssued(parsed, key.key)) return { ticketId: parsed.ticketId, eventId: key.eventId }
      // A known key refused the signature: that will not change.
      refused.add(parsed)
      return null
    },
    async close(): Promise<void> {
      clearInterval(refresher)
      await checks.close()
    },
  }
}

export type CodeVerifier = ReturnType<typeof codeVerifier>
