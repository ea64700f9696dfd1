/**
 * Reads and verifies ticket codes in the browser, the way src/features/tickets/ticket-codes.ts makes them:
 * `VM1` + base64url(ticket id 16 bytes | key id 6 bytes | Ed25519 signature 64 bytes over `VM1` + the first 22).
 */
const VERSION = 'VM1'
export const CODE_PATTERN = /^VM1[A-Za-z0-9_-]{115}$/

export interface ParsedCode {
  ticketId: string
  kid: string
  signed: Uint8Array
  signature: Uint8Array
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function toBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

export function parseCode(code: string): ParsedCode | null {
  if (!CODE_PATTERN.test(code)) return null
  const encoded = code.slice(VERSION.length)
  const raw = fromBase64url(encoded)
  // Only the canonical spelling is a code (the last character has 2 spare bits), as on the server.
  if (raw.length !== 86 || toBase64url(raw) !== encoded) return null
  const id = hex(raw.subarray(0, 16))
  const signed = new Uint8Array(3 + 22)
  signed.set(new TextEncoder().encode(VERSION))
  signed.set(raw.subarray(0, 22), 3)
  return {
    ticketId: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    kid: toBase64url(raw.subarray(16, 22)),
    signed,
    signature: raw.subarray(22),
  }
}

export interface PublicKey {
  kid: string
  key: string
}

type Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => Promise<boolean>
let verifier: Promise<Verify> | undefined

/** WebCrypto's Ed25519 where the browser has it (Chrome 113+, Safari 17+, Firefox 129+), else @noble/ed25519, loaded only then. */
function ed25519(): Promise<Verify> {
  verifier ??= (async () => {
    try {
      const probe = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(1), { name: 'Ed25519' }, false, ['verify'])
      if (probe) {
        return async (signature, message, publicKey) => {
          const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify'])
          return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource)
        }
      }
    } catch {
      // no Ed25519 in this browser's WebCrypto
    }
    const noble = await import('@noble/ed25519')
    return (signature, message, publicKey) => noble.verifyAsync(signature, message, publicKey).catch(() => false)
  })()
  return verifier
}

/** The ticket id when the code is genuine and signed by one of these keys; null for anything forged, altered or foreign. */
export async function verifyCode(code: string, keys: readonly PublicKey[]): Promise<string | null> {
  const parsed = parseCode(code)
  const key = parsed && keys.find((k) => k.kid === parsed.kid)
  if (!parsed || !key) return null
  const verify = await ed25519()
  return (await verify(parsed.signature, parsed.signed, fromBase64url(key.key))) ? parsed.ticketId : null
}
