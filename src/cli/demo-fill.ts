/*
 * Fills a database with a living fair, through the HTTP API (app.inject on buildApp): every row is made by the
 * route a real client would call, so the demo obeys every rule the service enforces (vocabulary, stand plan
 * checks, the booking workflow, capacity and waitlist, one ok per ticket at the door). Only the rate limits are
 * off: they guard against abuse, and the demo is one trusted client sending thousands of requests.
 */
import { and, count, eq, isNotNull, sum } from 'drizzle-orm'
import { buildApp, type App } from '../app.js'
import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import { accounts, checkins, coExhibitors, meetings, outboxEmails, registrations, standBookings, stands, tickets, type MeetingStatus } from '../db/schema.js'
import { findAccountByEmail } from '../features/accounts/accounts.service.js'
import { generatePassword } from '../features/auth/passwords.js'
import { resolveSession, startSession } from '../features/auth/sessions.service.js'
import { findEvent } from '../features/events/event-access.js'
import { exhibitorStands, performMeetingAction } from '../features/meetings/meetings.service.js'
import type { BookingState } from '../features/stands/booking-states.js'
import { ASSOCIATIONS, FIRST_NAMES, LAST_NAMES, PROGRAM_ROOMS, PROGRAM_THEMES, REJECT_REASONS, STAND_AREAS, WAITLIST_REASONS, type DemoAssociation } from './demo-data.js'

export const DEMO_SLUG = 'vereinsmesse-dortmund-demo'
export const DEMO_ORGANIZER_EMAIL = 'orga@vereinsmesse-demo.example.org'

export interface DemoOptions {
  /** associations signed up, each with one stand booking (at most ASSOCIATIONS.length) */
  associations?: number
  registrations?: number
  /** people the event admits; default about 95 % of the people the registrations ask for, so some wait */
  visitorCapacity?: number
  slug?: string
  /** seed of the pseudo-random choices (names, party sizes, booking states): the same seed makes the same choices */
  seed?: number
  onProgress?: (progress: { phase: string; done: number; total: number }) => void
}

export interface DemoResult {
  event: { id: string; slug: string; title: string; visitorCapacity: number; startsAt: string }
  organizer: { email: string; password: string }
  exhibitor: { email: string; password: string; association: string }
  scanner: { label: string; token: string }
  counts: {
    associations: number
    stands: number
    bookings: Record<BookingState, number>
    coExhibitors: Record<string, number>
    passes: { issued: number; revoked: number; named: number }
    registrations: { confirmed: number; waitlisted: number; cancelled: number; confirmedPeople: number }
    checkins: { entries: number; exits: number; rejected: number; inside: number }
    meetings: Record<MeetingStatus, number> & { atTables: number }
    emailsQueued: number
  }
  ms: number
}

export class DemoExistsError extends Error {
  override name = 'DemoExistsError'
}

// ── small helpers ──────────────────────────────────────────────────────────────────────────────────────────

/** mulberry32: a tiny seeded generator, so two runs with one seed make the same choices. */
function random(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1)
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return items
  }
  return { next, int, pick, shuffle }
}

const TRANSLITERATE: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', ı: 'i', ğ: 'g', ş: 's', ç: 'c', ž: 'z', ć: 'c', č: 'c', đ: 'd' }

/** "Türkischer Elternverein Nordstadt" → "tuerkischer-elternverein-nordstadt" (for example.org addresses). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[äöüßığşçžćčđ]/g, (c) => TRANSLITERATE[c])
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index], index)
    }
  })
  await Promise.all(runners)
  return results
}

class Api {
  constructor(private readonly app: App) {}

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string>; expect?: number[] } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    const res = await this.app.inject({ method, url, headers, ...(options.body !== undefined ? { payload: options.body as object } : {}) })
    const expect = options.expect ?? [200, 201, 204]
    if (!expect.includes(res.statusCode)) throw new Error(`demo: ${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 500)}`)
    return (res.statusCode === 204 || res.body === '' ? undefined : res.json()) as T
  }
}

/** How many bookings end in each state, for n associations: every state at least once from 6 on. */
export function bookingPlan(n: number): Record<BookingState, number> {
  const share: Array<[BookingState, number]> = [
    ['waitlisted', 0.13],
    ['rejected', 0.07],
    ['withdrawn', 0.07],
    ['cancelled', 0.05],
    ['requested', 0.08],
  ]
  const plan = { approved: 0, requested: 0, waitlisted: 0, rejected: 0, withdrawn: 0, cancelled: 0 } as Record<BookingState, number>
  for (const [state, f] of share) plan[state] = Math.max(n >= 6 ? 1 : 0, Math.round(f * n))
  plan.approved = n - Object.values(plan).reduce((a, b) => a + b, 0)
  if (plan.approved < 0) throw new Error(`demo: ${n} associations are too few for every booking state`)
  return plan
}

