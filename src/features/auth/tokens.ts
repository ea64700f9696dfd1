import { createHash, randomBytes } from 'node:crypto'
import type { TokenPrefix } from '../../http/token-format.js'

/** 32 random bytes after the prefix; only the SHA-256 of the whole token is ever stored. */
export function newToken(prefix: TokenPrefix): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
