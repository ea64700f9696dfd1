/**
 * Seat reservations of the program: 5,000 confirmed visitors (party of 1) reserve across 20 sessions of 100 seats at
 * 200 connections — POST /v1/registrations/{id}/sessions/{sessionId} with each visitor's manage token on our server
 * (PostgreSQL, ROLE=api: emails only queue) — against bench/program-baseline-server.ts doing the naive transaction
 * (row lock, check, count, insert; one commit per reservation) on its own event in the same database.
 * Targets: exactly 2,000 reserved people on each side and nothing oversold, throughput ≥ 3× the baseline, p99 < 150 ms.
 * Env: BENCH_CONNECTIONS (200), BENCH_VISITORS (5000), BENCH_SESSIONS (20), BENCH_SEATS (100).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { ADMIN, createBenchDatabase, envNumber, freePort, jsonRequest, onCleanup, runLoader, sleep, startApp, startProcess, tempDir, tsEntry, waitForStatus } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 200)
const VISITORS = envNumber('BENCH_VISITORS', 5000)
const SESSIONS = envNumber('BENCH_SESSIONS', 20)
const SEATS = envNumber('BENCH_SEATS', 100)
const TARGET_RATIO = 3
const TARGET_P99_MS = 150
const DAY = 24 * 60 * 60 * 1000

type Sql = ReturnType<typeof postgres>

async function newEvent(baseUrl: string, token: string) {
  const startsAt = new Date(Date.now() + 30 * DAY)
  startsAt.setUTCHours(9, 0, 0, 0)
  const body = {
    slug: `bench-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Vereinsmesse Dortmund',
    venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * 3600_000).toISOString(),
    visitorCapacity: 100_000,
  }
  const event = await jsonRequest<{ id: string; startsAt: string }>(`${baseUrl}/v1/events`, { token, body })
  await jsonRequest(`${baseUrl}/v1/events/${event.id}/publish`, { token, method: 'POST' })
  const sessions: string[] = []
  for (let i = 0; i < SESSIONS; i++) {
    const room = await jsonRequest<{ id: string }>(`${baseUrl}/v1/events/${event.id}/rooms`, { token, body: { name: `Raum ${i + 1}`, capacity: SEATS } })
    const at = (m: number) => new Date(Date.parse(event.startsAt) + m * 60_000).toISOString()
    const session = await jsonRequest<{ id: string }>(`${baseUrl}/v1/events/${event.id}/sessions`, {
      token,
      body: { title: `Forum ${i + 1}`, kind: 'forum', topics: ['culture'], languages: ['de'], roomId: room.id, startsAt: at(60), endsAt: at(120), seats: SEATS },
    })
    await jsonRequest(`${baseUrl}/v1/sessions/${session.id}/publish`, { token, method: 'POST' })
    sessions.push(session.id)
  }
  return { eventId: event.id, sessions }
}

/** Confirmed registrations of one person each, with manage tokens, written directly (registering is another bench). */
async function visitors(sql: Sql, eventId: string, tag: string) {
  const rows = Array.from({ length: VISITORS }, (_, i) => ({
    event_id: eventId,
    email: `v${i}-${tag}@example.org`,
    name: `Visitor ${i}`,
    party_size: 1,
    language: 'de',
    status: 'confirmed',
    consent_privacy_at: new Date(),
  }))
  const ids: string[] = []
  for (let i = 0; i < rows.length; i += 1000) ids.push(...(await sql`insert into registrations ${sql(rows.slice(i, i + 1000))} returning id`).map((r) => r.id as string))
  await sql`update events set confirmed_people = ${VISITORS} where id = ${eventId}`
  const tokens = ids.map(() => `vmr_${randomBytes(32).toString('base64url')}`)
  const tokenRows = ids.map((id, i) => ({ token_hash: createHash('sha256').update(tokens[i]).digest('hex'), registration_id: id }))
  for (let i = 0; i < tokenRows.length; i += 1000) await sql`insert into registration_tokens ${sql(tokenRows.slice(i, i + 1000))}`
  return ids.map((id, i) => ({ id, token: tokens[i] }))
}

/** Each visitor once, spread over the sessions; autocannon takes request n from the list (its own process). */
async function load(base: string, requests: { path: string; token?: string }[], dir: string, label: string) {
  const file = path.join(dir, `${label}.json`)
  fs.writeFileSync(file, JSON.stringify(requests))
  const script = `
    const fs = await import('node:fs')
    const list = JSON.parse(fs.readFileSync(process.env.BENCH_REQUESTS, 'utf8'))
    const { default: autocannon } = await import(process.env.BENCH_AUTOCANNON)
    let n = 0
    const statuses = {}, codes = {}
    let people = 0
    const result = await autocannon({
      url: process.env.BENCH_BASE,
      connections: Number(process.env.BENCH_CONNECTIONS),
      amount: list.length,
      // a loaded machine answers slowly: count a slow answer, not a timeout
      timeout: 60,
      requests: [{
        method: 'POST',
        setupRequest: (request) => {
          const item = list[n++ % list.length]
          return { ...request, path: item.path, headers: item.token ? { authorization: 'Bearer ' + item.token } : {} }
        },
        onResponse: (status, body) => {
          statuses[status] = (statuses[status] ?? 0) + 1
          let json
          try { json = JSON.parse(body) } catch { return }
          if (status === 201 && json.status === 'reserved') people += json.people
          else if (json && json.code) codes[json.code] = (codes[json.code] ?? 0) + 1
        },
      }],
    })
    process.stdout.write(JSON.stringify({ result, statuses, codes, people }) + '\\n')
  `
  const { createRequire } = await import('node:module')
  const autocannonPath = 'file://' + createRequire(import.meta.url).resolve('autocannon')
  return runLoader(label, script, { BENCH_REQUESTS: file, BENCH_AUTOCANNON: autocannonPath, BENCH_BASE: base, BENCH_CONNECTIONS: String(CONNECTIONS) })
}

