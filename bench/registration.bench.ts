/**
 * POST /v1/events/{id}/registrations on our server (PostgreSQL, ROLE=api: emails only queue) against
 * bench/registration-baseline-server.ts doing the naive transaction (conditional counter update + insert, one commit
 * per registration), both as their own processes on the same bench database, autocannon with a distinct email per
 * request in a third. Then a rush: capacity 500, 5,000 attempts as fast as possible → exactly 500 confirmed.
 * Env: BENCH_CONNECTIONS (200), BENCH_DURATION seconds per run (20), BENCH_WARMUP seconds (3), BENCH_ROUNDS (1; the
 * order alternates each round), BENCH_RUSH_CAPACITY (500), BENCH_RUSH_ATTEMPTS (5000), BENCH_API_PROCESSES (1: our
 * server's API_PROCESSES; its CPU is then that of the supervisor and all its API processes).
 */
import os from 'node:os'
import postgres from 'postgres'
import {
  ADMIN,
  autocannonBodies,
  cpuByName,
  cpuMsOfTree,
  createBenchDatabase,
  freePort,
  jsonRequest,
  machineCpuMs,
  onCleanup,
  sleep,
  startApp,
  startProcess,
  tsEntry,
  waitForStatus,
  type BodyLoadResult,
  envNumber,
} from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const num = envNumber
const CONNECTIONS = num('BENCH_CONNECTIONS', 200)
const DURATION = num('BENCH_DURATION', 20)
const WARMUP = num('BENCH_WARMUP', 3)
const ROUNDS = num('BENCH_ROUNDS', 1)
const RUSH_CAPACITY = num('BENCH_RUSH_CAPACITY', 500)
const RUSH_ATTEMPTS = num('BENCH_RUSH_ATTEMPTS', 5000)
const API_PROCESSES = num('BENCH_API_PROCESSES', 1)
const TARGET_RATIO = 3
const TARGET_P99_MS = 150
const POOL_SIZE = 10
const DAY = 24 * 60 * 60 * 1000

type Name = 'ours' | 'baseline'

