/*
 * `POST /v1/events/{eventId}/meetings/schedule`: reads the fair's accepted meetings and what is taken, asks the
 * pure scheduler (scheduler.ts) where each goes, and stores the placements one meeting at a time through the
 * same claims as an accept, so a meeting scheduled by hand meanwhile wins and the scheduler's one is left over.
 * Organizers' runs are serialised by a lock on the event row.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database } from '../../db/client.js'
import { associations, events, meetingClaims, meetingHistory, meetings, type EventRow } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { pgError } from '../../db/errors.js'
import { enqueueEmails } from '../../mail/outbox.js'
import { exhibitorStands, placeCandidates, scheduledEmails } from './meetings.service.js'
import { schedule, type SchedulerInput } from './scheduler.js'
import { meetingSlots, tableCodes, type Slot } from './slots.js'

/** What the pure scheduler needs: future slots, the accepted meetings, and who is busy when. */
export async function schedulerInput(db: Database, event: EventRow, now = new Date()): Promise<{ input: SchedulerInput; slots: Slot[] }> {
  const slots = meetingSlots(event.meetings).filter((s) => s.startsAt > now)
  const accepted = await db.select().from(meetings).where(and(eq(meetings.eventId, event.id), eq(meetings.status, 'accepted')))
  const ids = [...new Set(accepted.flatMap((m) => [m.fromAssociationId, m.toAssociationId]))]
  const [standsOf, migrant, claims] = await Promise.all([
    exhibitorStands(db, event.id, ids),
    ids.length ? db.select({ id: associations.id, m: associations.migrantOrganization }).from(associations).where(inArray(associations.id, ids)) : [],
    db.select().from(meetingClaims).where(eq(meetingClaims.eventId, event.id)),
  ])
  const isMigrant = new Map(migrant.map((r) => [r.id, r.m]))
  const busy = new Map<string, Set<number>>()
  for (const c of claims) {
    slots.forEach((s, i) => {
      if (c.startsAt < s.endsAt && c.endsAt > s.startsAt) {
        let set = busy.get(c.holder)
        if (!set) busy.set(c.holder, (set = new Set()))
        set.add(i)
      }
    })
  }
  const input: SchedulerInput = {
    slots: slots.length,
    busy,
    tables: tableCodes(event.meetings.tables).map((c) => `table:${c}`),
    meetings: accepted.map((m) => ({
      id: m.id,
      a: m.fromAssociationId,
      b: m.toAssociationId,
      bridge: isMigrant.get(m.fromAssociationId) !== isMigrant.get(m.toAssociationId),
      places: placeCandidates(standsOf.get(m.fromAssociationId)?.standId, standsOf.get(m.toAssociationId)?.standId, 0).map((p) => p.holder),
    })),
  }
  return { input, slots }
}

export async function runScheduler(db: Database, config: Pick<Config, 'publicUrl'>, event: EventRow, actorAccountId: string) {
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(events).where(eq(events.id, event.id)).for('update')
    if (!locked) throw Problem.notFound('event')
    const { input, slots } = await schedulerInput(tx as Database, locked)
    const result = schedule(input)
    const standsOf = await exhibitorStands(tx, locked.id)
    const codeOf = new Map([...standsOf.values()].map((s) => [`stand:${s.standId}`, s.code]))
    const unplaced = [...result.unplaced]
    let scheduled = 0
    for (const p of result.placed) {
      const slot = slots[p.slot]
      const [m] = await tx.select().from(meetings).where(eq(meetings.id, p.meetingId))
      const pair = [m.fromAssociationId, m.toAssociationId].sort()
      const base = { meetingId: m.id, eventId: m.eventId, startsAt: slot.startsAt, endsAt: slot.endsAt }
      try {
        await tx.transaction(async (sp) => {
          await sp.insert(meetingClaims).values([...pair.map((id) => ({ ...base, holder: `association:${id}` })), { ...base, holder: p.place }])
        })
      } catch (err) {
        // an accept or reschedule took the time since the read: this one waits for the next run
        if (pgError(err).code !== '23P01') throw err
        unplaced.push({ meetingId: m.id, reason: 'no_place' })
        continue
      }
      scheduled++
      const kind = p.place.startsWith('stand:') ? ('stand' as const) : ('table' as const)
      const [updated] = await tx
        .update(meetings)
        .set({
          status: 'scheduled',
          startsAt: slot.startsAt,
          endsAt: slot.endsAt,
          placeKind: kind,
          placeCode: kind === 'stand' ? codeOf.get(p.place)! : p.place.slice('table:'.length),
          updatedAt: new Date(),
        })
        .where(and(eq(meetings.id, m.id), eq(meetings.status, 'accepted')))
        .returning()
      await tx.insert(meetingHistory).values({ meetingId: m.id, fromStatus: 'accepted', toStatus: 'scheduled', startsAt: slot.startsAt, actorAccountId })
      await enqueueEmails(tx, await scheduledEmails(tx, config, locked, updated))
    }
    return { scheduled, unplaced }
  })
}
