/**
 * Matchmaking and the exhibitor list of a fair with 500 exhibitors, on real PostgreSQL: GET
 * /v1/events/{id}/matches?associationId= as a member of one exhibitor (every request reads all 500 approved
 * exhibitors and ranks them), and the public GET /v1/events/{id}/exhibitors (first page of 50), each beside the
 * bare baseline route (bench/baseline-server.ts, a primary-key read of the event). Exhibitors are inserted directly
 * (the booking workflow is measured elsewhere). autocannon runs in its own process.
 * Env: BENCH_CONNECTIONS (50), BENCH_DURATION seconds per run (10), BENCH_WARMUP seconds (3), BENCH_EXHIBITORS (500).
 */
import postgres from 'postgres'
import {
  ADMIN,
  autocannon,
  createBenchDatabase,
  freePort,
  jsonRequest,
  sleep,
  startApp,
  startProcess,
  tsEntry,
  waitForStatus,
  type LoadResult,
  envNumber,
} from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const num = envNumber
const CONNECTIONS = num('BENCH_CONNECTIONS', 50)
const DURATION = num('BENCH_DURATION', 10)
const WARMUP = num('BENCH_WARMUP', 3)
const EXHIBITORS = num('BENCH_EXHIBITORS', 500)
const TARGET_MATCHES_P99_MS = 50
const TARGET_LIST_RATIO = 0.5
const DAY = 24 * 60 * 60 * 1000

const FIELDS = ['culture', 'arts', 'education', 'language', 'sport', 'religion', 'integration', 'environment', 'health', 'neighbourhood', 'counselling', 'leisure']
const GROUPS = ['children', 'youth', 'parents', 'women', 'seniors', 'refugees', 'migrants', 'jobseekers']
const DISTRICTS = ['innenstadt-west', 'innenstadt-nord', 'innenstadt-ost', 'eving', 'scharnhorst', 'brackel', 'aplerbeck', 'hoerde', 'hombruch', 'luetgendortmund', 'huckarde', 'mengede']

/** lib.ts's autocannon() with this bench's connection count; the matches route needs a session header. */
const load = (url: string, durationSec: number, headers: Record<string, string> = {}): Promise<LoadResult> =>
  autocannon(url, { connections: CONNECTIONS, durationSec, headers })

/** 500 associations with varied profiles, each with a stand and an approved booking, in three statements. */
async function seedExhibitors(databaseUrl: string, eventId: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const profiles = Array.from({ length: EXHIBITORS }, (_, i) => ({
      name: `Verein ${String(i).padStart(4, '0')}`,
      district: DISTRICTS[(i * 5) % DISTRICTS.length],
      description: 'Wir stellen uns auf der Vereinsmesse vor.',
      fields_of_activity: [FIELDS[i % FIELDS.length], FIELDS[(i * 7 + 3) % FIELDS.length]],
      target_groups: [GROUPS[i % GROUPS.length], GROUPS[(i * 3 + 1) % GROUPS.length]],
      languages: ['de'],
      migrant_organization: i % 3 === 0,
      contact_email: `verein-${i}@example.org`,
    }))
    const associations = await sql<{ id: string }[]>`insert into associations ${sql(profiles)} returning id`
    const stands = await sql<{ id: string }[]>`
      insert into stands ${sql(associations.map((_, i) => ({ event_id: eventId, code: `S-${String(i).padStart(4, '0')}`, area: `Halle ${1 + (i % 3)}` })))}
      returning id`
    await sql`insert into stand_bookings ${sql(associations.map((a, i) => ({ event_id: eventId, association_id: a.id, status: 'approved', stand_id: stands[i].id })))}`
    // What autovacuum does within a minute of such an insert; without statistics the planner guesses nested loops.
    await sql`analyze`
    return associations.map((a) => a.id)
  } finally {
    await sql.end()
  }
}

