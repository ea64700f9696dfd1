/*
 * The format of this service's tokens: plumbing shared by the auth hook (which refuses a malformed bearer token
 * before any lookup) and by the features that issue tokens (features/auth/tokens.ts).
 */

/**
 * What a token is, readable from its prefix (contract: "Credentials"). `vml_` (magic link) is no bearer
 * token: it only travels in an email link and is exchanged once for a `vms_` session.
 */
export const TOKEN_PREFIXES = { session: 'vms_', scanner: 'vmd_', registration: 'vmr_', magicLink: 'vml_' } as const
export type TokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES]

// prefix + 43 base64url characters: anything else is refused before a database lookup.
// Bearer tokens only: a vml_ token in an Authorization header is malformed.
export const TOKEN_PATTERN = /^(vms|vmd|vmr)_[A-Za-z0-9_-]{43}$/
export const MAGIC_LINK_TOKEN_PATTERN = /^vml_[A-Za-z0-9_-]{43}$/
