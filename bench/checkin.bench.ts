/**
 * Door check-in on real PostgreSQL: 50 scanner devices (one vmd_ token per connection) scanning distinct valid
 * tickets of one event through POST /v1/events/{id}/checkins, beside the bare baseline route of the foundation
 * (bench/baseline-server.ts, GET /events/{id}); then the same scans at a fixed 1,000/s to read the latency at the
 * target load; then forged codes (a genuine code with one signature byte changed), which must be refused without
 * a database round trip, compared with the bare read run again right before and after them. Our server runs with
 * ROLE=api; autocannon runs in its own process.
 * Env: BENCH_CONNECTIONS (50), BENCH_DURATION seconds per run (20), BENCH_WARMUP seconds (3), BENCH_RATE scans/s of
 * the steady-rate run (1000), BENCH_TICKETS (100000), BENCH_API_PROCESSES (1: our server's API_PROCESSES).
 */
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { signTicketCode, type EventKey } from '../src/features/tickets/ticket-codes.js'
import {
  ADMIN,
  autocannon,
  cpuByName,
  cpuMsOfTree,
  createBenchDatabase,
  freePort,
  jsonRequest,
  onCleanup,
  sleep,
  startApp,
  startProcess,
  tempDir,
  tsEntry,
  waitForStatus,
  type LoadResult,
  envNumber,
  runLoader,
} from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const num = envNumber
const CONNECTIONS = num('BENCH_CONNECTIONS', 50)
const DURATION = num('BENCH_DURATION', 20)
const WARMUP = num('BENCH_WARMUP', 3)
const RATE = num('BENCH_RATE', 1000)
const TICKETS = num('BENCH_TICKETS', 100_000)
const API_PROCESSES = num('BENCH_API_PROCESSES', 1)
// Issue 18's targets: 2,500 valid scans/s at p99 ≤ 50 ms (was 1,000/s), forged codes at least as fast as the bare read.
const TARGET_SCANS = 2500
const TARGET_P99_MS = 50
const TARGET_INVALID = 5000
const DAY = 24 * 60 * 60 * 1000
const require = createRequire(import.meta.url)

interface ScanLoad extends LoadResult {
  durationSec: number
  statuses: Record<string, number>
  /** `status`/`reason` of the 200 answers */
  outcomes: Record<string, number>
}

/**
 * autocannon in a child process; each connection is one scanner (its own token), and request n of the run scans
 * code `offset + n % count` as an entry, or as an exit on odd passes over the slice, so every scan is valid.
 */
async function scanLoad(
  url: string,
  configFile: string,
  options: { offset: number; count: number; mode?: 'valid' | 'forged' | 'stuck'; durationSec: number },
): Promise<ScanLoad> {
  const script = `
    const fs = await import('node:fs')
    const config = JSON.parse(fs.readFileSync(process.env.BENCH_CHECKIN_CONFIG, 'utf8'))
    const options = JSON.parse(process.env.BENCH_CHECKIN_OPTIONS)
    const { default: autocannon } = await import('file://' + config.autocannon)
    const codes = config.codes
    // A genuine code with one of its 512 signature bits flipped: well-formed, the event's key id, not signed.
    // The codes are decoded once, before the run: the load generator shares the machine with the server, and what
    // it spends per request is taken from the server (the bare read's autocannon builds nothing per request).
    const raws = options.mode === 'valid' ? [] : codes.map((code) => Buffer.from(code.slice(3), 'base64url'))
    const forge = (i, bit) => {
      const raw = raws[i]
      raw[22 + (bit >> 3)] ^= 1 << (bit & 7)
      const forged = 'VM1' + raw.toString('base64url')
      raw[22 + (bit >> 3)] ^= 1 << (bit & 7)
      return forged
    }
    // The one answer a forged code gets, compared as text rather than parsed (anything else is parsed and counted).
    const INVALID = '{"status":"rejected","reason":"invalid_code"}'
    let n = 0
    let device = 0
    const statuses = {}, outcomes = {}
    const result = await autocannon({
      url: options.url,
      connections: config.connections,
      duration: options.durationSec,
      requests: [{
        method: 'POST',
        setupRequest: (request, context) => {
          // autocannon clears a client's context each time its request list restarts (every request here),
          // so a device is a token: the n-th request goes to token n mod tokens, and 'stuck' pairs each token with one code.
          context.device = device++ % config.tokens.length
          context.token = config.tokens[context.device]
          const i = n++
          const pass = Math.floor(i / options.count)
          const at = (options.offset + (i % options.count)) % codes.length
          // forged: a new forgery every request; stuck: each device its one forgery, again and again
          const code = options.mode === 'forged' ? forge(at, pass % 512) : options.mode === 'stuck' ? forge(context.device, 7) : codes[at]
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: 'Bearer ' + context.token },
            body: '{"code":"' + code + '","direction":"' + (pass % 2 ? 'exit' : 'entry') + '","nonce":"' + options.tag + '-' + i + '"}',
          }
        },
        onResponse: (status, body) => {
          statuses[status] = (statuses[status] ?? 0) + 1
          if (status !== 200) return
          if (body === INVALID) return (outcomes.invalid_code = (outcomes.invalid_code ?? 0) + 1)
          const json = JSON.parse(body)
          const key = json.status === 'ok' ? 'ok' : json.reason
          outcomes[key] = (outcomes[key] ?? 0) + 1
        },
      }],
    })
    process.stdout.write(JSON.stringify({ result, statuses, outcomes }) + '\\n')
  `
  const { result, statuses, outcomes } = await runLoader('check-in', script, {
    BENCH_CHECKIN_CONFIG: configFile,
    BENCH_CHECKIN_OPTIONS: JSON.stringify({ ...options, url, tag: randomUUID().slice(0, 8) }),
  })
  return { ...result, statuses, outcomes }
}

