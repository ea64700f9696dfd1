import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { randomUUID } from 'node:crypto'
import { tickets } from '../../src/db/schema.js'
import { eventKey, signTicketCode } from '../../src/features/tickets/ticket-codes.js'
import { build, eventBody, type TestContext } from './app.js'

export type Json = Record<string, any>
export type Auth = { authorization: string }
export const bearer = (token: string): Auth => ({ authorization: `Bearer ${token}` })

/** The body of an answer with the expected status; throws with the body otherwise, so a setup step cannot fail silently. */
export function must(res: LightMyRequestResponse, status: number): Json {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 600)}`)
  return res.body ? res.json() : {}
}

export interface Registered {
  id: string
  manageToken: string
  name: string
  email: string
  partySize: number
  ticket: { id: string; code: string }
}

export interface Door {
  ctx: TestContext
  admin: Awaited<ReturnType<TestContext['account']>>
  organizer: Awaited<ReturnType<TestContext['account']>>
  inject(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers?: Record<string, string>, payload?: unknown): Promise<LightMyRequestResponse>
  /** a published event with `organizer` assigned; `publish: false` leaves a draft */
  event(overrides?: Record<string, unknown>, options?: { publish?: boolean }): Promise<Json>
  register(eventId: string, partySize?: number, name?: string, email?: string): Promise<Registered>
  /** a ticket of kind exhibitor written directly (stand bookings, which issue them, come with issue #6) */
  exhibitorPass(eventId: string, holderName?: string | null): Promise<{ id: string; code: string }>
  scanner(eventId: string, body?: Record<string, unknown>): Promise<Json & { auth: Auth }>
  checkin(eventId: string, auth: Auth, body: Record<string, unknown>): Promise<LightMyRequestResponse>
  /** checkin() that must answer 200; its body */
  scan(eventId: string, auth: Auth, body: Record<string, unknown>): Promise<Json>
  batch(eventId: string, auth: Auth, scans: Record<string, unknown>[]): Promise<LightMyRequestResponse>
  occupancy(eventId: string, auth: Auth): Promise<Json>
}

let people = 0

export async function doorSetup(t: Test, env: Record<string, string> = {}): Promise<Door> {
  const ctx = await build(t, env)
  const admin = await ctx.account('admin')
  const organizer = await ctx.account('organizer')
  const inject: Door['inject'] = (method, url, headers, payload) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  const door: Door = {
    ctx,
    admin,
    organizer,
    inject,
    async event(overrides = {}, { publish = true } = {}) {
      const e = must(await inject('POST', '/v1/events', admin.auth, eventBody({ visitorCapacity: 100, ...overrides })), 201)
      must(await inject('PUT', `/v1/events/${e.id}/organizers/${organizer.id}`, admin.auth), 200)
      return publish ? must(await inject('POST', `/v1/events/${e.id}/publish`, admin.auth), 200) : e
    },
    async register(eventId, partySize = 1, name, email) {
      const n = ++people
      const body = { email: email ?? `guest-${n}-${randomUUID().slice(0, 6)}@example.org`, name: name ?? `Guest ${n}`, partySize, consent: { privacy: true } }
      const res = must(await inject('POST', `/v1/events/${eventId}/registrations`, undefined, body), 201)
      if (res.status !== 'confirmed') throw new Error(`registration ${res.status}`)
      return { id: res.id, manageToken: res.manageToken, name: body.name, email: body.email, partySize, ticket: res.ticket }
    },
    async exhibitorPass(eventId, holderName = 'Stand crew') {
      const id = randomUUID()
      const code = signTicketCode(id, await eventKey(ctx.db, eventId))
      await ctx.db.insert(tickets).values({ id, eventId, kind: 'exhibitor', registrationId: null, holderName, admits: 1, code })
      return { id, code }
    },
    async scanner(eventId, body = { label: 'Phone', gate: 'North' }) {
      const res = must(await inject('POST', `/v1/events/${eventId}/scanners`, organizer.auth, body), 201)
      return { ...res, auth: bearer(res.token) }
    },
    checkin: (eventId, auth, body) => inject('POST', `/v1/events/${eventId}/checkins`, auth, body),
    async scan(eventId, auth, body) {
      return must(await door.checkin(eventId, auth, body), 200)
    },
    batch: (eventId, auth, scans) => inject('POST', `/v1/events/${eventId}/checkins/batch`, auth, { scans }),
    async occupancy(eventId, auth) {
      return must(await inject('GET', `/v1/events/${eventId}/occupancy`, auth), 200)
    },
  }
  return door
}
