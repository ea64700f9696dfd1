import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { accounts, associationMembers, associations, eventOrganizers, outboxEmails, type AccountRole } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmail } from '../../mail/outbox.js'
import { oneLine, type Locale } from '../../mail/templates.js'
import { deleteLinksOf, issueMagicLink, spendLink } from '../auth/magic-link.service.js'
import { hashPassword, verifyPassword } from '../auth/passwords.js'
import { revokeSessionsOf, sessionVia } from '../auth/sessions.service.js'
import { findAccountById, toAccount, type AccountRow } from './accounts.service.js'

export const ERASED_ACCOUNT_NAME = 'Erased'
/** `.invalid` is reserved (RFC 2606): the placeholder can never reach anyone, and stays unique per account. */
export const erasedAccountEmail = (accountId: string) => `erased-${accountId}@invalid`
/** An erasure link lives a day: long enough to find the email, short enough that a forgotten one dies. */
export const ERASE_LINK_MINUTES = 24 * 60

/** The account, locked for the rest of the transaction; 404 when there is none. */
async function lockAccount(tx: Queryable, id: string): Promise<AccountRow> {
  const [row] = await tx.select().from(accounts).where(eq(accounts.id, id)).for('update')
  if (!row) throw Problem.notFound('account')
  return row
}

/**
 * Refuses to take away the last active admin. Every change that can (demote, deactivate, erase) calls this in its
 * transaction before writing: it locks all active admins' rows in id order, so two such changes queue behind each
 * other, and the second one's FOR UPDATE re-reads a row the first changed (READ COMMITTED re-checks the WHERE on
 * the newest version): a demoted or deactivated admin has dropped out of the list by then, and the second change
 * sees itself as the last one. Decision record 0086.
 */
async function assertNotLastAdmin(tx: Queryable, accountId: string): Promise<void> {
  const admins = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.role, 'admin'), isNull(accounts.deactivatedAt)))
    .orderBy(asc(accounts.id))
    .for('update')
  if (admins.length <= 1 && admins.some((a) => a.id === accountId)) {
    throw Problem.conflict('last_admin', 'This is the last active admin; make another account an admin first.')
  }
}

export interface AccountPatch {
  name?: string
  role?: AccountRole
  language?: Locale
}

/** An admin changes an account: name, language, role. Demoting the last active admin is refused (409 last_admin). */
export async function updateAccount(db: Database, id: string, patch: AccountPatch) {
  return db.transaction(async (tx) => {
    if (patch.role !== undefined && patch.role !== 'admin') await assertNotLastAdmin(tx, id)
    const row = await lockAccount(tx, id)
    if (row.erasedAt) throw Problem.conflict('invalid_transition', 'This account is erased.')
    const [after] = await tx
      .update(accounts)
      .set({ name: patch.name?.trim(), role: patch.role, language: patch.language })
      .where(eq(accounts.id, id))
      .returning()
    // An organizer no longer: its event assignments go, so nothing is left that a later promotion would revive.
    if (row.role === 'organizer' && after.role !== 'organizer') await tx.delete(eventOrganizers).where(eq(eventOrganizers.accountId, id))
    return toAccount(after)
  })
}

/** The account's own profile: name and language. */
export async function updateOwnAccount(db: Queryable, id: string, patch: { name?: string; language?: Locale }) {
  const [after] = await db.update(accounts).set({ name: patch.name?.trim(), language: patch.language }).where(eq(accounts.id, id)).returning()
  if (!after) throw Problem.unauthenticated()
  return toAccount(after)
}

/**
 * Deactivates (an admin): the account's sessions are revoked in the same transaction, and the session lookup
 * refuses a deactivated account's tokens besides, so they stop working at once. Reactivating lets it log in
 * again; old sessions stay revoked. The last active admin cannot be deactivated.
 */
export async function setActive(db: Database, id: string, active: boolean) {
  return db.transaction(async (tx) => {
    if (!active) await assertNotLastAdmin(tx, id)
    const row = await lockAccount(tx, id)
    if (row.erasedAt) throw Problem.conflict('invalid_transition', 'This account is erased.')
    if (active === (row.deactivatedAt === null)) return toAccount(row)
    const [after] = await tx
      .update(accounts)
      .set({ deactivatedAt: active ? null : sql`now()` })
      .where(eq(accounts.id, id))
      .returning()
    if (!active) await revokeSessionsOf(tx, id)
    return toAccount(after)
  })
}

/**
 * Sets a new password. With a password session the current password must be given; a session from a magic link
 * (the email proves the person) may set one without, which is how a forgotten password is replaced. Every other
 * session of the account is revoked: whoever knew the old password is logged out.
 */
