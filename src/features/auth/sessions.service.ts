import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { accounts, sessions } from '../../db/schema.js'
import type { AccountPrincipal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { findAccountByEmail, type AccountRow } from '../accounts/accounts.service.js'
import { timingDummyHash, verifyPassword } from './passwords.js'
import { hashToken, newToken } from './tokens.js'

const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000

export async function startSession(db: Queryable, account: AccountRow, via: 'password' | 'link' = 'password'): Promise<string> {
  const { token, hash } = newToken('vms_')
  await db.insert(sessions).values({
    accountId: account.id,
    tokenHash: hash,
    via,
    expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS),
  })
  return token
}

/**
 * Same answer, and about the same time, for an unknown email, a wrong password and a deactivated account: a
 * deactivated account learns nothing more than a stranger would (its admin tells it why).
 */
export async function login(db: Queryable, email: string, password: string) {
  const account = await findAccountByEmail(db, email)
  const ok = await verifyPassword(password, account?.passwordHash ?? (await timingDummyHash()))
  if (!account?.passwordHash || !ok || account.deactivatedAt) throw Problem.unauthenticated('Wrong email or password.')
  return { token: await startSession(db, account), account }
}

/**
 * Runs on every authenticated request, hence prepared once per database. A deactivated account's sessions are
 * refused here, on the very next request (deactivating also revokes them, so reactivating does not revive them).
 */
export async function resolveSession(db: Database, token: string): Promise<AccountPrincipal | null> {
  const query = prepared(db, 'session_by_token', (d) =>
    d
      .select({
        sessionId: sessions.id,
        id: accounts.id,
        email: accounts.email,
        name: accounts.name,
        role: accounts.role,
      })
      .from(sessions)
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(
        and(
          eq(sessions.tokenHash, sql.placeholder('hash')),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql`now()`),
          isNull(accounts.deactivatedAt),
        ),
      )
      .prepare('session_by_token'),
  )
  const [row] = await query.execute({ hash: hashToken(token) })
  if (!row) return null
  const { sessionId, ...account } = row
  return { kind: 'account', sessionId, account }
}

export async function revokeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
}

/** The account's live sessions, newest first; `current` marks the one of this request. */
export async function listSessions(db: Queryable, accountId: string, currentSessionId: string) {
  const rows = await db
    .select({ id: sessions.id, via: sessions.via, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
  return {
    items: rows.map((r) => ({
      id: r.id,
      via: r.via,
      current: r.id === currentSessionId,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    })),
  }
}

/** Revokes one of the account's own live sessions; false when it has no such live session. */
export async function revokeOwnSession(db: Queryable, accountId: string, sessionId: string): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id })
  return rows.length > 0
}

/** Revokes every live session of an account except `keep` (none kept when absent); returns how many. */
export async function revokeSessionsOf(db: Queryable, accountId: string, keep?: string): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined))
    .returning({ id: sessions.id })
  return rows.length
}

/** How the session was started: a magic-link session may set a new password without the current one. */
export async function sessionVia(db: Queryable, sessionId: string): Promise<'password' | 'link' | undefined> {
  const [row] = await db.select({ via: sessions.via }).from(sessions).where(eq(sessions.id, sessionId))
  return row?.via
}
