import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { associations, checkins, coExhibitors, events, meetingClaims, meetingCounts, meetings, MEETING_STATUSES, registrations, standBookings, stands, tickets } from '../../src/db/schema.js'
import { DEMO_SLUG, DemoExistsError, fillDemo } from '../../src/cli/demo-fill.js'
import { BOOKING_STATES } from '../../src/features/stands/booking-states.js'
import { build } from '../helpers/app.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

t.test('the demo filler makes a fair that obeys the rules, through the API', async (t) => {
  const ctx = await build(t)
  const admin = await ctx.account('admin')
  const phases: string[] = []
  let last = { done: 0, total: 0 }
  let backwards = 0
  const result = await fillDemo(
    { db: ctx.db, config: ctx.config },
    {
      associations: 12,
      registrations: 150,
      visitorCapacity: 200,
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase)
        if (p.done < last.done) backwards++
        last = p
      },
    },
  )
  t.equal(backwards, 0, 'the progress never goes back')
  t.equal(last.done, last.total, 'the progress bar ends full')
  t.ok(phases.includes('registrations') && phases.includes('door scans'), `phases reported: ${phases.join(', ')}`)

  const [event] = await ctx.db.select().from(events).where(eq(events.slug, DEMO_SLUG))
  t.equal(event.id, result.event.id)
  t.equal(event.status, 'published')
  t.ok(event.startsAt > new Date(), 'the fair is in the future')
  t.equal(event.visitorCapacity, 200)

  // associations: the twelve asked for, names in German, Turkish and Arabic, migrant organisations and others
  const assocRows = await ctx.db.select().from(associations)
  t.equal(assocRows.length, 12)
  t.equal(result.counts.associations, 12)
  t.ok(assocRows.some((a) => /[ğışçöüİ]/.test(a.name)), 'a Turkish name')
  t.ok(assocRows.some((a) => a.migrantOrganization) && assocRows.some((a) => !a.migrantOrganization), 'migrant organisations and others')
  t.ok(assocRows.every((a) => a.fieldsOfActivity.length > 0 && a.description), 'each has fields of activity and a description')

  // bookings: one per association, every state of the workflow present
  const byState = Object.fromEntries(
    (await ctx.db.select({ status: standBookings.status, n: count() }).from(standBookings).groupBy(standBookings.status)).map((r) => [r.status, r.n]),
  )
  for (const state of BOOKING_STATES) t.ok((byState[state] ?? 0) >= 1, `a booking is ${state}`)
  t.same(result.counts.bookings, { ...Object.fromEntries(BOOKING_STATES.map((s) => [s, 0])), ...byState })
  const approved = await ctx.db.select().from(standBookings).where(eq(standBookings.status, 'approved'))
  t.ok(approved.every((b) => b.standId), 'approved bookings hold a stand')
  t.equal(new Set(approved.map((b) => b.standId)).size, approved.length, 'no stand held twice')
  const [standCount] = await ctx.db.select({ n: count() }).from(stands).where(and(eq(stands.eventId, event.id), isNotNull(stands.position)))
  t.ok(standCount.n > approved.length, 'the plan has more stands than are taken, all with positions')
  const [co] = await ctx.db.select({ n: count() }).from(coExhibitors)
  t.ok(co.n >= 1, 'some bookings share their stand with co-exhibitors')

  // passes: each approved booking has its staffPasses, live; passes of withdrawn or cancelled bookings are revoked
  for (const b of approved) {
    const [live] = await ctx.db.select({ n: count() }).from(tickets).where(and(eq(tickets.bookingId, b.id), isNull(tickets.revokedAt)))
    t.equal(live.n, b.staffPasses, 'an approved booking has its passes')
  }
  const [stale] = await ctx.db
    .select({ n: count() })
    .from(tickets)
    .innerJoin(standBookings, eq(standBookings.id, tickets.bookingId))
    .where(and(sql`${standBookings.status} in ('withdrawn', 'cancelled')`, isNull(tickets.revokedAt)))
  t.equal(stale.n, 0, 'no live pass for a booking that ended')

  // registrations: all of them, capacity respected, a waitlist, the counter right, one ticket per confirmed one
  const regs = await ctx.db.select().from(registrations).where(eq(registrations.eventId, event.id))
  t.equal(regs.length, 150)
  const confirmed = regs.filter((r) => r.status === 'confirmed')
  const people = confirmed.reduce((n, r) => n + r.partySize, 0)
  t.ok(people <= 200, `confirmed people ${people} within the capacity`)
  t.equal(people, event.confirmedPeople, 'the counter agrees with the rows')
  t.ok(regs.some((r) => r.status === 'waitlisted'), 'some wait')
  t.ok(regs.some((r) => r.status === 'cancelled'), 'someone cancelled')
  t.ok(regs.every((r) => r.partySize >= 1 && r.partySize <= 4), 'parties of 1 to 4')
  t.ok(regs.some((r) => /[\u0600-\u06ff]/.test(r.name)) || regs.some((r) => r.language === 'ar'), 'Arabic names')
  t.ok(regs.every((r) => /@example\.(org|com|net)$/.test(r.email)), 'only reserved example domains')
  t.same(result.counts.registrations, {
    confirmed: confirmed.length,
    waitlisted: regs.filter((r) => r.status === 'waitlisted').length,
    cancelled: regs.filter((r) => r.status === 'cancelled').length,
    confirmedPeople: people,
  })
  const [visitorTickets] = await ctx.db
    .select({ n: count() })
    .from(tickets)
    .innerJoin(registrations, eq(registrations.id, tickets.registrationId))
    .where(and(eq(registrations.status, 'confirmed'), isNull(tickets.revokedAt)))
  t.equal(visitorTickets.n, confirmed.length, 'one live ticket per confirmed registration')

  // the door: entries, exits, the second showing of a ticket refused, the occupancy the API reports
  const scans = await ctx.db.select().from(checkins).where(eq(checkins.eventId, event.id))
  t.ok(scans.some((s) => s.direction === 'entry' && s.result === 'ok'), 'entries')
  t.ok(scans.some((s) => s.direction === 'exit' && s.result === 'ok'), 'exits')
  t.ok(scans.filter((s) => s.result === 'rejected').every((s) => s.reason === 'already_checked_in'), 'only second showings refused')
  const occupancy = await ctx.app.inject({ url: `/v1/events/${DEMO_SLUG}/occupancy`, headers: admin.auth })
  t.equal(occupancy.statusCode, 200)
  t.equal(occupancy.json().inside, result.counts.checkins.inside, 'the summary says what the door says')
  t.ok(result.counts.checkins.inside > 0)

  // meetings: enabled, every state present, made under the rules (places, claims, counts)
  t.equal(event.meetings.enabled, true, 'meetings are enabled')
  t.ok(event.meetings.windows.length >= 1 && event.meetings.tables >= 1, 'with windows and tables')
  const meetingRows = await ctx.db.select().from(meetings).where(eq(meetings.eventId, event.id))
  for (const status of MEETING_STATUSES) t.ok(meetingRows.some((m) => m.status === status), `a meeting is ${status}`)
  t.same(
    result.counts.meetings,
    { ...Object.fromEntries(MEETING_STATUSES.map((s) => [s, meetingRows.filter((m) => m.status === s).length])), atTables: meetingRows.filter((m) => m.placeKind === 'table').length },
    'the summary counts the meetings',
  )
  const timed = meetingRows.filter((m) => m.status === 'scheduled' || m.status === 'held')
  t.ok(timed.some((m) => m.placeKind === 'stand'), 'meetings at stands')
  t.ok(timed.some((m) => m.placeKind === 'table'), 'a meeting at a table: the stands of both were taken')
  t.ok(timed.every((m) => m.startsAt! < m.endsAt! && m.placeCode), 'each timed meeting has its time and place')
  const overlapping = (x: typeof timed[number], y: typeof timed[number]) => x.id !== y.id && x.startsAt! < y.endsAt! && y.startsAt! < x.endsAt!
  const sides = (m: typeof timed[number]) => [m.fromAssociationId, m.toAssociationId]
  t.notOk(timed.some((x) => timed.some((y) => overlapping(x, y) && sides(x).some((s) => sides(y).includes(s)))), 'no association in two meetings at once')
  t.notOk(timed.some((x) => timed.some((y) => overlapping(x, y) && x.placeKind === y.placeKind && x.placeCode === y.placeCode)), 'no place holding two at once')
  const [claims] = await ctx.db.select({ n: count() }).from(meetingClaims).where(eq(meetingClaims.eventId, event.id))
  t.equal(claims.n, timed.length * 3, 'each timed meeting claims both associations and its place')
  const counted = await ctx.db.select().from(meetingCounts).where(eq(meetingCounts.eventId, event.id))
  const active = meetingRows.filter((m) => ['accepted', 'scheduled', 'held'].includes(m.status)).flatMap(sides)
  for (const c of counted) t.equal(c.active, active.filter((id) => id === c.associationId).length, 'meeting_counts agree with the meetings')
  t.ok(counted.every((c) => c.active <= event.meetings.maxPerAssociation), 'nobody above maxPerAssociation')

  // the logins printed work
  const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: result.organizer })
  t.equal(login.statusCode, 200, 'the organizer can log in')
  const exhibitor = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: result.exhibitor.email, password: result.exhibitor.password } })
  t.equal(exhibitor.statusCode, 200, 'the exhibitor can log in')

  // a second run refuses and changes nothing
  const again = await fillDemo({ db: ctx.db, config: ctx.config }, { associations: 12, registrations: 10 }).catch((err: unknown) => err)
  t.ok(again instanceof DemoExistsError, 'a second run is refused')
  t.match((again as Error).message, /already exists/)
  const [after] = await ctx.db.select({ n: count() }).from(registrations)
  t.equal(after.n, 150, 'nothing added by the refused run')
})

t.test('npm run demo takes the lock of DATA_DIR and refuses while another process holds it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-demo-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  // This test's own process is alive: the lock file names it, as a running `npm start` would.
  fs.writeFileSync(path.join(dir, 'pglite.lock'), String(process.pid))
  const { DATABASE_URL: _unused, ...env } = process.env
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/demo.ts')], {
    cwd: ROOT,
    env: { ...env, DATA_DIR: dir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  t.equal(run.status, 1, run.stderr)
  t.match(run.stderr, `in use by process ${process.pid}`)
  t.notOk(fs.existsSync(path.join(dir, 'pglite')), 'the database was not opened')
  t.equal(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8'), String(process.pid), 'the holder keeps its lock')
})
