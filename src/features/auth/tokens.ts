import { createHash, randomBytes } from 'node:crypto'

/**
 * What a token is, readable from its prefix (contract: "Credentials"). `vml_` (magic link) is no bearer
 * token: it only travels in an email link and is exchanged once for a `vms_` session.
 */
export const TOKEN_PREFIXES = { session: 'vms_', scanner: 'vmd_', registration: 'vmr_', magicLink: 'vml_' } as const
export type TokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES]

/** 32 random bytes after the prefix; only the SHA-256 of the whole token is ever stored. */
export function newToken(prefix: TokenPrefix): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

// prefix + 43 base64url characters: anything else is refused before a database lookup.
// Bearer tokens only: a vml_ token in an Authorization header is malformed.
export const TOKEN_PATTERN = /^(vms|vmd|vmr)_[A-Za-z0-9_-]{43}$/
export const MAGIC_LINK_TOKEN_PATTERN = /^vml_[A-Za-z0-9_-]{43}$/
