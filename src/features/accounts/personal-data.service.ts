import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { associationMembers, associations, eventOrganizers, events, magicLinks, outboxEmails, sessions, standBookings, tickets } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { exportedEmail } from '../../mail/email-export.js'
import { privateAssociation } from '../associations/associations.service.js'
import { findAccountById, toAccount } from './accounts.service.js'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/**
 * Everything stored about the person behind an account (GDPR art. 15 and 20): the account (never its password
 * hash), when its sessions and emailed links were made (never their hashes), the events it organizes, each
 * association it belongs to with the full profile, that association's stand bookings and the passes they hold,
 * and every email to its address with the data it was made from, minus the tokens.
 */
export async function accountPersonalData(db: Queryable, accountId: string) {
  const account = await findAccountById(db, accountId)
  if (!account) throw Problem.unauthenticated()
  const [sessionRows, linkRows, eventRows, memberRows, emailRows] = await Promise.all([
    db
      .select({ via: sessions.via, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(eq(sessions.accountId, accountId))
      .orderBy(asc(sessions.createdAt), asc(sessions.id)),
    db
      .select({ purpose: magicLinks.purpose, createdAt: magicLinks.createdAt, expiresAt: magicLinks.expiresAt, usedAt: magicLinks.usedAt })
      .from(magicLinks)
      .where(eq(magicLinks.accountId, accountId))
      .orderBy(asc(magicLinks.createdAt), asc(magicLinks.id)),
    db
      .select({ id: events.id, slug: events.slug, title: events.title, assignedAt: eventOrganizers.createdAt })
      .from(eventOrganizers)
      .innerJoin(events, eq(events.id, eventOrganizers.eventId))
      .where(eq(eventOrganizers.accountId, accountId))
      .orderBy(asc(events.startsAt), asc(events.id)),
    db
      .select({ association: associations, joinedAt: associationMembers.createdAt })
      .from(associationMembers)
      .innerJoin(associations, eq(associations.id, associationMembers.associationId))
      .where(eq(associationMembers.accountId, accountId))
      .orderBy(asc(associationMembers.createdAt), asc(associations.id)),
    db
      .select()
      .from(outboxEmails)
      .where(eq(sql`lower(${outboxEmails.toAddress})`, account.email.toLowerCase()))
      .orderBy(asc(outboxEmails.createdAt), asc(outboxEmails.id)),
  ])
  const associationIds = memberRows.map((m) => m.association.id)
  const bookingRows = associationIds.length
    ? await db
        .select({ id: standBookings.id, associationId: standBookings.associationId, eventId: standBookings.eventId, status: standBookings.status, createdAt: standBookings.createdAt })
        .from(standBookings)
        .where(inArray(standBookings.associationId, associationIds))
        .orderBy(asc(standBookings.createdAt), asc(standBookings.id))
    : []
  const passRows = bookingRows.length
    ? await db
        .select({ id: tickets.id, bookingId: tickets.bookingId, holderName: tickets.holderName, revokedAt: tickets.revokedAt })
        .from(tickets)
        .where(and(eq(tickets.kind, 'exhibitor'), inArray(tickets.bookingId, bookingRows.map((b) => b.id))))
        .orderBy(asc(tickets.createdAt), asc(tickets.id))
    : []
  return {
    exportedAt: new Date().toISOString(),
    account: { ...toAccount(account), emailVerifiedAt: iso(account.emailVerifiedAt), deactivatedAt: iso(account.deactivatedAt) },
    sessions: sessionRows.map((s) => ({ via: s.via, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString(), revokedAt: iso(s.revokedAt) })),
    links: linkRows.map((l) => ({ purpose: l.purpose, createdAt: l.createdAt.toISOString(), expiresAt: l.expiresAt.toISOString(), usedAt: iso(l.usedAt) })),
    events: eventRows.map((e) => ({ id: e.id, slug: e.slug, title: e.title, assignedAt: e.assignedAt.toISOString() })),
    associations: memberRows.map((m) => ({
      joinedAt: m.joinedAt.toISOString(),
      isContact: m.association.contactEmail.toLowerCase() === account.email.toLowerCase(),
      association: privateAssociation(m.association) as Record<string, unknown>,
      bookings: bookingRows
        .filter((b) => b.associationId === m.association.id)
        .map((b) => ({
          id: b.id,
          eventId: b.eventId,
          status: b.status,
          createdAt: b.createdAt.toISOString(),
          passes: passRows.filter((p) => p.bookingId === b.id).map((p) => ({ id: p.id, holderName: p.holderName, revokedAt: iso(p.revokedAt) })),
        })),
    })),
    emails: emailRows.map(exportedEmail),
  }
}