// ── the fair ───────────────────────────────────────────────────────────────────────────────────────────────

export async function fillDemo(deps: { db: Database; config: Config }, options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now()
  const { db } = deps
  const slug = options.slug ?? DEMO_SLUG
  const associationCount = Math.min(options.associations ?? ASSOCIATIONS.length, ASSOCIATIONS.length)
  const registrationCount = options.registrations ?? 2000
  const rnd = random(options.seed ?? 2026)
  const chosen = ASSOCIATIONS.slice(0, associationCount)
  const contactEmail = (assoc: DemoAssociation) => `kontakt@${slugify(assoc.name).slice(0, 60)}.example.org`

  if (await findEvent(db, slug)) {
    throw new DemoExistsError(`The demo event "${slug}" already exists in this database; nothing was changed. Use a fresh DATA_DIR (or database) for a new demo.`)
  }
  const leftOver = (await findAccountByEmail(db, DEMO_ORGANIZER_EMAIL)) ?? (chosen[0] && (await findAccountByEmail(db, contactEmail(chosen[0]))))
  if (leftOver) {
    throw new DemoExistsError(`Accounts of an earlier demo (${leftOver.email}) are in this database, without its event; nothing was changed. Use a fresh DATA_DIR (or database) for a new demo.`)
  }
  const admin = await db.query.accounts.findFirst({ where: eq(accounts.role, 'admin') })
  if (!admin) throw new Error('demo: the database has no admin account; start the service once (or migrate) first')

  // The whole plan is decided up front, so the progress bar knows its total.
  const plan = bookingPlan(associationCount)
  const states = rnd.shuffle(Object.entries(plan).flatMap(([state, n]) => Array<BookingState>(n).fill(state as BookingState)))
  // Half the withdrawals, and every cancellation, happen after an approval: the stand is freed, the passes revoked.
  let withdrawnSeen = 0
  const approveFirst = states.map((s) => s === 'cancelled' || (s === 'withdrawn' && withdrawnSeen++ % 2 === 0))
  const parties = Array.from({ length: registrationCount }, () => {
    const r = rnd.next()
    return r < 0.35 ? 1 : r < 0.7 ? 2 : r < 0.88 ? 3 : 4
  })
  const capacity = options.visitorCapacity ?? Math.round(parties.reduce((a, b) => a + b, 0) * 0.95)
  const cancellations = Math.max(1, Math.floor(registrationCount / 100))
  const everApproved = plan.approved + approveFirst.filter(Boolean).length
  const standCount = Math.max(everApproved + 3, Math.round(associationCount * 0.8))
  const totals: Record<string, number> = {
    'event and stand plan': 4,
    'associations sign up': associationCount,
    'stand bookings': associationCount,
    'booking decisions': associationCount,
    'exhibitor passes': everApproved,
    registrations: registrationCount,
    cancellations,
    meetings: 1,
    program: PROGRAM_THEMES.length,
    // an estimate (passes, 15 % of the visitors, a fifth of them leaving, 3 twice), made exact once the registrations are in
    'door scans': plan.approved + Math.ceil(registrationCount * 0.15 * 1.2) + 3,
    'logging out': 1,
  }
  let done = 0
  let phase = ''
  const total = () => Object.values(totals).reduce((a, b) => a + b, 0)
  const tick = (n = 1) => {
    done += n
    options.onProgress?.({ phase, done, total: total() })
  }
  const enter = (name: string) => {
    phase = name
    options.onProgress?.({ phase, done, total: total() })
  }

  const app = await buildApp({ config: { ...deps.config, rateLimit: false, logLevel: 'silent' }, db })
  await app.ready()
  const api = new Api(app)
  const exhibitorTokens: string[] = []
  let adminToken: string | undefined
  try {
    // ── event, organizer, stand plan ──
    enter('event and stand plan')
    // The one session not made through the API: the admin's password is not ours to know.
    adminToken = await startSession(db, admin)
    const startsAt = new Date(Date.now() + 42 * 24 * 3600_000)
    startsAt.setUTCHours(8, 0, 0, 0) // 10:00 in Dortmund in summer, 09:00 in winter
    const event = await api.call<{ id: string; slug: string; title: string; visitorCapacity: number; startsAt: string }>('POST', '/v1/events', {
      token: adminToken,
      body: {
        slug,
        title: 'Vereinsmesse Dortmund',
        description:
          'Über 60 Vereine aus Dortmund stellen sich vor: Kultur, Sport, Bildung, Beratung und Nachbarschaft, von Eving bis Hombruch. ' +
          'Mit Bühnenprogramm, Kinderecke und Beratung in vielen Sprachen. Eintritt frei, Anmeldung erbeten.',
        venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 8 * 3600_000).toISOString(),
        timezone: 'Europe/Berlin',
        visitorCapacity: capacity,
        maxPartySize: 4,
        waitlist: true,
        reminders: [{ audience: 'visitors', minutesBefore: 24 * 60 }, { audience: 'exhibitors', minutesBefore: 3 * 24 * 60 }],
        retentionDays: 90,
      },
    })
    await api.call('POST', `/v1/events/${event.id}/publish`, { token: adminToken })
    tick()
    const organizerPassword = generatePassword()
    const organizer = await api.call<{ id: string }>('POST', '/v1/accounts', {
      token: adminToken,
      body: { email: DEMO_ORGANIZER_EMAIL, name: 'Selin Arslan (Orga-Team)', role: 'organizer', password: organizerPassword },
    })
    await api.call('PUT', `/v1/events/${event.id}/organizers/${organizer.id}`, { token: adminToken })
    tick()
    const standRows = standPlan(standCount)
    const standList = await api.call<{ items: Array<{ id: string; code: string }> }>('POST', `/v1/events/${event.id}/stands/import`, { token: adminToken, body: standRows })
    const standIds = standList.items.map((s) => s.id)
    tick()
    const scanners = await Promise.all(
      [
        { label: 'Handy 1', gate: 'Eingang Nord' },
        { label: 'Handy 2', gate: 'Eingang Süd' },
      ].map((body) => api.call<{ token: string; id: string }>('POST', `/v1/events/${event.id}/scanners`, { token: adminToken, body })),
    )
    tick()

    // ── associations sign up (a password hash each: scrypt runs on libuv's pool, four at once) ──
    enter('associations sign up')
    const passwords = chosen.map(() => generatePassword())
    const signedUp = await pool(chosen, 4, async (assoc, i) => {
      const { contact, ...profile } = assoc
      const res = await api.call<{ association: { id: string; name: string }; token: string }>('POST', '/v1/associations', {
        headers: { 'accept-language': assoc.languages[0] === 'tr' ? 'tr' : assoc.languages[0] === 'ar' ? 'ar' : 'de' },
        body: {
          association: {
            ...profile,
            address: `${pickStreet(i)}, 44${String(135 + (i % 60)).padStart(3, '0')} Dortmund`,
            website: `https://${slugify(assoc.name).slice(0, 40)}.example.org`,
            contactPhone: `0231 ${String(100000 + i * 7919).slice(0, 6)}`,
            ...(assoc.legalForm === 'e. V.' ? { registerNumber: `VR ${3000 + i * 37}` } : {}),
          },
          contact: { name: contact, email: contactEmail(assoc), password: passwords[i] },
        },
      })
      tick()
      return res
    })
    exhibitorTokens.push(...signedUp.map((s) => s.token))
    const associationIds = signedUp.map((s) => s.association.id)

    // ── one stand booking per association; some share their stand with co-exhibitors ──
    enter('stand bookings')
    // Stands are handed out in plan order to the bookings that will hold one; each booking prefers its stand and a neighbour.
    const standOf = new Map<number, string>()
    let nextStand = 0
    states.forEach((state, i) => {
      if (state === 'approved' || approveFirst[i]) standOf.set(i, standIds[nextStand++])
    })
    // Decided before the concurrent requests, so the seed alone fixes who prefers what.
    const preferences = chosen.map((_, i) =>
      standOf.has(i) ? [standOf.get(i)!, standIds[(standIds.indexOf(standOf.get(i)!) + 1) % standIds.length]] : [rnd.pick(standIds)],
    )
    // One approved booking shares its stand with two associations that hold none of their own: three exhibitors at
    // one stand, so that a meeting of two of them goes to a meeting table while the third meets at the stand.
    const tableHost = states.findIndex((state, i) => state === 'approved' && !approveFirst[i])
    const standless = chosen.map((_, i) => i).filter((i) => !standOf.has(i)).slice(0, 2)
    const bookings = await pool(chosen, 4, async (_, i) => {
      const preferred = preferences[i]
      const coExhibitorIds =
        i === tableHost && standless.length === 2
          ? standless.map((j) => associationIds[j])
          : i % 5 === 1 && associationCount > 2
            ? [associationIds[(i + 7) % associationCount], associationIds[(i + 13) % associationCount]].filter((id, k, all) => id !== associationIds[i] && all.indexOf(id) === k)
            : []
      const booking = await api.call<{ id: string }>('POST', `/v1/events/${event.id}/stand-bookings`, {
        token: signedUp[i].token,
        body: {
          associationId: associationIds[i],
          preferredStandIds: [...new Set(preferred)],
          requirements: { tables: 1 + (i % 2), chairs: 2 + (i % 3), power: i % 3 !== 0, ...(i % 4 === 0 ? { notes: 'Wir bringen einen Roll-up und Flyer in mehreren Sprachen mit.' } : {}) },
          staffPasses: 1 + (i % 4),
          ...(coExhibitorIds.length ? { coExhibitorAssociationIds: coExhibitorIds } : {}),
        },
      })
      tick()
      return booking
    })

    // Co-exhibitors answer with the token from their invitation email, as a person clicking its link would.
    const invitations = await db
      .select({ data: outboxEmails.data })
      .from(outboxEmails)
      .where(and(eq(outboxEmails.eventId, event.id), eq(outboxEmails.template, 'co-exhibitor-invitation')))
    await pool(invitations, 4, async (row, i) => {
      const token = new URL(String(row.data.confirmUrl)).searchParams.get('token')!
      const atTableHost = tableHost >= 0 && row.data.hostAssociationName === chosen[tableHost].name
      if (i % 3 === 2 && !atTableHost) return // left unanswered: still "invited"
      await api.call('POST', `/v1/co-exhibitors/${i % 5 === 4 && !atTableHost ? 'decline' : 'confirm'}`, { body: { token } })
    })

    // ── the organizers decide; some associations withdraw ──
    enter('booking decisions')
    await pool(states, 4, async (state, i) => {
      const id = bookings[i].id
      if (standOf.has(i)) await api.call('POST', `/v1/stand-bookings/${id}/approve`, { token: adminToken, body: { standId: standOf.get(i) } })
      if (state === 'waitlisted') await api.call('POST', `/v1/stand-bookings/${id}/waitlist`, { token: adminToken, body: { reason: WAITLIST_REASONS[i % WAITLIST_REASONS.length] } })
      if (state === 'rejected') await api.call('POST', `/v1/stand-bookings/${id}/reject`, { token: adminToken, body: { reason: REJECT_REASONS[i % REJECT_REASONS.length] } })
      if (state === 'withdrawn') await api.call('DELETE', `/v1/stand-bookings/${id}`, { token: signedUp[i].token })
      if (state === 'cancelled') await api.call('DELETE', `/v1/stand-bookings/${id}`, { token: adminToken })
      tick()
    })

    // ── exhibitor passes: the associations name who wears the first one ──
    enter('exhibitor passes')
    const firstPasses = await pool(states, 4, async (state, i) => {
      if (!standOf.has(i)) return null
      const passes = await api.call<Array<{ id: string; code: string; revoked: boolean }>>('GET', `/v1/stand-bookings/${bookings[i].id}/passes`, { token: signedUp[i].token })
      tick()
      if (state !== 'approved' || !passes[0]) return null
      await api.call('PATCH', `/v1/passes/${passes[0].id}`, { token: signedUp[i].token, body: { holderName: chosen[i].contact } })
      return passes[0].code
    })
    const passCodes = firstPasses.filter((code): code is string => code !== null)
    const named = passCodes.length

    // ── meetings between the exhibitors, in every state; all through the API but one step (held) ──
    enter('meetings')
    const tokenOf = new Map(signedUp.map((s) => [s.association.id, s.token]))
    const meetingsMade = await demoMeetings(api, deps, { eventId: event.id, startsAt: event.startsAt, adminToken, tokenOf, rnd })
    totals.meetings = meetingsMade
    tick(meetingsMade)

    // ── visitors register: concurrent requests of one event share a transaction (group commit) ──
    enter('registrations')
    const visitors = parties.map((partySize, i) => visitor(rnd, i, partySize))
    const registered = await pool(visitors, 64, async (body) => {
      const res = await api.call<{ id: string; status: string; manageToken: string; ticket?: { code: string } }>('POST', `/v1/events/${event.id}/registrations`, { body })
      tick()
      return res
    })

    // ── a few cancel; the waitlist moves up in the same transaction ──
    enter('cancellations')
    const confirmed = registered.filter((r) => r.status === 'confirmed')
    const cancelled = new Set<string>()
    await pool(confirmed.slice(0, cancellations), 4, async (r) => {
      await api.call('DELETE', `/v1/registrations/${r.id}`, { token: r.manageToken })
      cancelled.add(r.id)
      tick()
    })
    for (let i = confirmed.length; i < cancellations; i++) tick()

    // ── the program: a forum per theme in three rooms; a third of the visitors reserve seats (some forums fill up, some wait) ──
    enter('program')
    const rooms = await pool(PROGRAM_ROOMS, 1, (room) => api.call<{ id: string }>('POST', `/v1/events/${event.id}/rooms`, { token: adminToken, body: room }))
    const sessionIds = await pool(PROGRAM_THEMES, 1, async (theme, i) => {
      const startsAt = new Date(Date.parse(event.startsAt) + (60 + Math.floor(i / rooms.length) * 60) * 60_000)
      const session = await api.call<{ id: string }>('POST', `/v1/events/${event.id}/sessions`, {
        token: adminToken,
        body: {
          title: theme.title,
          kind: i % 4 === 3 ? 'workshop' : 'forum',
          topics: [theme.topic],
          languages: i % 3 === 0 ? ['de', 'tr'] : i % 3 === 1 ? ['de', 'ar'] : ['de'],
          roomId: rooms[i % rooms.length].id,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
          seats: i % 2 === 0 ? 6 : 20,
          waitlist: i % 4 !== 2,
          hostAssociationIds: [associationIds[i % associationIds.length]],
        },
      })
      await api.call('POST', `/v1/sessions/${session.id}/publish`, { token: adminToken })
      tick()
      return session.id
    })
    const seated = rnd.shuffle(confirmed.filter((r) => !cancelled.has(r.id))).slice(0, Math.ceil(confirmed.length / 3))
    // Two wishes each; one at the same time as another (or a full forum without a waitlist) is refused with a 409.
    await pool(seated, 8, async (r, i) => {
      for (const k of [i, i * 7 + 3]) {
        await api.call('POST', `/v1/registrations/${r.id}/sessions/${sessionIds[k % sessionIds.length]}`, { token: r.manageToken, expect: [201, 409] })
      }
    })

    // ── the door: two phones scan some visitors in (and a few out again), and the first passes of the stands ──
    const atDoor = rnd.shuffle(confirmed.filter((r) => !cancelled.has(r.id) && r.ticket)).slice(0, Math.ceil(confirmed.length * 0.15))
    type Scan = { code: string; direction: 'entry' | 'exit' }
    const entries: Scan[] = [...passCodes, ...atDoor.map((r) => r.ticket!.code)].map((code) => ({ code, direction: 'entry' }))
    // After every entry: some leave again, and a few show their ticket a second time (the door answers
    // already_checked_in); the two groups are different tickets, so their order does not matter.
    const later: Scan[] = [
      ...atDoor.filter((_, i) => i % 5 === 0).map((r): Scan => ({ code: r.ticket!.code, direction: 'exit' })),
      ...atDoor.filter((_, i) => i % 5 !== 0).slice(0, 3).map((r): Scan => ({ code: r.ticket!.code, direction: 'entry' })),
    ]
    totals['door scans'] = entries.length + later.length
    enter('door scans')
    const scanOne = async (scan: Scan, n: number) => {
      const scanner = scanners[n % scanners.length]
      await api.call('POST', `/v1/events/${event.id}/checkins`, { token: scanner.token, body: { code: scan.code, direction: scan.direction, nonce: `demo-${n}` } })
      tick()
    }
    await pool(entries, 8, scanOne)
    await pool(later, 8, (scan, n) => scanOne(scan, entries.length + n))

    enter('logging out')
    await pool(exhibitorTokens, 8, (token) => api.call('POST', '/v1/auth/logout', { token }))
    await api.call('POST', '/v1/auth/logout', { token: adminToken })
    adminToken = undefined
    tick()

    return {
      event: { id: event.id, slug: event.slug, title: event.title, visitorCapacity: event.visitorCapacity, startsAt: event.startsAt },
      organizer: { email: DEMO_ORGANIZER_EMAIL, password: organizerPassword },
      exhibitor: { email: contactEmail(chosen[0]), password: passwords[0], association: chosen[0].name },
      scanner: { label: 'Handy 1 (Eingang Nord)', token: scanners[0].token },
      counts: { ...(await countFair(db, event.id)), meetings: await countMeetings(db, event.id), associations: associationCount, passes: { ...(await countPasses(db, event.id)), named } },
      ms: performance.now() - started,
    }
  } finally {
    if (adminToken) await api.call('POST', '/v1/auth/logout', { token: adminToken }).catch(() => {})
    await app.close()
  }
}