async function check(sql: Sql, eventId: string) {
  const [row] = await sql`
    select
      (select coalesce(sum(people), 0) from session_reservations where event_id = ${eventId} and status = 'reserved')::int as reserved,
      (select coalesce(sum(reserved_people), 0) from program_sessions where event_id = ${eventId})::int as counters,
      (select count(*) from program_sessions s where s.event_id = ${eventId}
         and (select coalesce(sum(people), 0) from session_reservations r where r.session_id = s.id and r.status = 'reserved') > s.seats)::int as oversold`
  return { reserved: Number(row.reserved), counters: Number(row.counters), oversold: Number(row.oversold) }
}

async function run() {
  const loadAvg = os.loadavg()
  console.log(`load average ${loadAvg.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs${loadAvg[0] > os.cpus().length * 0.5 ? ' — the machine is busy, expect noisy numbers' : ''}`)
  const databaseUrl = await createBenchDatabase()
  const ours = await startApp('vereinsmesse', { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ROLE: 'api' })
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  onCleanup(() => sql.end({ timeout: 2 }))
  const { token } = await jsonRequest<{ token: string }>(`${ours.baseUrl}/v1/auth/login`, { body: ADMIN })
  const fairs = { ours: await newEvent(ours.baseUrl, token), baseline: await newEvent(ours.baseUrl, token) }
  const people = { ours: await visitors(sql, fairs.ours.eventId, 'ours'), baseline: await visitors(sql, fairs.baseline.eventId, 'base') }
  const basePort = await freePort()
  const baseline = startProcess('program-baseline', tsEntry('bench/program-baseline-server.ts'), { DATABASE_URL: databaseUrl, PORT: String(basePort), POOL_SIZE: '10' })
  await waitForStatus(`http://127.0.0.1:${basePort}/health`, baseline)
  const dir = tempDir('vms-program-bench-')
  const requests = (name: 'ours' | 'baseline') =>
    people[name].map((v, i) => ({
      path: `${name === 'ours' ? '/v1' : ''}/registrations/${v.id}/sessions/${fairs[name].sessions[i % SESSIONS]}`,
      ...(name === 'ours' ? { token: v.token } : {}),
    }))
  console.log(`${fmt.int(VISITORS)} visitors reserve across ${SESSIONS} sessions of ${SEATS} seats at ${CONNECTIONS} connections, each side once…`)
  const results = {
    ours: await load(ours.baseUrl, requests('ours'), dir, 'ours'),
    baseline: (await sleep(1000), await load(`http://127.0.0.1:${basePort}`, requests('baseline'), dir, 'baseline')),
  }
  const db = { ours: await check(sql, fairs.ours.eventId), baseline: await check(sql, fairs.baseline.eventId) }
  const rps = (name: 'ours' | 'baseline') => results[name].result.total / results[name].result.durationSec
  printTable('Program: seat reservations', (['ours', 'baseline'] as const).map((name) => ({
    server: name,
    'req/s': fmt.int(rps(name)),
    p50: `${results[name].result.p50} ms`,
    p99: `${results[name].result.p99} ms`,
    'errors/timeouts': results[name].result.errors,
    statuses: JSON.stringify(results[name].statuses),
    codes: JSON.stringify(results[name].codes),
    'reserved (db)': db[name].reserved,
    oversold: db[name].oversold,
  })))
  const ratio = rps('ours') / rps('baseline')
  const expected = SESSIONS * SEATS
  const verdicts = printVerdicts([
    { target: `exactly ${fmt.int(expected)} reserved people, counters match, nothing oversold`, actual: `${db.ours.reserved} reserved, counters ${db.ours.counters}, ${db.ours.oversold} oversold`, ok: db.ours.reserved === expected && db.ours.counters === expected && db.ours.oversold === 0 },
    { target: `throughput ≥ ${TARGET_RATIO}× the baseline`, actual: `${ratio.toFixed(2)}× (${fmt.int(rps('ours'))} vs ${fmt.int(rps('baseline'))} req/s)`, ok: ratio >= TARGET_RATIO },
    { target: `p99 < ${TARGET_P99_MS} ms`, actual: `${results.ours.result.p99} ms`, ok: results.ours.result.p99 < TARGET_P99_MS },
    { target: 'only 201 and 409 session_full', actual: JSON.stringify(results.ours.statuses), ok: Object.keys(results.ours.statuses).every((s) => s === '201' || s === '409') && Object.keys(results.ours.codes).every((c) => c === 'session_full') },
  ])
  return summarize(verdicts, { ours: `${fmt.int(rps('ours'))} req/s`, baseline: `${fmt.int(rps('baseline'))} req/s`, ratio: `${ratio.toFixed(2)}×`, p99: `${results.ours.result.p99} ms` })
}

export const scenario: Scenario = {
  description: `seat reservations: ${VISITORS} visitors, ${SESSIONS} sessions of ${SEATS} seats, ${CONNECTIONS} connections (PostgreSQL) vs a naive row-lock transaction`,
  run,
}
