import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { eventKeys } from '../../db/schema.js'

/**
 * A ticket code is what its QR code holds: `VM1` + base64url(ticket id 16 bytes | key id 6 bytes | Ed25519
 * signature 64 bytes) = 118 ASCII characters. It names the ticket and (through the key id) the event, holds no
 * personal data, and anyone with the event's public key can check it offline. The signature covers the version
 * too, so a code cannot be replayed under another format.
 */
export const CODE_VERSION = 'VM1'
const ID_BYTES = 16
const KID_BYTES = 6
const SIG_BYTES = 64
const PAYLOAD_BYTES = ID_BYTES + KID_BYTES
export const CODE_PATTERN = /^VM1[A-Za-z0-9_-]{115}$/

export interface EventKey {
  eventId: string
  kid: string
  publicKey: KeyObject
  privateKey: KeyObject
  /** raw 32-byte public key, base64url: what scanners are given */
  publicKeyRaw: string
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex')
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
const signedBytes = (payload: Buffer) => Buffer.concat([Buffer.from(CODE_VERSION), payload])

export function signTicketCode(ticketId: string, key: EventKey): string {
  const payload = Buffer.concat([uuidBytes(ticketId), Buffer.from(key.kid, 'base64url')])
  const signature = sign(null, signedBytes(payload), key.privateKey)
  return CODE_VERSION + Buffer.concat([payload, signature]).toString('base64url')
}

/** Parses a code without checking it: which key would have to have signed it. */
export function readTicketCode(code: string): { ticketId: string; kid: string; payload: Buffer; signature: Buffer } | null {
  if (!CODE_PATTERN.test(code)) return null
  const encoded = code.slice(CODE_VERSION.length)
  const raw = Buffer.from(encoded, 'base64url')
  // 86 bytes leave 2 spare bits in the last character, which decoding ignores: only the one canonical
  // spelling is a valid code, so an altered last character cannot pass as the same ticket.
  if (raw.length !== PAYLOAD_BYTES + SIG_BYTES || raw.toString('base64url') !== encoded) return null
  const payload = raw.subarray(0, PAYLOAD_BYTES)
  return {
    ticketId: bytesUuid(payload.subarray(0, ID_BYTES)),
    kid: payload.subarray(ID_BYTES).toString('base64url'),
    payload,
    signature: raw.subarray(PAYLOAD_BYTES),
  }
}

/** The ticket id when the code is well-formed and signed by this key; null for anything forged or altered. */
export function verifyTicketCode(code: string, publicKey: KeyObject, kid: string): string | null {
  const parsed = readTicketCode(code)
  if (!parsed || parsed.kid !== kid) return null
  return verify(null, signedBytes(parsed.payload), publicKey, parsed.signature) ? parsed.ticketId : null
}

// Keys never change once made, so each process keeps the ones it has used.
const keyCache = new Map<string, EventKey>()

function toEventKey(row: typeof eventKeys.$inferSelect): EventKey {
  const privateKey = createPrivateKey({ key: Buffer.from(row.privateKey, 'base64url'), format: 'der', type: 'pkcs8' })
  const publicKey = createPublicKey(privateKey)
  return { eventId: row.eventId, kid: row.kid, privateKey, publicKey, publicKeyRaw: row.publicKey }
}

/** The event's key pair, made on first use; concurrent first uses agree on one (the insert that loses does nothing). */
export async function eventKey(db: Queryable, eventId: string): Promise<EventKey> {
  const cached = keyCache.get(eventId)
  if (cached) return cached
  let [row] = await db.select().from(eventKeys).where(eq(eventKeys.eventId, eventId))
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const jwk = publicKey.export({ format: 'jwk' })
    await db
      .insert(eventKeys)
      .values({
        eventId,
        kid: randomBytes(KID_BYTES).toString('base64url'),
        publicKey: String(jwk.x),
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
      })
      .onConflictDoNothing({ target: eventKeys.eventId })
    ;[row] = await db.select().from(eventKeys).where(eq(eventKeys.eventId, eventId))
  }
  const key = toEventKey(row)
  keyCache.set(eventId, key)
  return key
}
