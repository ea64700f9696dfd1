import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { and, asc, eq } from 'drizzle-orm'
import { associationMembers, associations, outboxEmails } from '../../src/db/schema.js'
import { bearer, doorSetup, must, type Auth, type Door, type Json } from './door.js'

export { bearer, must, type Auth, type Json }

export interface Exhibitor {
  /** the association */
  id: string
  name: string
  contactEmail: string
  /** a member account (role exhibitor) with a session */
  member: { id: string; email: string; auth: Auth }
}

export interface StandsSetup extends Door {
  /** an association with one member account, written directly (sign-up is the associations feature's) */
  association(name?: string): Promise<Exhibitor>
  stand(eventId: string, body?: Record<string, unknown>): Promise<Json>
  book(eventId: string, exhibitor: Exhibitor, body?: Record<string, unknown>): Promise<Json>
  emailsTo(address: string): Promise<(typeof outboxEmails.$inferSelect)[]>
}

let n = 0

export async function standsSetup(t: Test, env: Record<string, string> = {}): Promise<StandsSetup> {
  const door = await doorSetup(t, env)
  const { ctx, inject, organizer } = door
  return {
    ...door,
    async association(name) {
      const i = ++n
      const contactEmail = `verein-${i}-${randomUUID().slice(0, 6)}@example.org`
      const [row] = await ctx.db
        .insert(associations)
        .values({ name: name ?? `Verein ${i}`, district: 'innenstadt-nord', migrantOrganization: i % 2 === 0, contactEmail, fieldsOfActivity: ['culture'] })
        .returning()
      const member = await ctx.account('exhibitor')
      await ctx.db.insert(associationMembers).values({ associationId: row.id, accountId: member.id })
      return { id: row.id, name: row.name, contactEmail, member: { id: member.id, email: member.email, auth: member.auth } }
    },
    async stand(eventId, body = {}) {
      return must(await inject('POST', `/v1/events/${eventId}/stands`, organizer.auth, { code: `S${++n}`, ...body }), 201)
    },
    async book(eventId, exhibitor, body = {}) {
      return must(await inject('POST', `/v1/events/${eventId}/stand-bookings`, exhibitor.member.auth, { associationId: exhibitor.id, ...body }), 201)
    },
    emailsTo: (address) =>
      ctx.db.select().from(outboxEmails).where(and(eq(outboxEmails.toAddress, address))).orderBy(asc(outboxEmails.createdAt), asc(outboxEmails.id)),
  }
}