const MEETING_MESSAGES = [
  'Wir suchen Partner für ein gemeinsames Sommerfest im Stadtteil. Sollen wir uns an Ihrem Stand kennenlernen?',
  'Ihre Hausaufgabenhilfe interessiert uns sehr; wir haben Ehrenamtliche, die mitmachen möchten.',
  'Merhaba! Wir möchten gern über eine gemeinsame Veranstaltung für Familien sprechen.',
  'Wir planen Sprachtandems und würden uns über einen Austausch freuen.',
]

/**
 * Meetings enabled (two windows of 20-minute slots, four tables), then meetings in every state: requested,
 * accepted (waiting for the scheduler), scheduled at stands (by accept, reschedule and the organizers' scheduler),
 * at a table where the stand plan allows one, declined, cancelled and held. Answers the number of meetings made.
 * Held is the one step not made through the API, which refuses it before the meeting has begun: the demo's fair lies
 * ahead, so the service is called with a clock at that meeting's time; every rule is still the service's.
 */
async function demoMeetings(
  api: Api,
  deps: { db: Database; config: Config },
  p: { eventId: string; startsAt: string; adminToken: string; tokenOf: Map<string, string>; rnd: ReturnType<typeof random> },
): Promise<number> {
  const start = Date.parse(p.startsAt)
  const hours = (h: number) => new Date(start + h * 3600_000).toISOString()
  await api.call('PATCH', `/v1/events/${p.eventId}`, {
    token: p.adminToken,
    body: { meetings: { enabled: true, slotMinutes: 20, windows: [{ startsAt: hours(1), endsAt: hours(3) }, { startsAt: hours(4), endsAt: hours(6) }], tables: 4, maxPerAssociation: 8 } },
  })
  // slots 0–5 in the first window, 6–11 in the second
  const slot = (k: number) => new Date(start + (k < 6 ? 3600_000 + k * 20 * 60_000 : 4 * 3600_000 + (k - 6) * 20 * 60_000)).toISOString()
  // Exhibitors by stand: the associations sharing one (co-exhibitors) make a table meeting possible.
  const standOf = await exhibitorStands(deps.db, p.eventId)
  const ex = [...standOf.keys()].filter((id) => p.tokenOf.has(id))
  if (ex.length < 6) return 0
  const asked = new Set<string>()
  const fresh = (x: string, y: string) => !asked.has([x, y].sort().join())
  let made = 0
  const request = async (from: string, to: string, proposedSlots: string[] = []) => {
    asked.add([from, to].sort().join())
    made++
    const body = { fromAssociationId: from, toAssociationId: to, message: p.rnd.pick(MEETING_MESSAGES), ...(proposedSlots.length ? { proposedSlots } : {}) }
    return api.call<{ id: string; status: string }>('POST', `/v1/events/${p.eventId}/meetings`, { token: p.tokenOf.get(from), body })
  }
  const act = (id: string, action: string, token: string, body: unknown = {}) => api.call<{ status: string }>('POST', `/v1/meetings/${id}/${action}`, { token, body })
  const [a, b, c, d, e, f] = ex

  await request(a, b, [slot(3)]) // requested, unanswered
  const atStand = await request(a, c, [slot(0), slot(1)])
  await act(atStand.id, 'accept', p.tokenOf.get(c)!) // scheduled at a's stand, in the first proposed slot
  const declined = await request(c, e)
  await act(declined.id, 'decline', p.tokenOf.get(e)!, { reason: 'Leider sind wir an dem Tag nur zu zweit am Stand.' })
  const held = await request(d, f)
  await act(held.id, 'accept', p.tokenOf.get(f)!, { startsAt: slot(2) })
  const moved = await request(b, e)
  await act(moved.id, 'accept', p.tokenOf.get(e)!, { startsAt: slot(4) })
  await act(moved.id, 'reschedule', p.tokenOf.get(b)!, { startsAt: slot(5) })
  const cancelled = await request(e, f)
  await act(cancelled.id, 'accept', p.tokenOf.get(f)!, { startsAt: slot(0) })
  await api.call('DELETE', `/v1/meetings/${cancelled.id}`, { token: p.tokenOf.get(e) })
  const principal = await resolveSession(deps.db, p.tokenOf.get(d)!)
  await performMeetingAction(deps.db, deps.config, principal, held.id, 'hold', {}, new Date(Date.parse(slot(2)) + 25 * 60_000))

  // A table: both associations free but their stand busy. Three exhibitors share one stand (see the bookings): one
  // meets someone else there, the other two then meet at a table, in a slot of the second window none of the above took.
  const byStand = new Map<string, string[]>()
  for (const id of ex) byStand.set(standOf.get(id)!.standId, [...(byStand.get(standOf.get(id)!.standId) ?? []), id])
  const trio = [...byStand.values()].find((ids) => ids.length >= 3)?.slice(0, 3) ?? []
  // the one at the stand, its guest, and the two at the table: pairs not asked above
  const plan = trio
    .map((host) => ({ host, guest: ex.find((id) => !trio.includes(id) && fresh(host, id)), pair: trio.filter((id) => id !== host) }))
    .find((x) => x.guest && fresh(x.pair[0], x.pair[1]))
  if (plan) {
    const tableSlot = slot(7)
    const nextDoor = await request(plan.host, plan.guest!)
    await act(nextDoor.id, 'accept', p.tokenOf.get(plan.guest!)!, { startsAt: tableSlot })
    const atTable = await request(plan.pair[0], plan.pair[1])
    await act(atTable.id, 'accept', p.tokenOf.get(plan.pair[1])!, { startsAt: tableSlot })
  }

  // The rest of the fair: each exhibitor invites one further on; most accept (into a proposed slot when one is free
  // for both), and the organizers' scheduler places the accepted ones that found none.
  for (let i = 0; i < ex.length; i++) {
    const [from, to] = [ex[i], ex[(i + 5) % ex.length]]
    if (from === to || !fresh(from, to)) continue
    const m = await request(from, to, [slot(i % 6), slot(6 + (i % 6))])
    if (i % 4 !== 3) await act(m.id, 'accept', p.tokenOf.get(to)!)
  }
  await api.call('POST', `/v1/events/${p.eventId}/meetings/schedule`, { token: p.adminToken })
  // after the scheduler: one accepted meeting stays waiting for its next run
  const pair = ex.flatMap((x) => ex.map((y) => [x, y])).find(([x, y]) => x !== y && fresh(x, y))
  if (pair) {
    const waiting = await request(pair[0], pair[1])
    await act(waiting.id, 'accept', p.tokenOf.get(pair[1])!)
  }
  return made
}

