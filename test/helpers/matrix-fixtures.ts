import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { magicLinks, meetings, sessions, tickets, type MeetingStatus } from '../../src/db/schema.js'
import { issueMagicLink } from '../../src/features/auth/magic-link.service.js'
import { startSession } from '../../src/features/auth/sessions.service.js'
import { findAccountById } from '../../src/features/accounts/accounts.service.js'
import { newToken } from '../../src/features/auth/tokens.js'
import { eventKey, signTicketCode } from '../../src/features/tickets/ticket-codes.js'
import { addMember, insertAssociation, insertBooking, inviteCoExhibitor } from './exhibitors.js'
import { bearer, must, standsSetup, type Auth, type Json, type StandsSetup } from './stands.js'
import type { Registered } from './door.js'

/**
 * The callers of the authorisation matrix (issue #7), each relative to "this" event A, "this" registration and
 * "this" association X. Every one holds a live credential, except `anonymous`.
 */
export const CALLERS = [
  'anonymous',
  'visitor', // the vmr_ manage token of the registration concerned
  'otherVisitor', // the vmr_ token of another registration of the same event
  'scanner', // a vmd_ scanner of event A
  'otherScanner', // a vmd_ scanner of event B
  'exhibitor', // a member of association X (the one concerned)
  'otherExhibitor', // a member of association Y only
  'otherOrganizer', // an organizer of event B only
  'organizer', // an organizer of event A
  'admin',
] as const
export type Caller = (typeof CALLERS)[number]

export interface Account {
  id: string
  auth: Auth
}

export interface MatrixFixtures {
  s: StandsSetup
  /** event A (published, stand booking open), with organizer `organizer`; event B with `otherOrganizer` */
  eventA: Json
  eventB: Json
  /** a draft event with `organizer` assigned and its own scanner (set up before publishing) */
  draft: { event: Json; scanner: Auth }
  accounts: Record<'admin' | 'organizer' | 'otherOrganizer' | 'exhibitor' | 'otherExhibitor' | 'spareOrganizer', Account>
  /** the registration concerned (A) and another one of A */
  registration: Registered
  otherRegistration: Registered
  scannerA: Json & { auth: Auth }
  scannerB: Json & { auth: Auth }
  /** association X (member `exhibitor`) with an approved booking on a stand of A, and its passes */
  associationX: { id: string }
  associationY: { id: string }
  bookingX: Json
  standX: Json
  passX: { id: string }
  /** the default credential of each caller */
  auth: Record<Caller, Auth | undefined>
  /** a fresh session of an account caller (for logout, which revokes the one it is sent with) */
  freshSession(caller: Caller): Promise<Auth | undefined>
  /** a room of A and a published session in it */
  roomA: Json
  sessionA: Json
  freshRoom(): Promise<Json>
  /** a session of A in a fresh room, at a minute of its own (so one registration may reserve any two), published unless `publish: false` */
  freshProgramSession(publish?: boolean): Promise<Json>
  /** a new confirmed registration of A; its manage token is the `visitor` of a cell about it */
  freshRegistration(): Promise<Registered>
  /** a new event with `organizer` assigned and a scanner of its own, published unless `publish: false` */
  freshEvent(publish?: boolean): Promise<{ event: Json; scanner: Auth }>
  freshScanner(): Promise<Json>
  /** a draft session of A (sessionA is the published one) */
  draftSessionA: Json
  freshStand(): Promise<Json>
  /** a new association with `exhibitor` as member, and a booking of A in `status` (written as the workflow leaves it) */
  freshBooking(status?: 'requested' | 'waitlisted'): Promise<{ id: string; associationId: string }>
  /** a new association with `exhibitor` as member */
  freshAssociation(): Promise<{ id: string }>
  /** a new exhibitor pass of booking X */
  freshPass(): Promise<{ id: string }>
  /** a new co-exhibitor invitation to booking X; the token of its link */
  freshCoExhibitorToken(): Promise<string>
  /** a new association exhibiting at A (approved on a fresh stand), with no member among the callers */
  freshExhibitor(): Promise<{ id: string }>
  /** a new meeting at A from a fresh association to X, in `status` (scheduled ones began a minute ago) */
  freshMeeting(status?: MeetingStatus): Promise<{ id: string }>
  /** a slot start of A's meetings that has not begun */
  meetingSlot: string
  /** a new live magic link of the admin; its vml_ token */
  freshMagicLink(): Promise<string>
  /** a new exhibitor account, for the admin's account actions */
  freshAccount(): Promise<{ id: string }>
  /** the id of a new session of an account caller (a random id for the others) */
  freshSessionId(caller: Caller): Promise<string>
  /** a new exhibitor account and the vml_ token of its emailed erasure confirmation */
  freshErasureToken(): Promise<string>
  /** a new member of association X; its account id */
  freshMemberX(): Promise<string>
  /** an account to log in with: email and password */
  login: { email: string; password: string }
}

