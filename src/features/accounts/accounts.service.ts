import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { accounts, type AccountLanguage, type AccountRole } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { Problem } from '../../http/problem.js'
import { generatePassword, hashPassword } from '../auth/passwords.js'

export type AccountRow = typeof accounts.$inferSelect

export function toAccount(row: AccountRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    language: row.language,
    active: row.deactivatedAt === null,
    createdAt: row.createdAt.toISOString(),
  }
}

export async function createAccount(
  db: Queryable,
  input: { email: string; name: string; role: AccountRole; password?: string; language?: AccountLanguage },
): Promise<AccountRow> {
  const passwordHash = input.password ? await hashPassword(input.password) : null
  try {
    const [row] = await db
      .insert(accounts)
      .values({ email: input.email.trim(), name: input.name.trim(), role: input.role, passwordHash, language: input.language })
      .returning()
    return row
  } catch (err) {
    if (isUniqueViolation(err, 'accounts_email_lower_key')) {
      throw Problem.conflict('email_taken', 'An account with this email already exists.')
    }
    throw err
  }
}

export function findAccountByEmail(db: Queryable, email: string): Promise<AccountRow | undefined> {
  return db.query.accounts.findFirst({ where: eq(sql`lower(${accounts.email})`, email.trim().toLowerCase()) })
}

export function findAccountById(db: Queryable, id: string): Promise<AccountRow | undefined> {
  return db.query.accounts.findFirst({ where: eq(accounts.id, id) })
}

export async function listAccounts(db: Queryable, query: { limit: number; cursor?: string; role?: AccountRole }) {
  const after = query.cursor ? decodeCursor(query.cursor, ['string', 'uuid']) : undefined
  const rows = await db
    .select()
    .from(accounts)
    .where(
      and(
        query.role ? eq(accounts.role, query.role) : undefined,
        after
          ? or(
              gt(sql`lower(${accounts.email})`, after[0]),
              and(eq(sql`lower(${accounts.email})`, after[0]), gt(accounts.id, String(after[1]))),
            )
          : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${accounts.email})`), asc(accounts.id))
    .limit(query.limit + 1)
  return toPage(rows, query.limit, toAccount, (r) => [r.email.toLowerCase(), r.id])
}

export async function hasAdmin(db: Queryable): Promise<boolean> {
  const row = await db.query.accounts.findFirst({ where: eq(accounts.role, 'admin'), columns: { id: true } })
  return row !== undefined
}

/**
 * On an empty database, creates the first admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or generated.
 * Runs under the migration lock, so two instances starting together create one admin.
 * Returns the generated credentials so the server can print them, once.
 */
export async function ensureFirstAdmin(
  db: Database,
  configured: { email?: string; password?: string },
): Promise<{ email: string; password: string } | null> {
  if (await hasAdmin(db)) return null
  const email = configured.email ?? 'admin@vereinsmesse.local'
  const password = configured.password ?? generatePassword()
  await createAccount(db, { email, name: 'Administrator', role: 'admin', password })
  return configured.password ? null : { email, password }
}

/**
 * Emails to people who may hold an account (an association's contact address, organizers, admins) go out in the
 * language of the account with that address; other addresses keep the locale they were given (German for an
 * association whose contact address is no account's). One query for the whole batch.
 */
export async function inAccountLanguages<E extends { to: string; locale?: string | null }>(db: Queryable, emails: E[]): Promise<E[]> {
  if (emails.length === 0) return emails
  const addresses = [...new Set(emails.map((e) => e.to.toLowerCase()))]
  const rows = await db
    .select({ email: sql<string>`lower(${accounts.email})`, language: accounts.language })
    .from(accounts)
    .where(inArray(sql`lower(${accounts.email})`, addresses))
  const byAddress = new Map(rows.map((r) => [r.email, r.language]))
  return emails.map((e) => ({ ...e, locale: byAddress.get(e.to.toLowerCase()) ?? e.locale }))
}