async function countMeetings(db: Database, eventId: string) {
  const byStatus = { requested: 0, accepted: 0, scheduled: 0, held: 0, declined: 0, cancelled: 0 } as Record<MeetingStatus, number>
  for (const row of await db.select({ status: meetings.status, n: count() }).from(meetings).where(eq(meetings.eventId, eventId)).groupBy(meetings.status)) {
    byStatus[row.status] = row.n
  }
  const [tables] = await db.select({ n: count() }).from(meetings).where(and(eq(meetings.eventId, eventId), eq(meetings.placeKind, 'table')))
  return { ...byStatus, atTables: tables.n }
}

const STREETS = ['Münsterstraße', 'Mallinckrodtstraße', 'Schützenstraße', 'Evinger Straße', 'Hörder Bahnhofstraße', 'Harkortstraße', 'Rheinische Straße', 'Kaiserstraße', 'Brackeler Hellweg', 'Köln-Berliner Straße', 'Limbecker Straße', 'Steinstraße']
const pickStreet = (i: number) => `${STREETS[i % STREETS.length]} ${1 + ((i * 17) % 120)}`

/** A plan in the areas of demo-data.ts, filled area by area, row by row; positions in centimetres. */
function standPlan(n: number) {
  const shares = [0.5, 0.25, 0.25]
  const perArea = shares.map((s) => Math.floor(n * s))
  perArea[0] += n - perArea.reduce((a, b) => a + b, 0)
  return STAND_AREAS.flatMap((area, k) =>
    Array.from({ length: perArea[k] }, (_, i) => {
      const col = i % area.columns
      const row = Math.floor(i / area.columns)
      return {
        code: `${area.prefix}-${String(i + 1).padStart(2, '0')}`,
        area: area.area,
        widthM: area.widthM,
        depthM: area.depthM,
        priceCents: area.priceCents,
        features: { power: i % 2 === 0, tables: 1, chairs: 2 },
        position: { x: area.origin.x + col * (area.widthM * 100 + 50), y: area.origin.y + row * (area.depthM * 100 + 150), w: area.widthM * 100, h: area.depthM * 100 },
      }
    }),
  )
}

