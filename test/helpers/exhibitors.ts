import { randomBytes } from 'node:crypto'
import { associationMembers, associations, coExhibitors, standBookings, stands } from '../../src/db/schema.js'
import type { Database } from '../../src/db/client.js'
import { hashToken } from '../../src/features/auth/tokens.js'
import { eventBody, type TestContext } from './app.js'

/**
 * Exhibitors straight into the database: these tests are about reading approved bookings, not about the booking
 * workflow that produces them (tested on its own), so rows are written as the workflow leaves them.
 */
export interface AssociationFixture {
  name: string
  district?: string
  fieldsOfActivity?: string[]
  targetGroups?: string[]
  migrantOrganization?: boolean
  contactEmail?: string
}

let counter = 0

export async function insertAssociation(db: Database, a: AssociationFixture) {
  const [row] = await db
    .insert(associations)
    .values({
      name: a.name,
      district: a.district ?? 'hombruch',
      fieldsOfActivity: a.fieldsOfActivity ?? [],
      targetGroups: a.targetGroups ?? [],
      languages: ['de'],
      migrantOrganization: a.migrantOrganization ?? false,
      description: `${a.name} stellt sich vor.`,
      contactEmail: a.contactEmail ?? `contact-${++counter}-${process.pid}@example.org`,
      contactPhone: '+49 231 000000',
      registerNumber: `VR ${counter}`,
    })
    .returning()
  return row
}

export async function insertStand(db: Database, eventId: string, code: string, area: string | null = 'Halle 1') {
  const [row] = await db.insert(stands).values({ eventId, code, area }).returning()
  return row
}

export async function insertBooking(
  db: Database,
  eventId: string,
  associationId: string,
  status: (typeof standBookings.$inferInsert)['status'],
  standId: string | null = null,
) {
  const [row] = await db.insert(standBookings).values({ eventId, associationId, status, standId }).returning()
  return row
}

/** An association with an approved booking on a new stand `code`. */
export async function insertExhibitor(db: Database, eventId: string, code: string, a: AssociationFixture) {
  const association = await insertAssociation(db, a)
  const stand = await insertStand(db, eventId, code)
  const booking = await insertBooking(db, eventId, association.id, 'approved', stand.id)
  return { association, stand, booking }
}

/** A co-exhibitor invitation as the booking feature creates it; returns the token of its emailed link. */
export async function inviteCoExhibitor(db: Database, bookingId: string, associationId: string, status: 'invited' | 'confirmed' | 'declined' = 'invited') {
  const token = randomBytes(32).toString('base64url')
  await db.insert(coExhibitors).values({ bookingId, associationId, status, tokenHash: hashToken(token) })
  return token
}

export async function addMember(db: Database, associationId: string, accountId: string) {
  await db.insert(associationMembers).values({ associationId, accountId })
}

/** A published event and the admin who created it. */
export async function publishedEvent(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  const admin = await ctx.account('admin')
  const created = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody(overrides) })
  if (created.statusCode !== 201) throw new Error(`event: ${created.body}`)
  const event = created.json() as { id: string; slug: string }
  const published = await ctx.app.inject({ method: 'POST', url: `/v1/events/${event.id}/publish`, headers: admin.auth })
  if (published.statusCode !== 200) throw new Error(`publish: ${published.body}`)
  return { event, admin }
}
