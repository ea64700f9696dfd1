import t from 'tap'
import postgres from 'postgres'
import { consistencyViolations } from '../helpers/consistency.js'
import { ADMIN, adminToken, createOpenEvent, register, request, startService, type ServiceProcess } from '../helpers/service-process.js'
import { startSmtpSink } from '../helpers/smtp.js'
import { postgresBinariesAvailable, startThrowawayPostgres } from '../helpers/throwaway-postgres.js'

// Several instances on one PostgreSQL: 2 API processes (ROLE=api) and 2 workers (ROLE=worker), started together
// (the migration lock lets one migrate). A registration rush and a check-in race go through both APIs; both
// workers drain one outbox into one SMTP sink. Nothing but PostgreSQL is shared between the processes.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

if (!process.env.TEST_DATABASE_URL) {
  t.plan(0, 'multi-instance tests need real PostgreSQL binaries; skipped on the PGlite run (TEST_DATABASE_URL unset)')
} else if (!postgresBinariesAvailable()) {
  t.plan(0, 'PostgreSQL server binaries not found under /usr/lib/postgresql/15/bin (set PG_BIN)')
} else {
  await instanceTests()
}

async function instanceTests() {
  const pg = await startThrowawayPostgres()
  t.teardown(() => pg.destroy())
  const sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())

  const env = { DATABASE_URL: pg.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }
  const services: ServiceProcess[] = []
  t.teardown(async () => {
    await Promise.all(services.map((s) => s.kill()))
    if (!t.passing()) for (const s of services) t.comment(`--- ${s.name} (exit ${await s.exited}) ---\n${s.output().slice(-3000)}`)
  })
  // all four at once, on an empty database: they race for the migration lock
  const started = performance.now()
  const results = await Promise.allSettled([
    startService('api-1', { ...env, ROLE: 'api' }),
    startService('api-2', { ...env, ROLE: 'api' }),
    startService('worker-1', { ...env, ROLE: 'worker', SMTP_URL: sink.url, WORKER_POLL_MS: '100' }),
    startService('worker-2', { ...env, ROLE: 'worker', SMTP_URL: sink.url, WORKER_POLL_MS: '100' }),
  ])
  const startMs = Math.round(performance.now() - started)
  for (const r of results) if (r.status === 'fulfilled') services.push(r.value)
  const failedStart = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failedStart) throw failedStart.reason
  const [api1, api2, worker1, worker2] = services
  const token = await adminToken(api1.baseUrl!)

  t.test('four processes started together on an empty database migrate it once', { timeout: 90_000 }, async (t) => {
    t.comment(`4 processes started together on an empty database in ${startMs} ms`)
    const [migrations] = await sql`select count(*)::int as n, count(distinct hash)::int as distinct_hashes from drizzle.__drizzle_migrations`
    t.equal(migrations.n, migrations.distinct_hashes, 'each migration applied once')
    const [admins] = await sql`select count(*)::int as n from accounts where role = 'admin'`
    t.equal(admins.n, 1, 'one admin account, made by whichever process migrated')
  })

  const apis = [api1.baseUrl!, api2.baseUrl!]

  t.test('registration rush across both APIs: exactly N confirmed, no overbooking', { timeout: 90_000 }, async (t) => {
    const capacity = 60
    const attempts = 400
    const eventId = await createOpenEvent(api1.baseUrl!, token, { visitorCapacity: capacity })
    const t0 = performance.now()
    // 40 at a time, alternating between the two processes
    const answers: (Awaited<ReturnType<typeof register>> & { api: number })[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < attempts) {
          const api = next++ % 2
          answers.push({ ...(await register(apis[api], eventId)), api })
        }
      }),
    )
    const ms = performance.now() - t0
    const created = answers.filter((a) => a.status === 201)
    const full = answers.filter((a) => a.status === 409 && a.body?.code === 'event_full')
    t.comment(`rush: ${attempts} attempts in ${Math.round(ms)} ms (${Math.round(attempts / (ms / 1000))}/s) → ${created.length} × 201, ${full.length} × 409 event_full`)
    t.equal(created.length, capacity, `exactly ${capacity} registrations confirmed`)
    t.equal(full.length, attempts - capacity, 'every other attempt is 409 event_full')
    const byApi = apis.map((_, k) => created.filter((a) => a.api === k).length)
    t.comment(`201s per API process: ${byApi.join(' + ')}`)
    t.ok(byApi.every((n) => n > 0), 'both APIs confirmed registrations')
    t.same(
      answers.filter((a) => a.status !== 201 && a.body?.code !== 'event_full').map((a) => ({ status: a.status, body: a.body })),
      [],
      'no other answer (no 5xx, no dropped connection)',
    )
    const [event] = await sql`select visitor_capacity, confirmed_people from events where id = ${eventId}`
    t.equal(event.confirmed_people, capacity, 'the counter says full, not more')
    const [{ n }] = await sql`select count(*)::int as n from registrations where event_id = ${eventId} and status = 'confirmed'`
    t.equal(n, capacity, 'and so do the rows')
    t.same(await consistencyViolations(sql, [eventId]), [], 'consistency check')
  })

  t.test('check-in race across both APIs: the same ticket at two doors at once gives exactly one ok', { timeout: 90_000 }, async (t) => {
    const eventId = await createOpenEvent(api1.baseUrl!, token, { visitorCapacity: 200, maxPartySize: 3 })
    const tickets: { id: string; code: string; partySize: number }[] = []
    for (let i = 0; i < 30; i++) {
      const partySize = 1 + (i % 3)
      const r = await register(apis[i % 2], eventId, partySize)
      if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${JSON.stringify(r.body)}`)
      tickets.push({ id: r.body.ticket.id, code: r.body.ticket.code, partySize })
    }
    const scanner = async (baseUrl: string, gate: string) => {
      const r = await request(baseUrl, 'POST', `/v1/events/${eventId}/scanners`, { token, body: { label: `Tür ${gate}`, gate } })
      t.equal(r.status, 201, `scanner ${gate} created`)
      return r.body.token as string
    }
    const doorA = await scanner(api1.baseUrl!, 'A')
    const doorB = await scanner(api2.baseUrl!, 'B')

    const scan = (baseUrl: string, door: string, code: string) =>
      request(baseUrl, 'POST', `/v1/events/${eventId}/checkins`, { token: door, body: { code, direction: 'entry' } })
    let wins = 0
    const losers: unknown[] = []
    const badRaces: unknown[] = []
    // every ticket scanned through both processes at the same moment (10 tickets at a time)
    for (let i = 0; i < tickets.length; i += 10) {
      await Promise.all(
        tickets.slice(i, i + 10).map(async (ticket) => {
          const [a, b] = await Promise.all([scan(api1.baseUrl!, doorA, ticket.code), scan(api2.baseUrl!, doorB, ticket.code)])
          const oks = [a, b].filter((r) => r.status === 200 && r.body.status === 'ok')
          const rejected = [a, b].filter((r) => r.status === 200 && r.body.status === 'rejected' && r.body.reason === 'already_checked_in')
          if (oks.length === 1 && rejected.length === 1) wins++
          else badRaces.push({ ticket: ticket.id, answers: [a, b].map((r) => ({ status: r.status, body: r.body })) })
          losers.push(...rejected.map((r) => r.body.reason))
        }),
      )
    }
    t.same(badRaces, [], 'no ticket got two oks (or none)')
    t.equal(wins, tickets.length, `each of the ${tickets.length} tickets: exactly one ok, the other door already_checked_in`)

    const people = tickets.reduce((sum, x) => sum + x.partySize, 0)
    const occupancy = await request(api2.baseUrl!, 'GET', `/v1/events/${eventId}/occupancy`, { token })
    t.equal(occupancy.status, 200, 'occupancy read through the other process')
    t.equal(occupancy.body.inside, people, `occupancy counts each party once (${people} people)`)
    const [{ n }] = await sql`select count(*)::int as n from checkins where event_id = ${eventId} and result = 'ok'`
    t.equal(n, tickets.length, 'one accepted scan per ticket recorded')
    t.same(await consistencyViolations(sql, [eventId]), [], 'consistency check')
  })

  t.test('two workers send every email exactly once', { timeout: 90_000 }, async (t) => {
    const queuedOrSent = await sql`select id, message_id from outbox_emails`
    t.ok(queuedOrSent.length >= 90, `${queuedOrSent.length} emails in the outbox`)
    const until = Date.now() + 60_000
    let pending = -1
    while (Date.now() < until) {
      ;[{ n: pending }] = await sql`select count(*)::int as n from outbox_emails where status <> 'sent'`
      if (pending === 0) break
      await sleep(200)
    }
    t.equal(pending, 0, 'every email is marked sent')
    await sleep(1000) // more polls of both workers: a duplicate would arrive now
    const counts = new Map<string, number>()
    for (const m of sink.messages) counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1)
    const expected = queuedOrSent.map((r) => r.message_id as string)
    t.same(
      expected.filter((id) => counts.get(id) !== 1).map((id) => ({ id, received: counts.get(id) ?? 0 })),
      [],
      'each email arrived exactly once (by Message-ID)',
    )
    t.equal(sink.messages.length, expected.length, 'and nothing else arrived')
    const byWorker = await sql`select split_part(locked_by, '-', 1) as pid, count(*)::int as n from outbox_emails group by 1 order by 1`
    t.comment(`emails sent per worker process (pid: count): ${byWorker.map((r) => `${r.pid}: ${r.n}`).join(', ')}`)
    t.ok(worker1.alive() && worker2.alive(), 'both workers still running')
  })
}