function eventBody(visitorCapacity: number) {
  const startsAt = new Date(Date.now() + 30 * DAY)
  startsAt.setUTCHours(9, 0, 0, 0)
  return {
    slug: `bench-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Vereinsmesse Dortmund',
    description: 'Vereine stellen sich vor: Sport, Kultur, Soziales.',
    venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
    visitorCapacity,
    maxPartySize: 5,
    waitlist: false,
  }
}

/** Runs in the autocannon child: self-contained. Party sizes cycle 1, 2, 3 (mean 2) unless `party` is fixed. */
function registrationBody(n: number, p: { tag: string; party: number | null }) {
  return {
    email: `b${n}-${p.tag}@example.org`,
    name: 'Bench Person',
    partySize: p.party ?? 1 + (n % 3),
    consent: { privacy: true },
  }
}

interface Measured {
  round: number
  name: Name
  tag: string
  result: BodyLoadResult
  /** CPU ms over the run: our server, the baseline server, all PostgreSQL processes, the load generator, the machine */
  cpu: { server: number; postgres: number; loader: number; machineBusy: number; machineTotal: number }
  /** pg_stat_activity samples of the bench database's backends: wait event (or state) → share of samples */
  waits: Map<string, number>
  waitSamples: number
  /** registrations of this run found in the database, and their people */
  rows: { count: number; people: number }
}

async function run() {
  const load = os.loadavg()
  const busy = load[0] > os.cpus().length * 0.5 ? ' — the machine is busy, expect noisy numbers' : ''
  console.log(`load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs${busy}`)

  const databaseUrl = await createBenchDatabase()
  const ours = await startApp('vereinsmesse', { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ROLE: 'api', API_PROCESSES: String(API_PROCESSES) })
  // LOG_LEVEL=warn: every line our server writes is a warning or an error.
  const serverLog: string[] = []
  ours.proc.child.stdout!.on('data', (chunk: string) => serverLog.push(...chunk.split('\n').filter(Boolean)))
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  onCleanup(() => sql.end({ timeout: 2 }))

  const { token } = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: ADMIN })
  const newEvent = async (capacity: number) => {
    const event = await jsonRequest<{ id: string }>(`${ours.baseUrl}/v1/events`, { token, body: eventBody(capacity) })
    const published = await jsonRequest<{ status: string }>(`${ours.baseUrl}/v1/events/${event.id}/publish`, { token, method: 'POST' })
    if (published.status !== 'published') throw new Error(`publish answered status ${published.status}`)
    return event.id
  }
  const eventIds = { ours: await newEvent(1_000_000), baseline: await newEvent(1_000_000) }

  const basePort = await freePort()
  const baseline = startProcess('registration-baseline', tsEntry('bench/registration-baseline-server.ts'), {
    DATABASE_URL: databaseUrl,
    PORT: String(basePort),
    POOL_SIZE: String(POOL_SIZE),
  })
  await waitForStatus(`http://127.0.0.1:${basePort}/health`, baseline)
  const targets = {
    ours: { url: `${ours.baseUrl}/v1/events/${eventIds.ours}/registrations`, pid: ours.proc.pid, eventId: eventIds.ours, app: 'vereinsmesse' },
    baseline: {
      url: `http://127.0.0.1:${basePort}/events/${eventIds.baseline}/registrations`,
      pid: baseline.pid,
      eventId: eventIds.baseline,
      app: 'registration-baseline',
    },
  }

  // One registration each, checked, before any load.
  for (const name of ['ours', 'baseline'] as const) {
    const res = await jsonRequest<{ status: string }>(targets[name].url, { body: registrationBody(0, { tag: `check-${name}`, party: 1 }) })
    if (res.status !== 'confirmed') throw new Error(`${name}: a first registration answered status ${res.status}`)
  }

  console.log(`warm-up ${WARMUP} s each, then ${ROUNDS} round(s) of ${DURATION} s each, ${CONNECTIONS} connections, party sizes 1/2/3…`)
  for (const name of ['ours', 'baseline'] as const) {
    await autocannonBodies(targets[name].url, {
      connections: CONNECTIONS,
      durationSec: WARMUP,
      makeBody: registrationBody,
      params: { tag: `warm-${name}`, party: null },
      sumField: 'partySize',
    })
  }

  const runs: Measured[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)
    for (const name of order) {
      await sleep(1000)
      runs.push(await measure(sql, round, name, targets[name]))
    }
  }

  const rush = await rushRun(sql, ours.baseUrl, newEvent)

  // ── report ──
  const peoplePerSec = (m: Measured) => m.result.summed / m.result.durationSec
  const created = (m: Measured) => m.result.statuses['201'] ?? 0
  const other = (r: BodyLoadResult) =>
    Object.entries(r.statuses)
      .filter(([s]) => s !== '201')
      .map(([s, n]) => `${n}×${s}`)
      .concat(Object.entries(r.codes).map(([c, n]) => `(${n} ${c})`))
      .join(' ') || '0'
  const pctOfCore = (ms: number, m: Measured) => `${Math.round((ms / (m.result.durationSec * 1000)) * 100)}%`
  printTable(
    `POST /v1/events/{id}/registrations, ${CONNECTIONS} connections, ${DURATION} s per run, distinct emails, party size 1–3`,
    runs.map((m) => ({
      run: `#${m.round} ${m.name}`,
      'people/s': fmt.int(peoplePerSec(m)),
      'req/s': fmt.int(m.result.requestsPerSec),
      '201s': fmt.int(created(m)),
      p50: fmt.ms(m.result.p50),
      p99: fmt.ms(m.result.p99),
      'errors': m.result.errors,
      'non-2xx': other(m.result),
      'rows in db (people)': `${fmt.int(m.rows.count)} (${fmt.int(m.rows.people)})`,
    })),
  )
  printTable(
    'CPU during each run (100% = one core; the machine has ' + os.cpus().length + ')',
    runs.map((m) => ({
      run: `#${m.round} ${m.name}`,
      'server': pctOfCore(m.cpu.server, m),
      'PostgreSQL (all processes)': pctOfCore(m.cpu.postgres, m),
      'autocannon': pctOfCore(m.cpu.loader, m),
      'machine busy': `${Math.round((m.cpu.machineBusy / Math.max(1, m.cpu.machineTotal)) * 100)}% of all cores`,
      'server CPU/201': created(m) ? `${(m.cpu.server / created(m)).toFixed(2)} ms` : '-',
      'PG CPU/201': created(m) ? `${(m.cpu.postgres / created(m)).toFixed(2)} ms` : '-',
    })),
  )
  console.log(
    `\nWhat the server's ${POOL_SIZE} pool connections were doing (pg_stat_activity every 50 ms, share of samples; ` +
      `Client:ClientRead = idle in transaction, waiting for the app's next statement; idle = between transactions):`,
  )
  for (const m of runs) {
    const top = [...m.waits.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([w, n]) => `${w} ${fmt.pct(n / Math.max(1, m.waitSamples))}`)
      .join(', ')
    console.log(`  #${m.round} ${m.name}: ${top}`)
  }

  const mean = (name: Name) => {
    const mine = runs.filter((r) => r.name === name)
    const avg = (f: (r: Measured) => number) => mine.reduce((s, r) => s + f(r), 0) / mine.length
    return {
      people: avg(peoplePerSec),
      rps: avg((r) => r.result.requestsPerSec),
      p50: avg((r) => r.result.p50),
      p99: avg((r) => r.result.p99),
      worstP99: Math.max(...mine.map((r) => r.result.p99)),
      failures: mine.reduce((s, r) => s + r.result.errors + r.result.non2xx, 0),
    }
  }
  const m = { ours: mean('ours'), baseline: mean('baseline') }
  const ratio = m.ours.people / m.baseline.people
  printTable(`Mean of ${ROUNDS} round(s)`, [
    { server: 'ours', 'people/s': fmt.int(m.ours.people), 'req/s': fmt.int(m.ours.rps), p50: fmt.ms(m.ours.p50), p99: fmt.ms(m.ours.p99), 'ours/baseline': `${ratio.toFixed(2)}x` },
    { server: 'baseline', 'people/s': fmt.int(m.baseline.people), 'req/s': fmt.int(m.baseline.rps), p50: fmt.ms(m.baseline.p50), p99: fmt.ms(m.baseline.p99), 'ours/baseline': '' },
  ])

  printTable(`Rush: capacity ${RUSH_CAPACITY}, waitlist off, ${fmt.int(RUSH_ATTEMPTS)} attempts (party size 1), ${CONNECTIONS} connections, as fast as possible`, [
    {
      wall: `${rush.result.durationSec.toFixed(1)} s`,
      'req/s': fmt.int(rush.result.requestsPerSec),
      '201s': rush.result.statuses['201'] ?? 0,
      '409 event_full': rush.result.codes.event_full ?? 0,
      other: rush.unexpected ? JSON.stringify({ ...rush.result.statuses, ...rush.result.codes }) : 0,
      errors: rush.result.errors,
      p99: fmt.ms(rush.result.p99),
      'db: confirmed people': rush.db.confirmedPeople,
      'db: events.confirmed_people': rush.db.counter,
      'db: live tickets admit': rush.db.ticketAdmits,
      'db: queued emails': rush.db.emails,
    },
  ])

  console.log(
    `\nNote: ours coalesces the registrations of an event into shared transactions (group commit), so the event row's ` +
      `lock no longer sets its pace (its connections wait for the app, not for locks). What bounds it is the API process's ` +
      `own CPU per request ("server CPU/201" above): one Node process cannot answer more than 1000 / that many requests per second.`,
  )
  if (serverLog.length) {
    console.log(`\nour server logged ${serverLog.length} warning/error line(s); the first: ${serverLog[0].slice(0, 600)}`)
  }
  const rushOk =
    rush.db.confirmedPeople === RUSH_CAPACITY &&
    rush.db.counter === RUSH_CAPACITY &&
    rush.db.ticketAdmits === RUSH_CAPACITY &&
    (rush.result.statuses['201'] ?? 0) === RUSH_CAPACITY &&
    (rush.result.codes.event_full ?? 0) === RUSH_ATTEMPTS - RUSH_CAPACITY &&
    rush.unexpected === 0 &&
    rush.result.errors === 0
  // autocannon stops at the deadline without counting the answers still in flight (at most one per connection), so
  // the database may hold up to CONNECTIONS more rows than 201s were counted, never fewer.
  const consistent = runs.every((r) => r.rows.count >= created(r) && r.rows.count - created(r) <= CONNECTIONS && r.rows.people >= r.result.summed)
  return summarize(printVerdicts([
    { target: `ours ≥ ${TARGET_RATIO}× baseline people/s`, actual: `${ratio.toFixed(2)}x (${fmt.int(m.ours.people)} vs ${fmt.int(m.baseline.people)})`, ok: ratio >= TARGET_RATIO },
    { target: `ours p99 < ${TARGET_P99_MS} ms (worst run)`, actual: fmt.ms(m.ours.worstP99), ok: m.ours.worstP99 < TARGET_P99_MS },
    { target: 'no errors or non-2xx under load (ours, baseline)', actual: `${m.ours.failures}, ${m.baseline.failures}`, ok: m.ours.failures + m.baseline.failures === 0 },
    {
      target: 'every 201 is a row in the database (rows − 201s ≤ answers in flight at the deadline)',
      actual: runs.map((r) => `${r.name} +${r.rows.count - created(r)}`).join(', '),
      ok: consistent,
    },
    {
      target: `rush: exactly ${RUSH_CAPACITY} people confirmed (rows = counter = tickets), the rest 409 event_full`,
      actual: `${rush.db.confirmedPeople} / ${rush.db.counter} / ${rush.db.ticketAdmits}; ${rush.result.codes.event_full ?? 0} full, ${rush.unexpected} other`,
      ok: rushOk,
    },
  ]), { ours: `${fmt.int(m.ours.people)} people/s`, baseline: `${fmt.int(m.baseline.people)} people/s`, ratio: `${ratio.toFixed(2)}x`, p99: fmt.ms(m.ours.worstP99) })
}