const ACCESSIBILITY = ['Rollstuhlplatz benötigt', 'Gebärdensprachdolmetschung wäre hilfreich', 'Ich komme mit Blindenhund.', 'Bitte einen Sitzplatz in der Nähe des Eingangs.']

/** One visitor: a German, Turkish or Arabic name (a third of the Arabic ones in Arabic script), and the matching email language. */
function visitor(rnd: ReturnType<typeof random>, i: number, partySize: number) {
  const r = rnd.next()
  const origin = r < 0.45 ? 'de' : r < 0.75 ? 'tr' : 'ar'
  let name: string
  let latin: string
  let language: 'de' | 'tr' | 'ar' | 'en'
  if (origin === 'ar') {
    const [firstLatin, firstArabic] = rnd.pick(FIRST_NAMES.ar)
    const [lastLatin, lastArabic] = rnd.pick(LAST_NAMES.ar)
    latin = `${firstLatin} ${lastLatin}`
    const script = rnd.next() < 0.35
    name = script ? `${firstArabic} ${lastArabic}` : latin
    language = script || rnd.next() < 0.5 ? 'ar' : 'de'
  } else {
    latin = name = `${rnd.pick(FIRST_NAMES[origin])} ${rnd.pick(LAST_NAMES[origin])}`
    language = origin === 'tr' && rnd.next() < 0.5 ? 'tr' : rnd.next() < 0.05 ? 'en' : 'de'
  }
  const domain = ['example.org', 'example.com', 'example.net'][i % 3]
  return {
    email: `${slugify(latin).replace(/-/g, '.')}.${i + 1}@${domain}`,
    name,
    partySize,
    language,
    consent: { privacy: true as const },
    ...(i % 97 === 5 ? { accessibilityNeeds: ACCESSIBILITY[i % ACCESSIBILITY.length] } : {}),
  }
}