let counter = 0
const next = () => `${++counter}-${randomUUID().slice(0, 8)}`

/** Two events with everything the routes act on, built through the API where the API builds it. */
export async function matrixFixtures(t: Test): Promise<MatrixFixtures> {
  const s = await standsSetup(t)
  const { ctx, inject, admin, organizer } = s
  const otherOrganizer = await ctx.account('organizer')
  const spareOrganizer = await ctx.account('organizer')

  const eventA = await s.event()
  const eventB = await s.event()
  // s.event() assigns `organizer`; event B belongs to the other organizer only.
  must(await inject('PUT', `/v1/events/${eventB.id}/organizers/${otherOrganizer.id}`, admin.auth), 200)
  must(await inject('DELETE', `/v1/events/${eventB.id}/organizers/${organizer.id}`, admin.auth), 204)

  const draftEvent = await s.event({}, { publish: false })
  const draftScanner = await s.scanner(draftEvent.id)
  const registration = await s.register(eventA.id)
  const otherRegistration = await s.register(eventA.id)
  await s.register(eventB.id)
  const scannerA = await s.scanner(eventA.id)
  const scannerB = must(await inject('POST', `/v1/events/${eventB.id}/scanners`, otherOrganizer.auth, { label: 'B', gate: 'South' }), 201)

  const x = await s.association('Kulturverein X')
  const y = await s.association('Sportverein Y')
  await s.book(eventB.id, y)
  const standX = await s.stand(eventA.id)
  const requested = await s.book(eventA.id, x, { staffPasses: 2 })
  const bookingX = must(await inject('POST', `/v1/stand-bookings/${requested.id}/approve`, organizer.auth, { standId: standX.id }), 200)
  const passes = must(await inject('GET', `/v1/stand-bookings/${bookingX.id}/passes`, organizer.auth), 200) as Json[]
  if (!passes.length) throw new Error('approving issued no passes')

  // Event A has meetings: one window of two hours from its start, 20-minute slots, one table.
  const meetingsStart = new Date(eventA.startsAt).getTime()
  must(
    await inject('PATCH', `/v1/events/${eventA.id}`, organizer.auth, {
      meetings: { enabled: true, tables: 1, windows: [{ startsAt: eventA.startsAt, endsAt: new Date(meetingsStart + 2 * 3600_000).toISOString() }] },
    }),
    200,
  )

  const accounts = {
    admin: { id: admin.id, auth: admin.auth },
    organizer: { id: organizer.id, auth: organizer.auth },
    otherOrganizer: { id: otherOrganizer.id, auth: otherOrganizer.auth },
    exhibitor: { id: x.member.id, auth: x.member.auth },
    otherExhibitor: { id: y.member.id, auth: y.member.auth },
    spareOrganizer: { id: spareOrganizer.id, auth: spareOrganizer.auth },
  }
  const auth: Record<Caller, Auth | undefined> = {
    anonymous: undefined,
    visitor: bearer(registration.manageToken),
    otherVisitor: bearer(otherRegistration.manageToken),
    scanner: scannerA.auth,
    otherScanner: bearer(scannerB.token),
    exhibitor: accounts.exhibitor.auth,
    otherExhibitor: accounts.otherExhibitor.auth,
    otherOrganizer: accounts.otherOrganizer.auth,
    organizer: accounts.organizer.auth,
    admin: accounts.admin.auth,
  }

  let minute = 0
  const freshRoom = async () => must(await inject('POST', `/v1/events/${eventA.id}/rooms`, organizer.auth, { name: `Raum ${next()}`, capacity: 100 }), 201)
  const freshProgramSession = async (publish = true) => {
    const room = await freshRoom()
    const at = (m: number) => new Date(Date.parse(eventA.startsAt) + m * 60_000).toISOString()
    const m = ++minute
    const session = must(
      await inject('POST', `/v1/events/${eventA.id}/sessions`, organizer.auth, { title: `Forum ${m}`, kind: 'forum', topics: ['culture'], languages: ['de'], roomId: room.id, startsAt: at(m), endsAt: at(m + 1), waitlist: true }),
      201,
    )
    return publish ? must(await inject('POST', `/v1/sessions/${session.id}/publish`, organizer.auth), 200) : session
  }
  const sessionA = await freshProgramSession()
  const roomA = must(await inject('GET', `/v1/events/${eventA.id}/rooms`), 200).items.find((r: Json) => r.id === sessionA.room.id)
  const draftSessionA = await freshProgramSession(false)

  const freshAssociation = async () => {
    const row = await insertAssociation(ctx.db, { name: `Verein ${next()}`, fieldsOfActivity: ['culture'] })
    await addMember(ctx.db, row.id, accounts.exhibitor.id)
    return { id: row.id }
  }

  return {
    s,
    eventA,
    eventB,
    draft: { event: draftEvent, scanner: draftScanner.auth },
    accounts,
    registration,
    otherRegistration,
    scannerA,
    scannerB: { ...scannerB, auth: bearer(scannerB.token) },
    draftSessionA,
    associationX: { id: x.id },
    associationY: { id: y.id },
    bookingX,
    standX,
    passX: { id: passes[0].id },
    auth,
    login: { email: spareOrganizer.email, password: 'correct horse battery' },
    async freshSession(caller) {
      if (!(caller in accounts)) return auth[caller]
      const row = await findAccountById(ctx.db, accounts[caller as keyof typeof accounts].id)
      return bearer(await startSession(ctx.db, row!))
    },
    roomA,
    sessionA,
    freshRoom,
    freshProgramSession,
    freshRegistration: () => s.register(eventA.id),
    async freshEvent(publish = true) {
      const event = await s.event({}, { publish: false })
      const scanner = await s.scanner(event.id)
      return { event: publish ? must(await inject('POST', `/v1/events/${event.id}/publish`, admin.auth), 200) : event, scanner: scanner.auth }
    },
    freshScanner: () => s.scanner(eventA.id, { label: `Phone ${next()}` }),
    freshStand: () => s.stand(eventA.id),
    async freshBooking(status = 'requested') {
      const association = await freshAssociation()
      const row = await insertBooking(ctx.db, eventA.id, association.id, status)
      return { id: row.id, associationId: association.id }
    },
    freshAssociation,
    async freshPass() {
      const id = randomUUID()
      const code = signTicketCode(id, await eventKey(ctx.db, eventA.id))
      await ctx.db.insert(tickets).values({ id, eventId: eventA.id, kind: 'exhibitor', registrationId: null, bookingId: bookingX.id, holderName: null, admits: 1, code })
      return { id }
    },
    async freshCoExhibitorToken() {
      const co = await insertAssociation(ctx.db, { name: `Mitaussteller ${next()}` })
      return inviteCoExhibitor(ctx.db, bookingX.id, co.id)
    },
    meetingSlot: new Date(meetingsStart + 20 * 60_000).toISOString(),
    async freshExhibitor() {
      const row = await insertAssociation(ctx.db, { name: `Aussteller ${next()}` })
      const booking = await insertBooking(ctx.db, eventA.id, row.id, 'requested')
      must(await inject('POST', `/v1/stand-bookings/${booking.id}/approve`, organizer.auth, { standId: (await s.stand(eventA.id)).id }), 200)
      return { id: row.id }
    },
    async freshMeeting(status = 'requested') {
      const from = await insertAssociation(ctx.db, { name: `Gast ${next()}` })
      const timed = status === 'scheduled' || status === 'held'
      const [row] = await ctx.db
        .insert(meetings)
        .values({
          eventId: eventA.id,
          fromAssociationId: from.id,
          toAssociationId: x.id,
          status,
          ...(timed ? { startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 19 * 60_000), placeKind: 'table' as const, placeCode: 'T1' } : {}),
        })
        .returning()
      return { id: row.id }
    },
    freshAccount: () => ctx.account('exhibitor'),
    async freshSessionId(caller) {
      if (!(caller in accounts)) return randomUUID()
      const [row] = await ctx.db
        .insert(sessions)
        .values({ accountId: accounts[caller as keyof typeof accounts].id, tokenHash: newToken('vms_').hash, expiresAt: new Date(Date.now() + 60 * 60_000) })
        .returning({ id: sessions.id })
      return row.id
    },
    async freshErasureToken() {
      const account = await ctx.account('exhibitor')
      return ctx.db.transaction((tx) => issueMagicLink(tx, account.id, 60, 'erase'))
    },
    async freshMemberX() {
      const account = await ctx.account('exhibitor')
      await addMember(ctx.db, x.id, account.id)
      return account.id
    },
    async freshMagicLink() {
      const { token, hash } = newToken('vml_')
      await ctx.db.insert(magicLinks).values({ accountId: admin.id, tokenHash: hash, expiresAt: new Date(Date.now() + 10 * 60_000) })
      return token
    },
  }
}
