import type { Test } from 'tap'
import { and, asc, eq } from 'drizzle-orm'
import { outboxEmails, programSessions } from '../../src/db/schema.js'
import { bearer, doorSetup, must, type Auth, type Door, type Json, type Registered } from './door.js'

export { bearer, must, type Auth, type Json, type Registered }

export interface ProgramSetup extends Door {
  fair: Json
  room(body?: Record<string, unknown>): Promise<Json>
  /** a published session in `room` (draft with publish: false), from the fair's start plus `offsetMinutes` */
  session(room: Json, body?: Record<string, unknown>, options?: { publish?: boolean; offsetMinutes?: number; minutes?: number }): Promise<Json>
  reserve(reg: Registered, sessionId: string, auth?: Auth): ReturnType<Door['inject']>
  reserved(sessionId: string): Promise<number>
  emails(address: string, update?: string): Promise<(typeof outboxEmails.$inferSelect)[]>
}

let n = 0

/** A published fair with an organizer, and helpers for rooms, sessions and reservations. */
export async function programSetup(t: Test, eventOverrides: Record<string, unknown> = {}): Promise<ProgramSetup> {
  const door = await doorSetup(t)
  const { inject, organizer } = door
  const fair = await door.event({ visitorCapacity: 1000, ...eventOverrides })
  const at = (minutes: number) => new Date(Date.parse(fair.startsAt) + minutes * 60_000).toISOString()
  return {
    ...door,
    fair,
    async room(body = {}) {
      return must(await inject('POST', `/v1/events/${fair.id}/rooms`, organizer.auth, { name: `Saal ${++n}`, capacity: 50, ...body }), 201)
    },
    async session(room, body = {}, { publish = true, offsetMinutes = 0, minutes = 60 } = {}) {
      const s = must(
        await inject('POST', `/v1/events/${fair.id}/sessions`, organizer.auth, {
          title: `Forum ${++n}`,
          kind: 'forum',
          topics: ['culture'],
          languages: ['de'],
          roomId: room.id,
          startsAt: at(offsetMinutes),
          endsAt: at(offsetMinutes + minutes),
          ...body,
        }),
        201,
      )
      return publish ? must(await inject('POST', `/v1/sessions/${s.id}/publish`, organizer.auth), 200) : s
    },
    reserve: (reg, sessionId, auth) => inject('POST', `/v1/registrations/${reg.id}/sessions/${sessionId}`, auth ?? bearer(reg.manageToken)),
    async reserved(sessionId) {
      const [row] = await door.ctx.db.select().from(programSessions).where(eq(programSessions.id, sessionId))
      return row.reservedPeople
    },
    async emails(address, update) {
      const rows = await door.ctx.db
        .select()
        .from(outboxEmails)
        .where(and(eq(outboxEmails.toAddress, address), eq(outboxEmails.template, 'session-reservation')))
        .orderBy(asc(outboxEmails.createdAt), asc(outboxEmails.id))
      return update ? rows.filter((r) => (r.data as Json).update === update) : rows
    },
  }
}
