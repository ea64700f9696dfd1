import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { accounts, magicLinks } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { MAGIC_LINK_TOKEN_PATTERN } from '../../http/token-format.js'
import { enqueueEmail } from '../../mail/outbox.js'
import { oneLine } from '../../mail/templates.js'
import { findAccountByEmail, findAccountById, type AccountRow } from '../accounts/accounts.service.js'
import { startSession } from './sessions.service.js'
import { hashToken, newToken } from './tokens.js'

export const MAGIC_LINK_MINUTES = 15

/**
 * Emails a one-time login link when the email belongs to an account, and does nothing otherwise: the caller
 * answers the same either way, so the endpoint does not tell who has an account. (The known case costs one
 * more short transaction; the rate limits per IP and per email bound how far anyone can probe that timing.)
 *
 * The link row and its email are written in one transaction: a link exists exactly when its email is queued.
 *
 * Requesting a new link does not invalidate older unexpired ones: emails arrive late and out of order, and
 * the person who pressed "send again" must still get in with whichever email they open first. Each link
 * works once and for 15 minutes, and the per-email rate limit caps how many can be alive at once.
 */
export async function requestMagicLink(db: Database, config: Pick<Config, 'publicUrl'>, email: string): Promise<void> {
  await db.transaction(async (tx) => {
    const account = await findAccountByEmail(tx, email)
    // a deactivated account gets no link, as an unknown email gets none (the answer is the same 202)
    if (!account || account.deactivatedAt) return
    const token = await issueMagicLink(tx, account.id, MAGIC_LINK_MINUTES)
    await enqueueEmail(tx, {
      to: account.email,
      template: 'magic-link',
      locale: account.language,
      data: {
        // An email template line must be one line; an account name is free text and may hold line breaks.
        name: oneLine(account.name),
        loginUrl: `${config.publicUrl}/login?token=${token}`,
        expiresMinutes: MAGIC_LINK_MINUTES,
      },
    })
  })
}

/**
 * A one-time link for an account, valid `minutes`, in the caller's transaction: only its hash is stored. A 'login'
 * link is exchanged for a session; an 'erase' link confirms the account's request to erase itself.
 */
export async function issueMagicLink(tx: Queryable, accountId: string, minutes: number, purpose: 'login' | 'erase' = 'login'): Promise<string> {
  const { token, hash } = newToken('vml_')
  await tx.insert(magicLinks).values({
    accountId,
    tokenHash: hash,
    purpose,
    expiresAt: new Date(Date.now() + minutes * 60_000),
  })
  return token
}

/**
 * Exchanges a link's token for a session, once. The conditional UPDATE is the whole guard: of two concurrent
 * verifies of one token, the second waits for the first's row lock and then no longer matches `used_at is null`
 * (READ COMMITTED re-checks the updated row), so exactly one gets a session. Session and spent link commit together.
 */
export async function verifyMagicLink(db: Database, token: string): Promise<{ token: string; account: AccountRow }> {
  const refused = Problem.unauthenticated('The login link is unknown, used or expired; request a new one.')
  return db.transaction(async (tx) => {
    const account = await spendLink(tx, token, 'login', refused)
    if (account.deactivatedAt) throw refused
    // Opening a link sent to the address proves the address: sign-up's welcome link exists for this.
    if (!account.emailVerifiedAt) {
      await tx.update(accounts).set({ emailVerifiedAt: sql`now()` }).where(and(eq(accounts.id, account.id), isNull(accounts.emailVerifiedAt)))
    }
    return { token: await startSession(tx, account, 'link'), account }
  })
}

/**
 * Spends a link of this purpose, once, in the caller's transaction, and returns its account; `refused` when the
 * token is malformed, unknown, of another purpose, used or expired. The conditional UPDATE is the whole guard.
 */
export async function spendLink(tx: Queryable, token: string, purpose: 'login' | 'erase', refused: Problem): Promise<AccountRow> {
  if (!MAGIC_LINK_TOKEN_PATTERN.test(token)) throw refused
  const [link] = await tx
    .update(magicLinks)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(magicLinks.tokenHash, hashToken(token)),
        eq(magicLinks.purpose, purpose),
        isNull(magicLinks.usedAt),
        gt(magicLinks.expiresAt, sql`now()`),
      ),
    )
    .returning({ accountId: magicLinks.accountId })
  // Links cascade with their account, so a spent link always has one; the check only satisfies the types.
  const account = link && (await findAccountById(tx, link.accountId))
  if (!account) throw refused
  return account
}

/** Deletes every link of an account, in the caller's transaction (erasing the account: nothing of it may log in). */
export async function deleteLinksOf(tx: Queryable, accountId: string): Promise<void> {
  await tx.delete(magicLinks).where(eq(magicLinks.accountId, accountId))
}
