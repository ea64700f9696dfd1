import { and, arrayContains, asc, eq, gt, or, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { prepared } from '../../db/prepared.js'
import { accounts, associationMembers, associations, eventOrganizers, SEARCH_FOLD_FROM, SEARCH_FOLD_TO, standBookings } from '../../db/schema.js'
import { decodeCursor, toPage } from '../../http/pagination.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmail } from '../../mail/outbox.js'
import { oneLine, type Locale } from '../../mail/templates.js'
import { findAccountByEmail, toAccount, type AccountRow } from '../accounts/accounts.service.js'
import { issueMagicLink } from '../auth/magic-link.service.js'
import { hashPassword } from '../auth/passwords.js'
import { startSession } from '../auth/sessions.service.js'
import { assertVocabulary } from './vocabularies.service.js'

export type AssociationRow = typeof associations.$inferSelect

/** Invitation and verification links live longer than a login link: people open such mail days later. */
export const INVITATION_LINK_MINUTES = 7 * 24 * 60

/**
 * The language of an association's emails: that of the account whose address is its contact address (its contact
 * member), German when no account has that address. A correlated subquery, for the selects of email audiences.
 */
export const contactLanguage = sql<Locale>`coalesce((select ${accounts.language} from ${accounts} where lower(${accounts.email}) = lower(${associations.contactEmail})), 'de')`.mapWith(
  (v: string) => v as Locale,
)

/** Whether the account is a member of the association (stand bookings, profile edits, member lists). */
export async function isAssociationMember(db: Queryable, accountId: string, associationId: string): Promise<boolean> {
  const [row] = await db
    .select({ accountId: associationMembers.accountId })
    .from(associationMembers)
    .where(and(eq(associationMembers.associationId, associationId), eq(associationMembers.accountId, accountId)))
    .limit(1)
  return row !== undefined
}

/** isAssociationMember outside a transaction, prepared once: it guards reads that every member's app repeats (matches). */
export async function isMemberOf(db: Database, accountId: string, associationId: string): Promise<boolean> {
  const rows = await prepared(db, 'association_member', (d) =>
    d
      .select({ accountId: associationMembers.accountId })
      .from(associationMembers)
      .where(and(eq(associationMembers.associationId, sql.placeholder('associationId')), eq(associationMembers.accountId, sql.placeholder('accountId'))))
      .limit(1)
      .prepare('association_member'),
  ).execute({ accountId, associationId })
  return rows.length > 0
}

/** The profile everyone may see: the directory, the exhibitors of a fair, matchmaking. */
export function publicAssociation(row: AssociationRow) {
  return {
    id: row.id,
    name: row.name,
    legalForm: row.legalForm,
    district: row.district,
    address: row.address,
    website: row.website,
    description: row.description,
    fieldsOfActivity: row.fieldsOfActivity,
    targetGroups: row.targetGroups,
    languages: row.languages,
    migrantOrganization: row.migrantOrganization,
  }
}

/** The public profile plus what only members, organizers and admins see. */
export function privateAssociation(row: AssociationRow) {
  return {
    ...publicAssociation(row),
    contactEmail: row.contactEmail,
    contactPhone: row.contactPhone,
    registerNumber: row.registerNumber,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export interface AssociationInput {
  name: string
  legalForm?: string | null
  district: string
  address?: string | null
  website?: string | null
  description?: string | null
  fieldsOfActivity: string[]
  targetGroups?: string[]
  languages?: string[]
  migrantOrganization: boolean
  contactEmail?: string
  contactPhone?: string | null
  registerNumber?: string | null
}

export type AssociationPatch = Partial<AssociationInput>

const trimmed = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : v.trim() || null)
const uniqueTrimmed = (v: string[] | undefined) => (v === undefined ? undefined : [...new Set(v.map((x) => x.trim()))])

/** Column values from a (partial) profile: text trimmed, blank optional text stored as null, lists deduplicated. */
function columns(input: AssociationPatch) {
  const values = {
    name: input.name?.trim(),
    legalForm: trimmed(input.legalForm),
    district: input.district,
    address: trimmed(input.address),
    website: trimmed(input.website),
    description: trimmed(input.description),
    fieldsOfActivity: uniqueTrimmed(input.fieldsOfActivity),
    targetGroups: uniqueTrimmed(input.targetGroups),
    languages: uniqueTrimmed(input.languages?.map((l) => l.toLowerCase())),
    migrantOrganization: input.migrantOrganization,
    contactEmail: input.contactEmail?.trim(),
    contactPhone: trimmed(input.contactPhone),
    registerNumber: trimmed(input.registerNumber),
  }
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<typeof associations.$inferInsert>
}

function mapEmailTaken(err: unknown): never {
  if (isUniqueViolation(err, 'accounts_email_lower_key')) {
    throw Problem.conflict('email_taken', 'An account with this email already exists; log in and ask a member to invite you.')
  }
  throw err
}

/** A one-time login link valid for a week, for invitations and email verification; returns its URL. */
async function longLivedLink(tx: Queryable, config: Pick<Config, 'publicUrl'>, accountId: string): Promise<string> {
  const token = await issueMagicLink(tx, accountId, INVITATION_LINK_MINUTES)
  return `${config.publicUrl}/login?token=${token}`
}

/**
 * Sign-up: the exhibitor account, the association, the membership, a session and the welcome email with a
 * verification link, all in one transaction, so a failure leaves nothing behind. The password is hashed before
 * the transaction opens (it takes a while and must not hold a pooled connection).
 */
export async function signUp(
  db: Database,
  config: Pick<Config, 'publicUrl'>,
  input: { association: AssociationInput; contact: { name: string; email: string; password: string } },
  locale: Locale,
) {
  await assertVocabulary(db, input.association, '/body/association')
  const email = input.contact.email.trim()
  // Checked before hashing to spare the work; the unique index still decides a race (caught below).
  if (await findAccountByEmail(db, email)) mapEmailTaken({ code: '23505', constraint: 'accounts_email_lower_key' })
  const passwordHash = await hashPassword(input.contact.password)
  try {
    return await db.transaction(async (tx) => {
      const [account] = await tx
        .insert(accounts)
        .values({ email, name: input.contact.name.trim(), role: 'exhibitor', passwordHash, language: locale })
        .returning()
      const [association] = await tx
        .insert(associations)
        .values({ ...(columns(input.association) as typeof associations.$inferInsert), contactEmail: email })
        .returning()
      await tx.insert(associationMembers).values({ associationId: association.id, accountId: account.id })
      const token = await startSession(tx, account)
      await enqueueEmail(tx, {
        to: account.email,
        template: 'association-welcome',
        locale: account.language,
        data: {
          name: oneLine(account.name),
          associationName: oneLine(association.name),
          verifyUrl: await longLivedLink(tx, config, account.id),
          expiresMinutes: INVITATION_LINK_MINUTES,
        },
      })
      return { association: privateAssociation(association), account: toAccount(account), token }
    })
  } catch (err) {
    mapEmailTaken(err)
  }
}

export async function findAssociation(db: Queryable, id: string): Promise<AssociationRow> {
  const row = await db.query.associations.findFirst({ where: eq(associations.id, id) })
  if (!row) throw Problem.notFound('association')
  return row
}

/**
 * Who may see an association's private fields (contact address and phone, register number): its members, admins,
 * and organizers of an event the association has a stand booking at, in any state (they review and answer it).
 * Any other organizer sees the public profile, as everyone else does (least privilege, issue #19).
 */
export async function maySeePrivate(db: Queryable, viewer: { id: string; role: string } | undefined, associationId: string) {
  if (!viewer) return false
  if (viewer.role === 'admin') return true
  if (viewer.role === 'organizer') {
    const [row] = await db
      .select({ eventId: standBookings.eventId })
      .from(standBookings)
      .innerJoin(eventOrganizers, and(eq(eventOrganizers.eventId, standBookings.eventId), eq(eventOrganizers.accountId, viewer.id)))
      .where(eq(standBookings.associationId, associationId))
      .limit(1)
    if (row) return true
  }
  return isAssociationMember(db, viewer.id, associationId)
}

/** Who may edit an association and manage its members: its members and admins. */
export async function assertMayManage(db: Queryable, viewer: { id: string; role: string }, associationId: string) {
  await findAssociation(db, associationId)
  if (viewer.role === 'admin') return
  if (!(await isAssociationMember(db, viewer.id, associationId))) {
    throw Problem.forbidden('Only members of this association and admins may do this.')
  }
}

export async function updateAssociation(db: Database, id: string, patch: AssociationPatch) {
  await assertVocabulary(db, patch, '/body')
  const values = columns(patch)
  const [row] = await db
    .update(associations)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(associations.id, id))
    .returning()
  if (!row) throw Problem.notFound('association')
  return privateAssociation(row)
}

const FOLD = new Map([...SEARCH_FOLD_FROM].map((c, i) => [c, SEARCH_FOLD_TO[i]]))

/** The words of a directory search, folded like the `search` column, so "Türk" finds "Türkischer" and "turk". */
export function directoryWords(q: string): string[] {
  const folded = [...q.toLowerCase().replace(/\u0307/g, '')].map((c) => FOLD.get(c) ?? c).join('')
  return (folded.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8)
}

export interface DirectoryQuery {
  q?: string
  field?: string
  district?: string
  limit: number
  cursor?: string
}

/**
 * The public directory, by name. `q`: every word must start a word of name or description (prefix tsquery on the
 * GIN-indexed `search`); `field`: array containment on the GIN-indexed fields; `district`: equality.
 */
export async function listAssociations(db: Queryable, query: DirectoryQuery) {
  const after = query.cursor ? decodeCursor(query.cursor, ['string', 'uuid']) : undefined
  const words = query.q === undefined ? [] : directoryWords(query.q)
  if (query.q !== undefined && words.join('').length < 2) {
    throw Problem.invalidField('/querystring/q', 'needs at least 2 letters or digits')
  }
  const rows = await db
    .select()
    .from(associations)
    .where(
      and(
        // Only letters and digits reach the query text, so quoting each word is all the escaping it needs.
        words.length ? sql`${associations.search} @@ to_tsquery('simple', ${words.map((w) => `'${w}':*`).join(' & ')})` : undefined,
        query.field ? arrayContains(associations.fieldsOfActivity, [query.field]) : undefined,
        query.district ? eq(associations.district, query.district) : undefined,
        after
          ? or(
              gt(sql`lower(${associations.name})`, after[0]),
              and(eq(sql`lower(${associations.name})`, after[0]), gt(associations.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${associations.name})`), asc(associations.id))
    .limit(query.limit + 1)
  return toPage(rows, query.limit, publicAssociation, (r) => [r.name.toLowerCase(), r.id])
}

/** The associations an account belongs to, by name: `/v1/me`. */
export async function associationsOf(db: Queryable, accountId: string): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: associations.id, name: associations.name })
    .from(associationMembers)
    .innerJoin(associations, eq(associations.id, associationMembers.associationId))
    .where(eq(associationMembers.accountId, accountId))
    .orderBy(asc(sql`lower(${associations.name})`), asc(associations.id))
}

function toMember(row: { account: AccountRow; joinedAt: Date }) {
  return { ...toAccount(row.account), joinedAt: row.joinedAt.toISOString() }
}

export async function listMembers(db: Queryable, associationId: string) {
  const rows = await db
    .select({ account: accounts, joinedAt: associationMembers.createdAt })
    .from(associationMembers)
    .innerJoin(accounts, eq(accounts.id, associationMembers.accountId))
    .where(eq(associationMembers.associationId, associationId))
    .orderBy(asc(associationMembers.createdAt), asc(accounts.id))
  return { items: rows.map(toMember) }
}

/**
 * Adds a member by email: an existing account joins as it is (its role unchanged), an unknown email gets an
 * exhibitor account without a password. Either way the person gets an invitation with a login link valid for a
 * week. Membership, link and email commit together.
 */
export async function inviteMember(
  db: Database,
  config: Pick<Config, 'publicUrl'>,
  associationId: string,
  inviter: { name: string },
  input: { email: string; name: string },
  locale: Locale,
) {
  const association = await findAssociation(db, associationId)
  const email = input.email.trim()
  const attempt = () =>
    db.transaction(async (tx) => {
      let account = await findAccountByEmail(tx, email)
      const created = !account
      if (!account) {
        // a new account speaks the inviter's language until its owner chooses (PATCH /v1/me)
        ;[account] = await tx.insert(accounts).values({ email, name: input.name.trim(), role: 'exhibitor', language: locale }).returning()
      }
      const [membership] = await tx
        .insert(associationMembers)
        .values({ associationId, accountId: account.id })
        .onConflictDoNothing()
        .returning()
      if (!membership) throw Problem.conflict('already_member', 'This account is already a member of the association.')
      await enqueueEmail(tx, {
        to: account.email,
        template: 'association-invitation',
        locale: account.language,
        data: {
          name: oneLine(account.name),
          inviterName: oneLine(inviter.name),
          associationName: oneLine(association.name),
          loginUrl: await longLivedLink(tx, config, account.id),
          expiresMinutes: INVITATION_LINK_MINUTES,
        },
      })
      return { member: toMember({ account, joinedAt: membership.createdAt }), created }
    })
  try {
    return await attempt()
  } catch (err) {
    // Two invitations of one new email at once: the loser's account insert collides; the account now exists.
    if (isUniqueViolation(err, 'accounts_email_lower_key')) return attempt()
    throw err
  }
}

/** The association's row, locked: every change to its members queues behind the others of the same association. */
async function lockAssociation(tx: Queryable, id: string): Promise<AssociationRow> {
  const [row] = await tx.select().from(associations).where(eq(associations.id, id)).for('update')
  if (!row) throw Problem.notFound('association')
  return row
}

/**
 * Removes a member (by a member or an admin; a member removing themself is leaving). An association keeps at least
 * one member (409 last_member), and its contact member stays until the contact role is transferred (409
 * contact_member). The association's row is locked first, so two removals at once are counted one after the
 * other: of the last two members removing each other, one is refused. Decision record 0087.
 */
export async function removeMember(db: Database, associationId: string, accountId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const association = await lockAssociation(tx, associationId)
    const members = await tx
      .select({ accountId: associationMembers.accountId, email: accounts.email })
      .from(associationMembers)
      .innerJoin(accounts, eq(accounts.id, associationMembers.accountId))
      .where(eq(associationMembers.associationId, associationId))
    const member = members.find((m) => m.accountId === accountId)
    if (!member) throw Problem.notFound('member')
    if (members.length === 1) throw Problem.conflict('last_member', 'An association keeps at least one member; this is the last one.')
    if (member.email.toLowerCase() === association.contactEmail.toLowerCase()) {
      throw Problem.conflict('contact_member', "This member is the association's contact; transfer the contact role to another member first.")
    }
    await tx.delete(associationMembers).where(and(eq(associationMembers.associationId, associationId), eq(associationMembers.accountId, accountId)))
  })
}

/**
 * Makes another member the association's contact: the contact address becomes that member's email, so the
 * association's emails reach them, in their language. Under the association's lock, like member removal.
 */
export async function transferContact(db: Database, associationId: string, accountId: string) {
  return db.transaction(async (tx) => {
    await lockAssociation(tx, associationId)
    const [member] = await tx
      .select({ email: accounts.email })
      .from(associationMembers)
      .innerJoin(accounts, eq(accounts.id, associationMembers.accountId))
      .where(and(eq(associationMembers.associationId, associationId), eq(associationMembers.accountId, accountId)))
    if (!member) throw Problem.conflict('not_member', 'Only a member of the association can be its contact; invite them first.')
    const [row] = await tx
      .update(associations)
      .set({ contactEmail: member.email, updatedAt: sql`now()` })
      .where(eq(associations.id, associationId))
      .returning()
    return privateAssociation(row)
  })
}