async function run() {
  const databaseUrl = await createBenchDatabase()
  const ours = await startApp('vereinsmesse', { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' })

  const { token } = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: ADMIN })
  const startsAt = new Date(Date.now() + 30 * DAY)
  const event = await jsonRequest<{ id: string }>(`${ours.baseUrl}/v1/events`, {
    token,
    body: {
      slug: `bench-${Math.random().toString(36).slice(2, 10)}`,
      title: 'Vereinsmesse Dortmund',
      venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
      visitorCapacity: 500,
    },
  })
  await jsonRequest(`${ours.baseUrl}/v1/events/${event.id}/publish`, { token, method: 'POST' })
  const associationIds = await seedExhibitors(databaseUrl, event.id)

  // A member of one exhibitor asks for its matches, as the front end would.
  const member = { email: 'bench-exhibitor@example.org', password: 'bench-password-123' }
  const account = await jsonRequest<{ id: string }>(`${ours.baseUrl}/v1/accounts`, {
    token,
    body: { ...member, name: 'Bench Exhibitor', role: 'exhibitor' },
  })
  const self = associationIds[1]
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  await sql`insert into association_members (association_id, account_id) values (${self}, ${account.id})`
  await sql.end()
  const session = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: member })
  const auth = { authorization: `Bearer ${session.token}` }

  const matchesUrl = `${ours.baseUrl}/v1/events/${event.id}/matches?associationId=${self}`
  const listUrl = `${ours.baseUrl}/v1/events/${event.id}/exhibitors`
  const check = await fetch(matchesUrl, { headers: auth })
  const matches = (await check.json()) as { items: unknown[] }
  if (check.status !== 200) throw new Error(`matches answered ${check.status}`)
  const all = await (await fetch(`${matchesUrl}&limit=500`, { headers: auth })).json() as { items: unknown[] }
  const list = (await jsonRequest<{ items: unknown[] }>(listUrl)).items.length
  console.log(`${EXHIBITORS} exhibitors; ${all.items.length} of them match association #1 (answers carry the best ${matches.items.length}); the list's first page has ${list}`)

  const basePort = await freePort()
  const baseline = startProcess('baseline', tsEntry('bench/baseline-server.ts'), { DATABASE_URL: databaseUrl, PORT: String(basePort), POOL_SIZE: '10' })
  const baselineUrl = `http://127.0.0.1:${basePort}/events/${event.id}`
  await waitForStatus(baselineUrl, baseline)

  const runs = {
    baseline: () => load(baselineUrl, DURATION),
    matches: () => load(matchesUrl, DURATION, auth),
    'matches (limit=500)': () => load(`${matchesUrl}&limit=500`, DURATION, auth),
    exhibitors: () => load(listUrl, DURATION),
  }
  console.log(`warm-up ${WARMUP} s each, then ${DURATION} s each, ${CONNECTIONS} connections…`)
  await load(baselineUrl, WARMUP)
  await load(matchesUrl, WARMUP, auth)
  await load(listUrl, WARMUP)
  const results: Record<string, LoadResult> = {}
  for (const [name, measure] of Object.entries(runs)) {
    await sleep(500)
    results[name] = await measure()
  }
  const base = results.baseline.requestsPerSec
  printTable(
    `${EXHIBITORS} exhibitors, ${CONNECTIONS} connections, ${DURATION} s per run`,
    Object.entries(results).map(([name, r]) => ({
      run: name,
      'req/s': fmt.int(r.requestsPerSec),
      p50: fmt.ms(r.p50),
      p99: fmt.ms(r.p99),
      'errors/non-2xx': `${r.errors}/${r.non2xx}`,
      'of baseline': fmt.pct(r.requestsPerSec / base),
    })),
  )
  const failures = Object.values(results).reduce((s, r) => s + r.errors + r.non2xx, 0)
  return summarize(printVerdicts([
    { target: `matches p99 < ${TARGET_MATCHES_P99_MS} ms`, actual: fmt.ms(results.matches.p99), ok: results.matches.p99 < TARGET_MATCHES_P99_MS },
    {
      target: `exhibitors >= ${fmt.pct(TARGET_LIST_RATIO)} of baseline req/s`,
      actual: fmt.pct(results.exhibitors.requestsPerSec / base),
      ok: results.exhibitors.requestsPerSec / base >= TARGET_LIST_RATIO,
    },
    { target: 'no errors or non-2xx', actual: String(failures), ok: failures === 0 },
  ]), { ours: `${fmt.int(results.exhibitors.requestsPerSec)} req/s (exhibitors)`, baseline: `${fmt.int(base)} req/s`, ratio: fmt.pct(results.exhibitors.requestsPerSec / base), p99: `${fmt.ms(results.matches.p99)} (matches)` })
}

export const scenario: Scenario = {
  description: `GET matches and the exhibitor list of a fair with ${EXHIBITORS} exhibitors (PostgreSQL) beside the bare baseline route`,
  run,
}
