import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { prepared } from '../../db/prepared.js'
import { sharedRead } from '../../db/shared-reads.js'
import { accounts, eventOrganizers, events, type EventRow } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { UUID_PATTERN } from '../../http/schemas.js'
import type { AccountRow } from '../accounts/accounts.service.js'

// Finding an event and who may see and manage it: every feature asks here, so the rule is written once.

/** `{eventId}` in every path is the id or the slug. */
export async function findEvent(db: Database, idOrSlug: string): Promise<EventRow | undefined> {
  // The hottest read of the service (every event route), hence prepared once per database.
  const [row] = UUID_PATTERN.test(idOrSlug)
    ? await prepared(db, 'event_by_id', (d) =>
        d.select().from(events).where(eq(events.id, sql.placeholder('id'))).limit(1).prepare('event_by_id'),
      ).execute({ id: idOrSlug.toLowerCase() })
    : await prepared(db, 'event_by_slug', (d) =>
        d.select().from(events).where(eq(events.slug, sql.placeholder('slug'))).limit(1).prepare('event_by_slug'),
      ).execute({ slug: idOrSlug })
  return row
}

/**
 * findEvent for the registration route, whose batch reads the event again under its row lock before it decides:
 * concurrent registrations share one read in flight (db/shared-reads.ts) instead of a round trip each.
 */
export function findEventShared(db: Database, idOrSlug: string): Promise<EventRow | undefined> {
  return sharedRead(db, `event:${idOrSlug}`, () => findEvent(db, idOrSlug))
}

export async function isOrganizerOf(db: Queryable, accountId: string, eventId: string): Promise<boolean> {
  const row = await db.query.eventOrganizers.findFirst({
    where: and(eq(eventOrganizers.eventId, eventId), eq(eventOrganizers.accountId, accountId)),
    columns: { eventId: true },
  })
  return row !== undefined
}

/** The accounts assigned to an event as its organizers, by name. */
export async function organizersOf(db: Queryable, eventId: string): Promise<AccountRow[]> {
  const rows = await db
    .select({ account: accounts })
    .from(eventOrganizers)
    .innerJoin(accounts, eq(accounts.id, eventOrganizers.accountId))
    .where(eq(eventOrganizers.eventId, eventId))
    .orderBy(asc(accounts.name), asc(accounts.id))
  return rows.map((r) => r.account)
}

// The public learns of a cancellation through the same link that showed the fair, so a cancelled
// event that had been published stays readable; a draft never is.
const publiclyVisible = (row: EventRow) => row.publishedAt !== null

/** Staff of an event: admins and the organizers assigned to it. The one place that says so. */
export async function isEventStaff(db: Queryable, principal: Principal | null, eventId: string): Promise<boolean> {
  if (principal?.kind !== 'account') return false
  if (principal.account.role === 'admin') return true
  return principal.account.role === 'organizer' && isOrganizerOf(db, principal.account.id, eventId)
}

/**
 * Loads an event for reading or managing. Someone who may not know that an event exists gets 404;
 * someone who can see it but not manage it gets 403; a missing token on a manage route gets 401.
 */
export async function loadEvent(
  db: Database,
  principal: Principal | null,
  idOrSlug: string,
  access: 'read' | 'manage',
): Promise<EventRow> {
  // A visitor's manage token is a credential too: it gets the 403/404 below, not a 401.
  if (access === 'manage' && !principal) throw Problem.unauthenticated()
  return checkEventAccess(db, principal, await findEvent(db, idOrSlug), access)
}

/** loadEvent's rules over a row read by another query (one that read something else with the event). */
export async function checkEventAccess<R extends EventRow>(
  db: Queryable,
  principal: Principal | null,
  row: R | undefined,
  access: 'read' | 'manage',
): Promise<R> {
  if (access === 'manage' && !principal) throw Problem.unauthenticated()
  if (!row) throw Problem.notFound('event')
  const manager = await isEventStaff(db, principal, row.id)
  if (access === 'read' && (manager || publiclyVisible(row))) return row
  if (access === 'manage' && manager) return row
  if (publiclyVisible(row)) throw Problem.forbidden('Only the organizers of this event may do this.')
  throw Problem.notFound('event')
}
