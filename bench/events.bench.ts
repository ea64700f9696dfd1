/**
 * GET /v1/events/{id} of a published event on our server (PostgreSQL mode) against bench/baseline-server.ts
 * doing the same primary-key read, both as their own processes, autocannon in a third.
 * Env: BENCH_CONNECTIONS (50), BENCH_DURATION seconds per run (10), BENCH_WARMUP seconds (3), BENCH_ROUNDS (2;
 * the order alternates each round).
 */
import {
  ADMIN,
  autocannon,
  createBenchDatabase,
  freePort,
  jsonRequest,
  memoryOf,
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
const ROUNDS = num('BENCH_ROUNDS', 2)
const TARGET_RATIO = 0.5
const TARGET_P99_MS = 20
const DAY = 24 * 60 * 60 * 1000

function eventBody() {
  const startsAt = new Date(Date.now() + 30 * DAY)
  startsAt.setUTCHours(9, 0, 0, 0)
  return {
    slug: `bench-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Vereinsmesse Dortmund',
    description: 'Vereine stellen sich vor: Sport, Kultur, Soziales.',
    venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
    visitorCapacity: 500,
    reminders: [{ audience: 'visitors', minutesBefore: 1440 }],
  }
}

async function run() {
  const databaseUrl = await createBenchDatabase()
  const ours = await startApp('vereinsmesse', { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' })

  const { token } = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: ADMIN })
  const event = await jsonRequest<{ id: string }>(`${ours.baseUrl}/v1/events`, { token, body: eventBody() })
  const published = await jsonRequest<{ status: string }>(`${ours.baseUrl}/v1/events/${event.id}/publish`, {
    token,
    method: 'POST',
  })
  if (published.status !== 'published') throw new Error(`publish answered status ${published.status}`)

  const basePort = await freePort()
  const baseline = startProcess('baseline', tsEntry('bench/baseline-server.ts'), {
    DATABASE_URL: databaseUrl,
    PORT: String(basePort),
    POOL_SIZE: '10',
  })
  const targets = {
    ours: { url: `${ours.baseUrl}/v1/events/${event.id}`, pid: ours.proc.pid },
    baseline: { url: `http://127.0.0.1:${basePort}/events/${event.id}`, pid: baseline.pid },
  }
  await waitForStatus(targets.baseline.url, baseline)
  // Anonymous read of a published event: must be 200 before we measure it.
  await jsonRequest(targets.ours.url)

  await sleep(1000)
  const idle = { ours: memoryOf(targets.ours.pid), baseline: memoryOf(targets.baseline.pid) }

  console.log(`warm-up ${WARMUP} s each, then ${ROUNDS} round(s) of ${DURATION} s each, ${CONNECTIONS} connections…`)
  for (const name of ['ours', 'baseline'] as const) await autocannon(targets[name].url, { connections: CONNECTIONS, durationSec: WARMUP })

  const runs: Array<{ round: number; name: 'ours' | 'baseline'; result: LoadResult }> = []
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)
    for (const name of order) {
      await sleep(500)
      runs.push({ round, name, result: await autocannon(targets[name].url, { connections: CONNECTIONS, durationSec: DURATION }) })
    }
  }
  await sleep(1000)
  const after = { ours: memoryOf(targets.ours.pid), baseline: memoryOf(targets.baseline.pid) }

  const row = (label: string, r: LoadResult, extra: Record<string, string> = {}) => ({
    run: label,
    'req/s': fmt.int(r.requestsPerSec),
    p50: fmt.ms(r.p50),
    p99: fmt.ms(r.p99),
    'errors/non-2xx': `${r.errors}/${r.non2xx}`,
    ...extra,
  })
  printTable(
    `GET /v1/events/{id}, ${CONNECTIONS} connections, ${DURATION} s per run`,
    runs.map((r) => row(`#${r.round} ${r.name}`, r.result)),
  )

  const mean = (name: 'ours' | 'baseline'): LoadResult => {
    const mine = runs.filter((r) => r.name === name).map((r) => r.result)
    const avg = (f: (r: LoadResult) => number) => mine.reduce((s, r) => s + f(r), 0) / mine.length
    const sum = (f: (r: LoadResult) => number) => mine.reduce((s, r) => s + f(r), 0)
    return {
      requestsPerSec: avg((r) => r.requestsPerSec),
      p50: avg((r) => r.p50),
      p99: avg((r) => r.p99),
      errors: sum((r) => r.errors),
      non2xx: sum((r) => r.non2xx),
      total: sum((r) => r.total),
    }
  }
  const m = { ours: mean('ours'), baseline: mean('baseline') }
  const ratio = m.ours.requestsPerSec / m.baseline.requestsPerSec
  printTable(`Mean of ${ROUNDS} round(s)`, [
    row('ours', m.ours, { 'ours/baseline': fmt.pct(ratio) }),
    row('baseline', m.baseline, { 'ours/baseline': '' }),
  ])
  printTable('Memory (VmRSS of the server process)', [
    { server: 'ours (postgres)', 'idle before load': fmt.mb(idle.ours.rssMb), 'idle after load': fmt.mb(after.ours.rssMb), peak: fmt.mb(after.ours.peakMb) },
    { server: 'baseline', 'idle before load': fmt.mb(idle.baseline.rssMb), 'idle after load': fmt.mb(after.baseline.rssMb), peak: fmt.mb(after.baseline.peakMb) },
  ])

  const worstP99 = Math.max(...runs.filter((r) => r.name === 'ours').map((r) => r.result.p99))
  const failures = runs.reduce((s, r) => s + r.result.errors + r.result.non2xx, 0)
  return summarize(printVerdicts([
    { target: `ours >= ${fmt.pct(TARGET_RATIO)} of baseline req/s`, actual: fmt.pct(ratio), ok: ratio >= TARGET_RATIO },
    { target: `ours p99 < ${TARGET_P99_MS} ms (worst run)`, actual: fmt.ms(worstP99), ok: worstP99 < TARGET_P99_MS },
    { target: 'no errors or non-2xx', actual: String(failures), ok: failures === 0 },
  ]), { ours: `${fmt.int(m.ours.requestsPerSec)} req/s`, baseline: `${fmt.int(m.baseline.requestsPerSec)} req/s`, ratio: fmt.pct(ratio), p99: fmt.ms(worstP99) })
}

export const scenario: Scenario = {
  description: 'GET /v1/events/{id} (PostgreSQL) vs a bare Fastify + postgres.js baseline, autocannon in a child process',
  run,
}
