import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { accounts, sessions } from '../../db/schema.js'
import type { AccountPrincipal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { findAccountByEmail, type AccountRow } from '../accounts/accounts.service.js'
import { timingDummyHash, verifyPassword } from './passwords.js'
import { hashToken, newToken } from './tokens.js'

const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000

export async function startSession(db: Queryable, account: AccountRow): Promise<string> {
  const { token, hash } = newToken('vms_')
  await db.insert(sessions).values({
    accountId: account.id,
    tokenHash: hash,
    expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS),
  })
  return token
}

/** Same answer, and about the same time, for an unknown email and a wrong password. */
export async function login(db: Queryable, email: string, password: string) {
  const account = await findAccountByEmail(db, email)
  const ok = await verifyPassword(password, account?.passwordHash ?? (await timingDummyHash()))
  if (!account?.passwordHash || !ok) throw Problem.unauthenticated('Wrong email or password.')
  return { token: await startSession(db, account), account }
}

/** Runs on every authenticated request, hence prepared once per database. */
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