async function measure(sql: postgres.Sql, round: number, name: Name, target: { url: string; pid: number; eventId: string; app: string }): Promise<Measured> {
  const tag = `r${round}-${name}`
  const waits = new Map<string, number>()
  let waitSamples = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const rows = await sql<{ w: string; n: string }[]>`
        select coalesce(wait_event_type || ':' || wait_event, state, '?') as w, count(*) as n
        from pg_stat_activity
        where datname = current_database() and application_name = ${target.app} and backend_type = 'client backend'
        group by 1`
      for (const r of rows) {
        waits.set(r.w, (waits.get(r.w) ?? 0) + Number(r.n))
        waitSamples += Number(r.n)
      }
      await sleep(50)
    }
  })()
  const pgBefore = cpuByName('postgres')
  const serverBefore = cpuMsOfTree(target.pid)
  const machineBefore = machineCpuMs()
  const result = await autocannonBodies(target.url, {
    connections: CONNECTIONS,
    durationSec: DURATION,
    makeBody: registrationBody,
    params: { tag, party: null },
    sumField: 'partySize',
  })
  const machineAfter = machineCpuMs()
  const serverAfter = cpuMsOfTree(target.pid)
  const pgAfter = cpuByName('postgres')
  sampling = false
  await sampler
  let postgresMs = 0
  for (const [pid, ms] of pgAfter) postgresMs += ms - (pgBefore.get(pid) ?? 0)
  const [rows] = await sql<{ n: string; people: string }[]>`
    select count(*) as n, coalesce(sum(party_size), 0) as people from registrations
    where event_id = ${target.eventId} and email like ${`%-${tag}@example.org`} and status = 'confirmed'`
  return {
    round,
    name,
    tag,
    result,
    cpu: {
      server: serverAfter - serverBefore,
      postgres: postgresMs,
      loader: result.loaderCpuMs,
      machineBusy: machineAfter.busy - machineBefore.busy,
      machineTotal: machineAfter.total - machineBefore.total,
    },
    waits,
    waitSamples,
    rows: { count: Number(rows.n), people: Number(rows.people) },
  }
}

