import { hash, randomFillSync } from 'node:crypto'
import type { TokenPrefix } from '../../http/token-format.js'

const TOKEN_BYTES = 32
/**
 * Random bytes for tokens come from a pool that one call to the kernel's CSPRNG refills, 128 tokens at a time, as
 * node:crypto's randomUUID does: randomBytes(32) is a getrandom system call each (~8 µs on the 2-core VM, against
 * ~0.3 µs from the pool), paid by every registration. Each byte is handed out once and zeroed after use.
 */
const pool = Buffer.alloc(TOKEN_BYTES * 128)
let next = pool.length

function randomText(): string {
  if (next === pool.length) {
    randomFillSync(pool)
    next = 0
  }
  const text = pool.toString('base64url', next, next + TOKEN_BYTES)
  pool.fill(0, next, next + TOKEN_BYTES)
  next += TOKEN_BYTES
  return text
}

/** 32 random bytes after the prefix; only the SHA-256 of the whole token is ever stored. */
export function newToken(prefix: TokenPrefix): { token: string; hash: string } {
  const token = prefix + randomText()
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  // One-shot crypto.hash: a quarter of createHash's cost (no Hash object); on every request with a token.
  return hash('sha256', token, 'hex')
}
