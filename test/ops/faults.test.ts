import t from 'tap'
import postgres from 'postgres'
import { consistencyViolations } from '../helpers/consistency.js'
import {
  ADMIN,
  adminToken,
  createOpenEvent,
  percentile,
  register,
  registerRetrying503,
  registrationLoad,
  request,
  startService,
  type Attempt,
  type ServiceProcess,
} from '../helpers/service-process.js'
import { startSmtpSink } from '../helpers/smtp.js'
import { postgresBinariesAvailable, startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres.js'

// Faults survived: a PostgreSQL restart under load (API and worker), and a kill -9 of an API process mid-burst.
// Everything runs as real processes against a PostgreSQL cluster of this file's own, so stopping it
// disturbs no other test. Numbers are printed as TAP comments (see docs/scaling.md).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const round = (ms: number) => Math.round(ms)

if (!process.env.TEST_DATABASE_URL) {
  t.plan(0, 'fault tests need real PostgreSQL binaries; skipped on the PGlite run (TEST_DATABASE_URL unset)')
} else if (!postgresBinariesAvailable()) {
  t.plan(0, 'PostgreSQL server binaries not found under /usr/lib/postgresql/15/bin (set PG_BIN)')
} else {
  await faultTests()
}

async function faultTests() {
  const pg: ThrowawayPostgres = await startThrowawayPostgres()
  t.teardown(() => pg.destroy())
  // the test's own reader, straight from PostgreSQL (not through the service), after each fault
  const sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 1 }))

  const services: ServiceProcess[] = []
  t.teardown(async () => {
    await Promise.all(services.map((s) => s.kill()))
    // what the processes said, when something failed: the one place to see a crash's reason
    if (!t.passing()) for (const s of services) t.comment(`--- ${s.name} (exit ${await s.exited}) ---\n${s.output().slice(-3000)}`)
  })
  const service = async (name: string, env: Record<string, string>) => {
    const s = await startService(name, { DATABASE_URL: pg.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env })
    services.push(s)
    return s
  }

  const api = await service('api', { ROLE: 'api' })
  const baseUrl = api.baseUrl!
  const token = await adminToken(baseUrl)

  t.test('PostgreSQL restarted under registration load: quick 503s, recovery by itself, no 201 lost', { timeout: 90_000 }, async (t) => {
    const capacity = 200
    const eventId = await createOpenEvent(baseUrl, token, { visitorCapacity: capacity, maxPartySize: 3 })
    const t0 = performance.now()
    const now = () => performance.now() - t0
    const timeline = { stopAt: 0, stoppedAt: 0, startAt: 0, startedAt: 0 }
    let recoveredAt = 0
    let stopLoad = false

    // health/ready probed alongside, as a load balancer would
    const probes: { at: number; status: number; ms: number }[] = []
    const probing = (async () => {
      while (!stopLoad) {
        const at = now()
        const r = await request(baseUrl, 'GET', '/health/ready', { timeoutMs: 10_000 })
        probes.push({ at, status: r.status, ms: r.ms })
        await sleep(100)
      }
    })()

    const loading = registrationLoad({
      baseUrls: [baseUrl],
      eventId,
      concurrency: 4,
      pauseMs: 150,
      partySize: () => 1 + Math.floor(Math.random() * 2),
      t0,
      stop: () => stopLoad,
    })

    await sleep(1500)
    timeline.stopAt = now()
    await pg.stop()
    timeline.stoppedAt = now()
    await sleep(3000)
    timeline.startAt = now()
    await pg.start()
    timeline.startedAt = now()
    // recovered: the first 201 to a request sent after PostgreSQL was back; give it 20 s at most
    const deadline = now() + 20_000
    let attempts: Attempt[] = []
    while (now() < deadline) {
      await sleep(100)
      if (probes.some((p) => p.at > timeline.startedAt && p.status === 200) && recoveredAt === 0) {
        recoveredAt = probes.find((p) => p.at > timeline.startedAt && p.status === 200)!.at
      }
      if (recoveredAt && now() > recoveredAt + 1500) break
    }
    stopLoad = true
    attempts = await loading
    await probing

    const statuses = new Map<string, number>()
    for (const a of attempts) {
      const key = `${a.status}${a.body?.code ? ` ${a.body.code}` : ''}`
      statuses.set(key, (statuses.get(key) ?? 0) + 1)
    }
    t.comment(`timeline (ms): ${JSON.stringify(timeline)}; attempts by answer: ${JSON.stringify(Object.fromEntries(statuses))}`)

    const unexpected = attempts.filter((a) => ![201, 503].includes(a.status) && !(a.status === 409 && a.body?.code === 'event_full'))
    t.same(
      unexpected.map((a) => ({ status: a.status, body: a.body })),
      [],
      'every answer is a 201, a 503 or (once full) 409 event_full: no 500, no dropped connection',
    )

    const unavailable = attempts.filter((a) => a.status === 503)
    t.ok(unavailable.length > 0, 'requests during the outage were answered 503')
    t.ok(
      unavailable.every(
        (a) => a.body?.code === 'unavailable' && /application\/problem\+json/.test(a.headers.get('content-type') ?? '') && a.headers.get('retry-after'),
      ),
      'each 503 is problem+json with code unavailable and a Retry-After',
    )
    const slowest503 = Math.max(...unavailable.map((a) => a.ms))
    t.comment(`503 latency during the outage: p50 ${round(percentile(unavailable.map((a) => a.ms), 50))} ms, p99 ${round(percentile(unavailable.map((a) => a.ms), 99))} ms, max ${round(slowest503)} ms over ${unavailable.length} answers`)
    t.ok(slowest503 < 2000, `every 503 came within 2 s (slowest ${round(slowest503)} ms)`)

    const duringOutage = attempts.filter((a) => a.sentAt > timeline.stoppedAt && a.answeredAt < timeline.startAt)
    t.ok(duringOutage.length > 10, `requests sent while PostgreSQL was down (${duringOutage.length})`)
    t.ok(duringOutage.every((a) => a.status === 503), 'all of them 503')
    const readyDown = probes.filter((p) => p.at > timeline.stoppedAt && p.at + p.ms < timeline.startAt)
    t.ok(readyDown.length > 0 && readyDown.every((p) => p.status === 503), '/health/ready said 503 while PostgreSQL was down')

    t.ok(recoveredAt > 0, 'the service recovered without a restart')
    const firstCreatedAfter = attempts.filter((a) => a.status === 201 && a.sentAt > timeline.startedAt).sort((a, b) => a.answeredAt - b.answeredAt)[0]
    t.ok(firstCreatedAfter, 'registrations succeed again after the restart')
    t.comment(
      `recovery after PostgreSQL accepted connections again: /health/ready 200 after ${round(recoveredAt - timeline.startedAt)} ms, first 201 after ${round((firstCreatedAfter?.answeredAt ?? NaN) - timeline.startedAt)} ms; outage (stop → started) ${round(timeline.startedAt - timeline.stopAt)} ms`,
    )
    t.ok(recoveredAt - timeline.startedAt < 5000, 'ready again within 5 s of PostgreSQL being back')
    t.ok(api.alive(), 'the API process is still the same one')

    // Fill the event to the brim: capacity still holds after the restart. The burst behaves like the contract's
    // client: a 503 is retried (same person, same body). On a loaded CI machine a pooled connection can still be
    // re-opening 1.5 s after recovery (once seen in CI: one 503 among 150); a retry of a registration whose commit
    // did happen answers 409 already_registered, which is why that code is accepted after a 503 only.
    const burst = await Promise.all(Array.from({ length: 150 }, () => registerRetrying503(baseUrl, eventId, 1 + Math.floor(Math.random() * 2))))
    const retried = burst.reduce((n, a) => n + a.retries, 0)
    const burstUnexpected = burst.filter(
      (a) =>
        !(a.status === 201 || (a.status === 409 && a.body?.code === 'event_full')) &&
        !(a.status === 409 && a.body?.code === 'already_registered' && a.retries > 0),
    )
    t.comment(`burst after recovery: ${retried} answer(s) 503 retried`)
    t.same(
      burstUnexpected.map((a) => `${a.status} ${a.body?.code ?? ''}`),
      [],
      'the burst after recovery gets 201s and event_full only (a 503 retried as the contract says gets one of them)',
    )
    t.ok(retried <= 5, `at most a handful of 503s once recovered (${retried})`)

    const created = [...attempts, ...burst].filter((a) => a.status === 201).map((a) => a.body.id as string)
    const rows = await sql`select id, status from registrations where event_id = ${eventId}`
    const stored = new Map(rows.map((r) => [r.id as string, r.status as string]))
    t.same(
      created.filter((id) => stored.get(id) !== 'confirmed'),
      [],
      `every one of the ${created.length} registrations answered 201 exists, confirmed`,
    )
    t.comment(`registrations stored: ${rows.length}, answered 201: ${created.length} (a commit whose answer was lost in the restart shows as a 503 that was stored)`)
    const [event] = await sql`select visitor_capacity, confirmed_people from events where id = ${eventId}`
    t.ok(event.confirmed_people <= capacity && event.confirmed_people >= capacity - 1, `event filled, not overbooked (${event.confirmed_people}/${capacity})`)
    t.same(await consistencyViolations(sql), [], 'consistency check: counters, tickets, tokens and outbox agree')
  })

  t.test('the email worker survives the same restart and sends every email exactly once', { timeout: 90_000 }, async (t) => {
    const sink = await startSmtpSink(0, { delayMs: 20 })
    t.teardown(() => sink.stop())
    const eventId = await createOpenEvent(baseUrl, token, { visitorCapacity: 1000 })
    // Seconds after the restart above, on a loaded machine: a client that meets a 503 sends again (once seen in CI).
    const setupStart = Date.now()
    const registered = await Promise.all(Array.from({ length: 60 }, () => registerRetrying503(baseUrl, eventId)))
    const setupRetries = registered.reduce((n, a) => n + a.retries, 0)
    t.same(
      registered
        .filter((a) => a.status !== 201 && !(a.status === 409 && a.body?.code === 'already_registered' && a.retries > 0))
        .map((a) => ({ status: a.status, body: a.body })),
      [],
      `60 registrations, each queueing its confirmation (${setupRetries} retried after a 503)`,
    )
    t.ok(setupRetries <= 5, `at most a handful of 503s once recovered (${setupRetries})`)
    // What the API logged for those 503s, for whoever reads a run where they happened.
    if (setupRetries > 0) {
      for (const line of api.logs().filter((l) => Number(l.level) >= 40 && Number(l.time) >= setupStart).slice(-5)) t.comment(JSON.stringify(line).slice(0, 1500))
    }
    const queued = await sql`select id, message_id from outbox_emails where status = 'queued'`
    t.ok(queued.length >= 60, `${queued.length} emails queued (this event's and the ones before)`)

    const worker = await service('worker', { ROLE: 'worker', SMTP_URL: sink.url, WORKER_POLL_MS: '200' })
    await sink.waitFor(Math.min(15, queued.length), 30_000)
    const t0 = performance.now()
    await pg.stop()
    const sentBeforeStop = sink.messages.length
    await sleep(2000)
    await pg.start()
    const backAt = performance.now()
    t.comment(`restart while draining: ${sentBeforeStop} of ${queued.length} sent when PostgreSQL stopped, down ${round(backAt - t0)} ms`)
    t.ok(sentBeforeStop < queued.length, 'PostgreSQL stopped while the worker was still draining')

    // every queued row settled as sent, in the database (not just arrived)
    const expected = new Set(queued.map((r) => r.message_id as string))
    const until = Date.now() + 45_000
    let pending = queued.length
    while (Date.now() < until) {
      const [row] = await sql`select count(*)::int as n from outbox_emails where id = any(${queued.map((r) => r.id)}::uuid[]) and status <> 'sent'`.catch(() => [{ n: -1 }])
      pending = row.n
      if (pending === 0) break
      await sleep(200)
    }
    t.equal(pending, 0, 'every queued email is marked sent')
    t.comment(`all sent ${round(performance.now() - backAt)} ms after PostgreSQL was back`)
    await sleep(1500) // a few more polls: a duplicate would show up now
    const counts = new Map<string, number>()
    for (const m of sink.messages) counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1)
    t.same(
      [...expected].filter((id) => counts.get(id) !== 1).map((id) => ({ id, received: counts.get(id) ?? 0 })),
      [],
      'each queued email arrived exactly once (by Message-ID)',
    )
    t.same([...counts.keys()].filter((id) => !expected.has(id)), [], 'nothing arrived that was not queued')
    t.ok(worker.alive(), 'the worker process survived the restart')
    const failedPolls = worker.logs().filter((l) => l.msg === 'worker poll failed').length
    t.comment(`worker: ${failedPolls} failed polls logged during the outage`)
    await worker.stop()
  })

  t.test('kill -9 of an API process during a registration burst leaves nothing half-written', { timeout: 90_000 }, async (t) => {
    const victim = await service('api-victim', { ROLE: 'api' })
    const capacity = 150
    const eventId = await createOpenEvent(victim.baseUrl!, token, { visitorCapacity: capacity, maxPartySize: 3 })
    let killed = false
    const loading = registrationLoad({
      baseUrls: [victim.baseUrl!],
      eventId,
      concurrency: 24,
      partySize: () => 1 + Math.floor(Math.random() * 3),
      stop: () => killed,
    })
    // kill in the middle of the burst, while batches are in flight
    const until = Date.now() + 20_000
    while (Date.now() < until) {
      const [row] = await sql`select confirmed_people from events where id = ${eventId}`
      if (row.confirmed_people >= 30) break
      await sleep(20)
    }
    await victim.kill()
    killed = true
    const attempts = await loading
    const created = attempts.filter((a) => a.status === 201).map((a) => a.body.id as string)
    const cut = attempts.filter((a) => a.status === 0).length
    t.comment(`burst: ${attempts.length} requests, ${created.length} answered 201, ${cut} cut off by the kill`)
    t.ok(cut > 0, 'some requests were in flight when the process died')

    // the killed process's connections end; PostgreSQL rolls back what they held open
    const settle = Date.now() + 15_000
    for (;;) {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity where application_name = 'vereinsmesse' and state like 'idle in transaction%'`
      if (row.n === 0 || Date.now() > settle) break
      await sleep(100)
    }
    const rows = await sql`select id from registrations where event_id = ${eventId} and status = 'confirmed'`
    const stored = new Set(rows.map((r) => r.id as string))
    t.same(created.filter((id) => !stored.has(id)), [], 'every 201 before the kill is stored')
    t.same(await consistencyViolations(sql), [], 'consistency check after the kill: no ticket without registration, no counter drift')

    // another process takes over and fills the event exactly
    const next = await service('api-next', { ROLE: 'api' })
    const fill = await Promise.all(Array.from({ length: 200 }, () => register(next.baseUrl!, eventId, 1)))
    t.ok(fill.every((a) => a.status === 201 || a.body?.code === 'event_full'), 'the next process registers until full')
    const [event] = await sql`select confirmed_people from events where id = ${eventId}`
    t.equal(event.confirmed_people, capacity, 'filled to exactly the capacity: the counter did not drift')
    t.same(await consistencyViolations(sql), [], 'consistency check after filling')
  })
}