async function rushRun(sql: postgres.Sql, baseUrl: string, newEvent: (capacity: number) => Promise<string>) {
  const eventId = await newEvent(RUSH_CAPACITY)
  await sleep(1000)
  console.log(`rush: ${fmt.int(RUSH_ATTEMPTS)} attempts at an event with room for ${RUSH_CAPACITY}…`)
  const result = await autocannonBodies(`${baseUrl}/v1/events/${eventId}/registrations`, {
    connections: CONNECTIONS,
    amount: RUSH_ATTEMPTS,
    durationSec: 120,
    makeBody: registrationBody,
    params: { tag: 'rush', party: 1 },
    sumField: 'partySize',
  })
  const [db] = await sql<{ confirmed_people: string; counter: number; ticket_admits: string; emails: string }[]>`
    select
      (select coalesce(sum(party_size), 0) from registrations where event_id = ${eventId} and status = 'confirmed') as confirmed_people,
      (select confirmed_people from events where id = ${eventId}) as counter,
      (select coalesce(sum(admits), 0) from tickets where event_id = ${eventId} and revoked_at is null) as ticket_admits,
      (select count(*) from outbox_emails where event_id = ${eventId}) as emails`
  const unexpected = Object.entries(result.statuses)
    .filter(([s]) => s !== '201' && s !== '409')
    .reduce((a, [, n]) => a + n, 0) + Object.entries(result.codes).filter(([c]) => c !== 'event_full').reduce((a, [, n]) => a + n, 0)
  return {
    result,
    unexpected,
    db: { confirmedPeople: Number(db.confirmed_people), counter: Number(db.counter), ticketAdmits: Number(db.ticket_admits), emails: Number(db.emails) },
  }
}

export const scenario: Scenario = {
  description: `registrations under ${CONNECTIONS} connections (PostgreSQL) vs a naive Fastify + postgres.js transaction; people/s, p99; a capacity rush`,
  run,
}