export async function changePassword(
  db: Database,
  principal: { accountId: string; sessionId: string },
  input: { currentPassword?: string; newPassword: string },
) {
  const account = await findAccountById(db, principal.accountId)
  if (!account) throw Problem.unauthenticated()
  const via = await sessionVia(db, principal.sessionId)
  if (via !== 'link') {
    const ok = input.currentPassword !== undefined && account.passwordHash !== null && (await verifyPassword(input.currentPassword, account.passwordHash))
    if (!ok) throw Problem.forbidden('The current password is missing or wrong; or log in by emailed link to set a new one.')
  }
  const passwordHash = await hashPassword(input.newPassword)
  await db.transaction(async (tx) => {
    await tx.update(accounts).set({ passwordHash }).where(eq(accounts.id, account.id))
    await revokeSessionsOf(tx, account.id, principal.sessionId)
  })
}

/**
 * The person asks to erase their account: a confirmation link goes to the account's address (valid a day), so
 * a stolen session alone cannot erase anyone. Opening it (POST /v1/me/erase/confirm) erases.
 */
export async function requestErasure(db: Database, config: Pick<Config, 'publicUrl'>, accountId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const account = await findAccountById(tx, accountId)
    if (!account) throw Problem.unauthenticated()
    const token = await issueMagicLink(tx, account.id, ERASE_LINK_MINUTES, 'erase')
    await enqueueEmail(tx, {
      to: account.email,
      template: 'account-erase',
      locale: account.language,
      data: { name: oneLine(account.name), confirmUrl: `${config.publicUrl}/account/erase?token=${token}`, expiresMinutes: ERASE_LINK_MINUTES },
    })
  })
}

/** Confirms an erasure request by its emailed token: the account is erased, once. */
export async function confirmErasure(db: Database, token: string) {
  return db.transaction(async (tx) => {
    const account = await spendLink(tx, token, 'erase', Problem.notFound('erasure request (the link is unknown, used or expired)'))
    return eraseAccountIn(tx, account.id)
  })
}

/** An admin erases an account. */
export function eraseAccount(db: Database, id: string) {
  return db.transaction((tx) => eraseAccountIn(tx, id))
}

/**
 * Erases an account's personal data, keeping the row (bookings, scans and history name its id): email, name and
 * password become placeholders and it stays deactivated; its sessions, links, memberships and event assignments
 * go; emails to its address lose address and data. An association whose contact address was the account's gets
 * its earliest remaining member's address instead, or a placeholder when none is left. The last active admin
 * cannot be erased. Erasing an erased account changes nothing.
 */
async function eraseAccountIn(tx: Queryable, id: string) {
  const existing = await findAccountById(tx, id)
  if (!existing) throw Problem.notFound('account')
  if (existing.erasedAt) return toAccount(existing)
  if (existing.role === 'admin') await assertNotLastAdmin(tx, id)
  const row = await lockAccount(tx, id)
  const email = row.email.toLowerCase()

  const memberships = await tx
    .select({ associationId: associationMembers.associationId })
    .from(associationMembers)
    .where(eq(associationMembers.accountId, id))
  await tx.delete(associationMembers).where(eq(associationMembers.accountId, id))
  for (const { associationId } of memberships) {
    const [next] = await tx
      .select({ email: accounts.email })
      .from(associationMembers)
      .innerJoin(accounts, eq(accounts.id, associationMembers.accountId))
      .where(and(eq(associationMembers.associationId, associationId), ne(associationMembers.accountId, id)))
      .orderBy(asc(associationMembers.createdAt), asc(accounts.id))
      .limit(1)
    await tx
      .update(associations)
      .set({ contactEmail: next?.email ?? erasedAccountEmail(id), updatedAt: sql`now()` })
      .where(and(eq(associations.id, associationId), eq(sql`lower(${associations.contactEmail})`, email)))
  }
  await tx.delete(eventOrganizers).where(eq(eventOrganizers.accountId, id))
  await deleteLinksOf(tx, id)
  await revokeSessionsOf(tx, id)
  // last_error and smtp_response may quote the address; a queued email to it is never sent now.
  await tx
    .update(outboxEmails)
    .set({
      toAddress: erasedAccountEmail(id),
      data: {},
      status: sql`case when ${outboxEmails.status} = 'queued' then 'cancelled' else ${outboxEmails.status} end`,
      lockedUntil: null,
      lastError: null,
      smtpResponse: null,
    })
    .where(eq(sql`lower(${outboxEmails.toAddress})`, email))
  const [after] = await tx
    .update(accounts)
    .set({
      email: erasedAccountEmail(id),
      name: ERASED_ACCOUNT_NAME,
      passwordHash: null,
      deactivatedAt: sql`coalesce(${accounts.deactivatedAt}, now())`,
      erasedAt: sql`now()`,
    })
    .where(eq(accounts.id, id))
    .returning()
  return toAccount(after)
}
