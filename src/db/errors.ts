/**
 * The one place that reads PostgreSQL errors. Drizzle wraps them (the PostgreSQL error is in `cause`),
 * and PGlite's class names are minified, so only SQLSTATE codes and constraint names are trusted.
 */
export interface PgErrorInfo {
  code?: string
  constraint?: string
}

export function pgError(err: unknown): PgErrorInfo {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 5; e = e.cause as never, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { code: e.code, constraint: (e.constraint_name ?? e.constraint) as string | undefined }
    }
  }
  return {}
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const info = pgError(err)
  return info.code === '23505' && (constraint === undefined || info.constraint === constraint)
}

const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
])

/** True when the database cannot be reached or is shutting down / overloaded: the client should retry later. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 5; e = e.cause as never, depth++) {
    const code = typeof e.code === 'string' ? e.code : ''
    if (UNAVAILABLE_NETWORK_CODES.has(code)) return true
    // 08: connection exceptions; 57P01-03: shutdown / cannot connect now; 53300: too many connections;
    // 57014: statement timeout (an overloaded database, not a bug in the request).
    if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code)) return true
    if (typeof e.message === 'string' && /PGlite is closed/i.test(e.message)) return true
  }
  return false
}
