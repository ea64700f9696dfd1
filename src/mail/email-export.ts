import { outboxEmails } from '../db/schema.js'

// Bearer tokens and magic-link tokens, wherever they appear in an email's data (manageUrl, loginUrl, …).
const TOKEN_IN_TEXT = /\b(vm[srdl]_)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g

/** A copy of an email's data without the secrets it carried: the links' tokens still work and must not leak through an export. */
export function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(TOKEN_IN_TEXT, '$1REDACTED')
  if (Array.isArray(value)) return value.map(withoutSecrets)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]))
  }
  return value
}

/** An outbox row as a personal-data export shows it (a visitor's or an account's): what was sent, minus the tokens. */
export function exportedEmail(e: typeof outboxEmails.$inferSelect) {
  return {
    id: e.id,
    to: e.toAddress,
    template: e.template,
    locale: e.locale,
    status: e.status,
    createdAt: e.createdAt.toISOString(),
    sentAt: e.sentAt ? e.sentAt.toISOString() : null,
    data: withoutSecrets(e.data) as Record<string, unknown>,
  }
}
