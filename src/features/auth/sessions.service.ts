import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
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

export async function resolveSession(db: Queryable, token: string): Promise<AccountPrincipal | null> {
  const [row] = await db
    .select({
      sessionId: sessions.id,
      id: accounts.id,
      email: accounts.email,
      name: accounts.name,
      role: accounts.role,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
  if (!row) return null
  const { sessionId, ...account } = row
  return { kind: 'account', sessionId, account }
}

export async function revokeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
}