/**
 * Scans at a steady rate, open loop: one request every 1000/rate ms whatever the answers do, over a keep-alive
 * pool of `connections` sockets; a request's time counts from when it was due, so queueing is measured too.
 * (autocannon's rate limit is per second and per connection: each connection sends its share of a second back
 * to back at the start of the second, a burst every second rather than a steady rate.)
 */
async function steadyScanLoad(url: string, configFile: string, options: { offset: number; count: number; durationSec: number; rate: number }): Promise<ScanLoad> {
  const script = `
    const fs = await import('node:fs')
    const http = await import('node:http')
    const config = JSON.parse(fs.readFileSync(process.env.BENCH_CHECKIN_CONFIG, 'utf8'))
    const options = JSON.parse(process.env.BENCH_CHECKIN_OPTIONS)
    const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections })
    const latencies = [], statuses = {}, outcomes = {}
    let errors = 0, inflight = 0, stopped = false, due = 0
    const interval = 1000 / options.rate
    const start = performance.now(), end = start + options.durationSec * 1000
    await new Promise((resolve) => {
      const settle = () => { if (--inflight === 0 && stopped) resolve() }
      const fire = (i, at) => {
        const pass = Math.floor(i / options.count)
        const code = config.codes[(options.offset + (i % options.count)) % config.codes.length]
        const body = JSON.stringify({ code, direction: pass % 2 ? 'exit' : 'entry', nonce: options.tag + '-' + i })
        inflight++
        const request = http.request(options.url, {
          method: 'POST', agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer ' + config.tokens[i % config.tokens.length] },
        }, (res) => {
          let data = ''
          res.setEncoding('utf8').on('data', (c) => (data += c)).on('end', () => {
            latencies.push(performance.now() - at)
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
            if (res.statusCode === 200) {
              const json = JSON.parse(data)
              const key = json.status === 'ok' ? 'ok' : json.reason
              outcomes[key] = (outcomes[key] ?? 0) + 1
            }
            settle()
          })
        })
        request.on('error', () => { errors++; settle() })
        request.end(body)
      }
      const timer = setInterval(() => {
        const now = performance.now()
        // every request due by now, each timed from its own due moment (timer jitter neither drops nor delays the count)
        for (; start + due * interval <= Math.min(now, end); due++) fire(due, start + due * interval)
        if (now >= end) { clearInterval(timer); stopped = true; if (inflight === 0) resolve() }
      }, 1)
    })
    latencies.sort((a, b) => a - b)
    const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0)
    const non2xx = Object.entries(statuses).reduce((n, [status, count]) => n + (status >= 200 && status < 300 ? 0 : count), 0)
    const result = { requests: { total: latencies.length }, duration: options.durationSec, latency: { p50: at(0.5), p99: at(0.99) }, errors, timeouts: 0, non2xx }
    process.stdout.write(JSON.stringify({ result, statuses, outcomes }) + '\\n')
  `
  const { result, statuses, outcomes } = await runLoader('check-in, steady rate', script, {
    BENCH_CHECKIN_CONFIG: configFile,
    BENCH_CHECKIN_OPTIONS: JSON.stringify({ ...options, url, tag: randomUUID().slice(0, 8) }),
  })
  return { ...result, statuses, outcomes }
}