async function countFair(db: Database, eventId: string) {
  const bookings = { approved: 0, requested: 0, waitlisted: 0, rejected: 0, withdrawn: 0, cancelled: 0 } as Record<BookingState, number>
  for (const row of await db.select({ status: standBookings.status, n: count() }).from(standBookings).where(eq(standBookings.eventId, eventId)).groupBy(standBookings.status)) {
    bookings[row.status] = row.n
  }
  const co: Record<string, number> = {}
  for (const row of await db
    .select({ status: coExhibitors.status, n: count() })
    .from(coExhibitors)
    .innerJoin(standBookings, eq(standBookings.id, coExhibitors.bookingId))
    .where(eq(standBookings.eventId, eventId))
    .groupBy(coExhibitors.status)) {
    co[row.status] = row.n
  }
  const regs = { confirmed: 0, waitlisted: 0, cancelled: 0, confirmedPeople: 0 }
  for (const row of await db
    .select({ status: registrations.status, n: count(), people: sum(registrations.partySize) })
    .from(registrations)
    .where(eq(registrations.eventId, eventId))
    .groupBy(registrations.status)) {
    regs[row.status] = row.n
    if (row.status === 'confirmed') regs.confirmedPeople = Number(row.people)
  }
  const scans = { entries: 0, exits: 0, rejected: 0, inside: 0 }
  for (const row of await db
    .select({ direction: checkins.direction, result: checkins.result, n: count() })
    .from(checkins)
    .where(eq(checkins.eventId, eventId))
    .groupBy(checkins.direction, checkins.result)) {
    if (row.result === 'rejected') scans.rejected += row.n
    else if (row.direction === 'entry') scans.entries += row.n
    else scans.exits += row.n
  }
  const [inside] = await db.select({ people: sum(tickets.insidePeople) }).from(tickets).where(eq(tickets.eventId, eventId))
  scans.inside = Number(inside?.people ?? 0)
  const [standRow] = await db.select({ n: count() }).from(stands).where(eq(stands.eventId, eventId))
  const [emails] = await db.select({ n: count() }).from(outboxEmails).where(eq(outboxEmails.eventId, eventId))
  return { bookings, coExhibitors: co, registrations: regs, checkins: scans, stands: standRow.n, emailsQueued: emails.n }
}

async function countPasses(db: Database, eventId: string) {
  const [row] = await db
    .select({ issued: count(), revoked: count(tickets.revokedAt) })
    .from(tickets)
    .where(and(eq(tickets.eventId, eventId), eq(tickets.kind, 'exhibitor'), isNotNull(tickets.bookingId)))
  return { issued: row.issued, revoked: row.revoked }
}
