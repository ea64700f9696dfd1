import { hash, randomBytes } from 'node:crypto'
import type { TokenPrefix } from '../../http/token-format.js'

/** 32 random bytes after the prefix; only the SHA-256 of the whole token is ever stored. */
export function newToken(prefix: TokenPrefix): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  // One-shot crypto.hash: a quarter of createHash's cost (no Hash object); on every request with a token.
  return hash('sha256', token, 'hex')
}