function eventBody() {
  const startsAt = new Date(Date.now() + 30 * DAY)
  startsAt.setUTCHours(9, 0, 0, 0)
  return {
    slug: `bench-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Vereinsmesse Dortmund',
    venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
    visitorCapacity: 1_000_000,
  }
}

/** What the server's pool connections were doing: pg_stat_activity every 50 ms, wait event (or state) → samples. */
function sampleActivity(sql: postgres.Sql) {
  const waits = new Map<string, number>()
  let samples = 0
  let running = true
  const done = (async () => {
    while (running) {
      const rows = await sql<{ w: string; n: string }[]>`
        select coalesce(wait_event_type || ':' || wait_event, state, '?') as w, count(*) as n
        from pg_stat_activity
        where datname = current_database() and application_name = 'vereinsmesse' and backend_type = 'client backend'
        group by 1`
      for (const r of rows) {
        waits.set(r.w, (waits.get(r.w) ?? 0) + Number(r.n))
        samples += Number(r.n)
      }
      await sleep(50)
    }
  })()
  return async () => {
    running = false
    await done
    return [...waits.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([w, n]) => `${w} ${fmt.pct(n / Math.max(1, samples))}`)
      .join(', ')
  }
}

async function transactionsOf(sql: postgres.Sql): Promise<number> {
  // Transactions of the bench database. Backends publish these counters when idle, up to 10 s late: wait that out.
  await sleep(11_000)
  const [row] = await sql<{ n: string }[]>`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`
  return Number(row.n)
}

async function run() {
  const load = os.loadavg()
  console.log(`load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs${load[0] > os.cpus().length * 0.5 ? ' — busy machine, noisy numbers' : ''}`)
  const databaseUrl = await createBenchDatabase()
  const ours = await startApp('vereinsmesse', { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ROLE: 'api', API_PROCESSES: String(API_PROCESSES) })
  const serverLog: string[] = []
  ours.proc.child.stdout!.on('data', (chunk: string) => serverLog.push(...chunk.split('\n').filter(Boolean)))
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  onCleanup(() => sql.end({ timeout: 2 }))

  const { token } = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: ADMIN })
  const event = await jsonRequest<{ id: string }>(`${ours.baseUrl}/v1/events`, { token, body: eventBody() })
  await jsonRequest(`${ours.baseUrl}/v1/events/${event.id}/publish`, { token, method: 'POST' })
  // One registration through the API makes the event's key; the other tickets are written directly with it.
  await jsonRequest(`${ours.baseUrl}/v1/events/${event.id}/registrations`, {
    body: { email: 'first@example.org', name: 'First Visitor', partySize: 2, consent: { privacy: true } },
  })
  const [keyRow] = await sql<{ kid: string; private_key: string; public_key: string }[]>`select kid, private_key, public_key from event_keys where event_id = ${event.id}`
  const privateKey = createPrivateKey({ key: Buffer.from(keyRow.private_key, 'base64url'), format: 'der', type: 'pkcs8' })
  const key: EventKey = { eventId: event.id, kid: keyRow.kid, privateKey, publicKey: createPublicKey(privateKey), publicKeyRaw: keyRow.public_key }
  const started = performance.now()
  if (process.env.BENCH_FILLFACTOR) await sql.unsafe(`alter table tickets set (fillfactor = ${Number(process.env.BENCH_FILLFACTOR)})`)
  const codes: string[] = []
  for (let chunk = 0; chunk < TICKETS; chunk += 5000) {
    const rows = Array.from({ length: Math.min(5000, TICKETS - chunk) }, (_, i) => {
      const id = randomUUID()
      const code = signTicketCode(id, key)
      codes.push(code)
      const n = chunk + i
      return { id, event_id: event.id, kind: 'visitor', holder_name: `Bench Visitor ${n}`, admits: 1 + (n % 3), code }
    })
    await sql`insert into tickets ${sql(rows)}`
  }
  await sql`analyze tickets`
  console.log(`${fmt.int(TICKETS)} tickets signed and written in ${((performance.now() - started) / 1000).toFixed(1)} s`)

  const tokens: string[] = []
  for (let i = 0; i < CONNECTIONS; i++) {
    const scanner = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/events/${event.id}/scanners`, {
      token,
      body: { label: `Bench phone ${i + 1}`, gate: `Gate ${(i % 5) + 1}` },
    })
    tokens.push(scanner.token)
  }
  const configFile = path.join(tempDir('vms-checkin-bench-'), 'load.json')
  fs.writeFileSync(
    configFile,
    JSON.stringify({ connections: CONNECTIONS, tokens, codes, autocannon: require.resolve('autocannon') }),
  )
  const scanUrl = `${ours.baseUrl}/v1/events/${event.id}/checkins`

  const basePort = await freePort()
  const baseline = startProcess('baseline', tsEntry('bench/baseline-server.ts'), { DATABASE_URL: databaseUrl, PORT: String(basePort), POOL_SIZE: '10' })
  const baselineUrl = `http://127.0.0.1:${basePort}/events/${event.id}`
  await waitForStatus(baselineUrl, baseline)

  // Disjoint slices of tickets per run, so every scan of every run is a valid entry (or, past a slice, an exit).
  const slice = { warm: { offset: 0, count: Math.floor(TICKETS * 0.1) }, main: { offset: Math.floor(TICKETS * 0.1), count: Math.floor(TICKETS * 0.6) }, rate: { offset: Math.floor(TICKETS * 0.7), count: TICKETS - Math.floor(TICKETS * 0.7) } }
  console.log(`warm-up ${WARMUP} s, then ${DURATION} s per run, ${CONNECTIONS} connections (one scanner each)…`)
  await scanLoad(scanUrl, configFile, { ...slice.warm, durationSec: WARMUP })
  await autocannon(baselineUrl, { connections: CONNECTIONS, durationSec: WARMUP })
  await sleep(500)

  const [walBefore] = await sql<{ bytes: string; fpi: string }[]>`select wal_bytes as bytes, wal_fpi as fpi from pg_stat_wal`
  const stopSampling = sampleActivity(sql)
  const pgBefore = cpuByName('postgres')
  const serverBefore = cpuMsOfTree(ours.proc.pid)
  const main = await scanLoad(scanUrl, configFile, { ...slice.main, durationSec: DURATION })
  const serverCpu = cpuMsOfTree(ours.proc.pid) - serverBefore
  const pgAfter = cpuByName('postgres')
  const pgCpu = [...pgAfter].reduce((s, [pid, ms]) => s + ms - (pgBefore.get(pid) ?? 0), 0)
  const waits = await stopSampling()
  const [walAfter] = await sql<{ bytes: string; fpi: string }[]>`select wal_bytes as bytes, wal_fpi as fpi from pg_stat_wal`
  const walPerScan = (Number(walAfter.bytes) - Number(walBefore.bytes)) / main.total
  const fpiPerScan = (Number(walAfter.fpi) - Number(walBefore.fpi)) / main.total
  await sleep(500)
  const base = await autocannon(baselineUrl, { connections: CONNECTIONS, durationSec: DURATION })
  await sleep(500)
  const atRate = await steadyScanLoad(scanUrl, configFile, { ...slice.rate, durationSec: DURATION, rate: RATE })
  // The bare read again, right before and right after the two forged-code runs: their ratio is to the mean of the
  // two, so that the machine's drift over the bench (other tenants, the scans' aftermath) falls on both sides alike.
  // The bare read's CPU per request, its server and PostgreSQL, over the two runs around the forged codes.
  const readCpu = { server: 0, pg: 0 }
  const measuredRead = async () => {
    const serverBefore = cpuMsOfTree(baseline.pid)
    const pgBefore = cpuByName('postgres')
    const run = await autocannon(baselineUrl, { connections: CONNECTIONS, durationSec: DURATION })
    readCpu.server += cpuMsOfTree(baseline.pid) - serverBefore
    readCpu.pg += [...cpuByName('postgres')].reduce((sum, [pid, ms]) => sum + ms - (pgBefore.get(pid) ?? 0), 0)
    return run
  }
  const baseBefore = await measuredRead()
  const transactionsBefore = await transactionsOf(sql)
  const invalidServerBefore = cpuMsOfTree(ours.proc.pid)
  const invalid = await scanLoad(scanUrl, configFile, { offset: 0, count: TICKETS, mode: 'forged', durationSec: DURATION })
  const invalidServerCpu = cpuMsOfTree(ours.proc.pid) - invalidServerBefore
  const stuck = await scanLoad(scanUrl, configFile, { offset: 0, count: TICKETS, mode: 'stuck', durationSec: DURATION })
  const transactionsDuring = (await transactionsOf(sql)) - transactionsBefore
  const baseAfter = await measuredRead()
  const readsMeasured = baseBefore.total + baseAfter.total
  const forgedBase = (baseBefore.requestsPerSec + baseAfter.requestsPerSec) / 2

  const [db] = await sql<{ ok: string; rejected: string; inside: string; entries: string; exits: string; ticket_people: string; invalid: string }[]>`
    select (select count(*) from checkins where result = 'ok') as ok,
           (select count(*) from checkins where result = 'rejected') as rejected,
           (select sum(inside) from occupancy_shards) as inside, (select sum(entries) from occupancy_shards) as entries,
           (select sum(exits) from occupancy_shards) as exits, (select sum(inside_people) from tickets) as ticket_people,
           (select coalesce(sum(count), 0) from invalid_scans) as invalid`

  const [hot] = await sql<{ updates: string; hot: string }[]>`select n_tup_upd as updates, n_tup_hot_upd as hot from pg_stat_user_tables where relname = 'tickets'`

  const row = (label: string, r: LoadResult & { outcomes?: Record<string, number> }, extra: Record<string, string> = {}) => ({
    run: label,
    'req/s': fmt.int(r.requestsPerSec),
    p50: fmt.ms(r.p50),
    p99: fmt.ms(r.p99),
    'errors/non-2xx': `${r.errors}/${r.non2xx}`,
    answers: r.outcomes ? Object.entries(r.outcomes).map(([k, n]) => `${fmt.int(n)} ${k}`).join(', ') : '',
    ...extra,
  })
  const ratio = main.requestsPerSec / base.requestsPerSec
  printTable(`${CONNECTIONS} connections, ${DURATION} s per run`, [
    row('scans, as fast as possible', main, { 'ours/baseline': fmt.pct(ratio) }),
    row('baseline GET /events/{id}', base, { 'ours/baseline': '' }),
    row(`scans at a steady ${fmt.int(RATE)}/s (open loop)`, atRate, { 'ours/baseline': '' }),
    row('baseline GET, right before the forged codes', baseBefore, { 'ours/baseline': '' }),
    row('forged codes, each new', invalid, { 'ours/baseline': `${(invalid.requestsPerSec / forgedBase).toFixed(2)}× (mean of the baselines around)` }),
    row('forged codes, each device one again and again', stuck, { 'ours/baseline': '' }),
    row('baseline GET, right after the forged codes', baseAfter, { 'ours/baseline': '' }),
  ])
  printTable('CPU (100% = one core)', [
    {
      run: 'scans',
      server: `${Math.round((serverCpu / (main.durationSec * 1000)) * 100)}%`,
      'PostgreSQL (all)': `${Math.round((pgCpu / (main.durationSec * 1000)) * 100)}%`,
      'server CPU/request': `${(serverCpu / main.total).toFixed(2)} ms`,
      'PG CPU/request': `${(pgCpu / main.total).toFixed(2)} ms`,
    },
    {
      run: 'forged codes',
      server: `${Math.round((invalidServerCpu / (invalid.durationSec * 1000)) * 100)}%`,
      'PostgreSQL (all)': '',
      'server CPU/request': `${(invalidServerCpu / invalid.total).toFixed(3)} ms`,
      'PG CPU/request': '',
    },
    {
      run: 'bare read (the runs around the forged codes)',
      server: `${Math.round((readCpu.server / (DURATION * 2000)) * 100)}%`,
      'PostgreSQL (all)': `${Math.round((readCpu.pg / (DURATION * 2000)) * 100)}%`,
      'server CPU/request': `${(readCpu.server / readsMeasured).toFixed(3)} ms`,
      'PG CPU/request': `${(readCpu.pg / readsMeasured).toFixed(3)} ms`,
    },
  ])
  console.log(
    `A forged code cost ${(invalidServerCpu / invalid.total).toFixed(3)} ms of CPU (our server, its code-check thread included), ` +
      `a bare read ${((readCpu.server + readCpu.pg) / readsMeasured).toFixed(3)} ms (its server and PostgreSQL): ` +
      `${((invalidServerCpu / invalid.total) / ((readCpu.server + readCpu.pg) / readsMeasured)).toFixed(2)}×. ` +
      `The load generator's own CPU is on the same two cores and in neither figure.`,
  )
  console.log(`\nThe server's pool connections during the scans (pg_stat_activity every 50 ms): ${waits}`)
  console.log(
    `Database transactions during the two forged-code runs: ${fmt.int(transactionsDuring)} for ${fmt.int(invalid.total + stuck.total)} scans ` +
      `(the batched counts of invalid codes, about one a second, the key refresh, and the monitoring itself).`,
  )
  console.log(
    `Database afterwards: ${fmt.int(Number(db.ok))} accepted and ${fmt.int(Number(db.rejected))} rejected scans recorded; ` +
      `inside ${fmt.int(Number(db.inside))} = entries ${fmt.int(Number(db.entries))} − exits ${fmt.int(Number(db.exits))}; tickets inside hold ${fmt.int(Number(db.ticket_people))} people; ` +
      `${fmt.int(Number(db.invalid))} invalid codes counted.`,
  )
  console.log(`WAL per scan: ${fmt.int(walPerScan)} bytes, ${fpiPerScan.toFixed(2)} full-page images.`)
  console.log(`Ticket updates: ${fmt.int(Number(hot.updates))}, of them HOT (no index touched): ${fmt.pct(Number(hot.hot) / Math.max(1, Number(hot.updates)))}.`)
  if (serverLog.length) console.log(`\nour server logged ${serverLog.length} warning/error line(s); the first: ${serverLog[0].slice(0, 600)}`)

  const okAnswers = (r: ScanLoad) => r.outcomes.ok ?? 0
  const clean = [main, atRate].every((r) => r.errors === 0 && r.non2xx === 0 && okAnswers(r) === r.total)
  const consistent =
    Number(db.inside) === Number(db.entries) - Number(db.exits) &&
    Number(db.inside) === Number(db.ticket_people) &&
    Number(db.ok) >= okAnswers(main) + okAnswers(atRate) &&
    Number(db.invalid) >= invalid.outcomes.invalid_code + stuck.outcomes.invalid_code
  return summarize(printVerdicts([
    { target: `≥ ${fmt.int(TARGET_SCANS)} valid scans/s (${CONNECTIONS} scanners, as fast as possible)`, actual: fmt.int(main.requestsPerSec), ok: main.requestsPerSec >= TARGET_SCANS },
    { target: `p99 ≤ ${TARGET_P99_MS} ms at ${fmt.int(RATE)} scans/s`, actual: fmt.ms(atRate.p99), ok: atRate.p99 <= TARGET_P99_MS && atRate.requestsPerSec >= RATE * 0.95 },
    { target: `p99 ≤ ${TARGET_P99_MS} ms as fast as possible`, actual: fmt.ms(main.p99), ok: main.p99 <= TARGET_P99_MS },
    {
      target: `forged codes refused at ≥ ${fmt.int(TARGET_INVALID)}/s, each a new forgery`,
      actual: fmt.int(invalid.requestsPerSec),
      ok: invalid.requestsPerSec >= TARGET_INVALID && invalid.outcomes.invalid_code === invalid.total,
    },
    {
      target: 'forged codes, each new, ≥ 1.0× the bare read (baseline GET, runs before and after)',
      actual: `${(invalid.requestsPerSec / forgedBase).toFixed(2)}×`,
      ok: invalid.requestsPerSec >= forgedBase,
    },
    {
      target: `forged codes refused at ≥ ${fmt.int(TARGET_INVALID)}/s, the same ones again`,
      actual: fmt.int(stuck.requestsPerSec),
      ok: stuck.requestsPerSec >= TARGET_INVALID && stuck.outcomes.invalid_code === stuck.total,
    },
    { target: 'every valid scan ok, no errors or non-2xx', actual: `${fmt.int(okAnswers(main) + okAnswers(atRate))} ok of ${fmt.int(main.total + atRate.total)}`, ok: clean },
    { target: 'counters = scan log = tickets afterwards', actual: consistent ? 'yes' : 'no', ok: consistent },
  ]), { ours: `${fmt.int(main.requestsPerSec)} scans/s`, baseline: `${fmt.int(base.requestsPerSec)} req/s`, ratio: fmt.pct(ratio), p99: fmt.ms(main.p99) })
}

export const scenario: Scenario = {
  description: 'POST /v1/events/{id}/checkins: 50 scanners, valid tickets, then 1,000/s, then forged codes (PostgreSQL) vs the baseline GET',
  run,
}
