import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { eventKeys } from '../../db/schema.js'
import { SIGNATURE_BYTES, signEd25519, sodiumSecretKey } from './ed25519.js'

/**
 * A ticket code is what its QR code holds: `VM1` + base64url(ticket id 16 bytes | key id 6 bytes | Ed25519
 * signature 64 bytes) = 118 ASCII characters. It names the ticket and (through the key id) the event, holds no
 * personal data, and anyone with the event's public key can check it offline. The signature covers the version
 * too, so a code cannot be replayed under another format.
 */
export const CODE_VERSION = 'VM1'
const ID_BYTES = 16
const KID_BYTES = 6
/** A code's bytes before its signature: what is signed (after the version prefix). */
export const PAYLOAD_BYTES = ID_BYTES + KID_BYTES
/** A code's bytes after the version prefix: payload then signature. */
export const CODE_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES
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
  const signature = signEd25519(signedBytes(payload), sodiumSecretKey(key.privateKey))
  return CODE_VERSION + Buffer.concat([payload, signature]).toString('base64url')
}

/** What a well-formed code says, before anyone checked its signature. */
export interface ParsedCode {
  readonly ticketId: string
  kid: string
  payload: Buffer
  signature: Buffer
}

class ParsedTicketCode implements ParsedCode {
  readonly kid: string
  constructor(
    readonly payload: Buffer,
    readonly signature: Buffer,
  ) {
    this.kid = payload.toString('base64url', ID_BYTES)
  }
  /** made when asked for: most codes a door refuses are never asked */
  get ticketId(): string {
    return bytesUuid(this.payload.subarray(0, ID_BYTES))
  }
}

// 86 bytes are 688 bits, 115 base64url characters carry 690: the last character's 2 low bits are spare, and
// decoding ignores them. Only the spelling with them zero (one of these 16 characters last) is the code, so an
// altered last character cannot pass as the same ticket. A pattern rather than encoding the bytes again to compare.
const CANONICAL_CODE = /^VM1[A-Za-z0-9_-]{114}[AEIMQUYcgkosw048]$/

/** Parses a code without checking it: which key would have to have signed it. */
export function readTicketCode(code: string): ParsedCode | null {
  if (!CANONICAL_CODE.test(code)) return null
  const raw = Buffer.from(code.slice(CODE_VERSION.length), 'base64url')
  if (raw.length !== CODE_BYTES) return null
  return new ParsedTicketCode(raw.subarray(0, PAYLOAD_BYTES), raw.subarray(PAYLOAD_BYTES))
}

/** The ticket id when the code is well-formed and signed by this key; null for anything forged or altered. */
export function verifyTicketCode(code: string, publicKey: KeyObject, kid: string): string | null {
  const parsed = readTicketCode(code)
  if (!parsed || parsed.kid !== kid) return null
  return verify(null, signedBytes(parsed.payload), publicKey, parsed.signature) ? parsed.ticketId : null
}

/**
 * The server's check, for whoever holds the private key: is this the signature the service issued for this payload?
 * Ed25519 signatures are deterministic (RFC 8032: the nonce is a hash of the key and the message), so every code
 * the service issued equals its payload signed again, and a signature that differs is one the service never made:
 * the same answer as `verify` for every code it issued or anyone forged without the key (stricter only for a
 * re-encoding of a genuine signature that some verifier might take). Signing costs a sixth of verifying (~13 µs with
 * libsodium against ~80 µs here), which is what every forged code costs the door's API. Compared in constant time: an
 * answer that came sooner the more leading bytes matched would let a forger find the signature byte by byte.
 */
export function isIssuedCode(parsed: ParsedCode, secretKey: Buffer): boolean {
  return timingSafeEqual(signEd25519(signedBytes(parsed.payload), secretKey), parsed.signature)
}

/** `isIssuedCode` from the code's text: the ticket id, or null. */
export function issuedTicketId(code: string, privateKey: KeyObject, kid: string): string | null {
  const parsed = readTicketCode(code)
  if (!parsed || parsed.kid !== kid) return null
  return isIssuedCode(parsed, sodiumSecretKey(privateKey)) ? parsed.ticketId : null
}

// Keys never change once made, so each process keeps the ones it has used.
const keyCache = new Map<string, EventKey>()

/** A private key as `event_keys.private_key` stores it (PKCS#8 DER, base64url). */
export const storedPrivateKey = (stored: string): KeyObject =>
  createPrivateKey({ key: Buffer.from(stored, 'base64url'), format: 'der', type: 'pkcs8' })

function toEventKey(row: typeof eventKeys.$inferSelect): EventKey {
  const privateKey = storedPrivateKey(row.privateKey)
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
