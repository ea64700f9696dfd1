/**
 * Outbox throughput: BENCH_EMAILS (10,000) `magic-link` emails queued in PostgreSQL and delivered by the real server in
 * ROLE=worker mode (`node --import tsx src/server.ts`) to a cheap SMTP sink in its own process (bench/smtp-sink.ts).
 *
 * Each run (one per entry of BENCH_EMAIL_WORKERS, that many worker processes) gets a fresh bench database, migrated
 * here; every round's emails are queued with enqueueEmails, due an hour from now; then the worker process(es) start.
 * Once each holds a pool connection (it is polling), one UPDATE makes a round's rows due and its clock starts.
 * Done = the sink has counted the round's messages and the outbox has all of its rows `sent`. Round 1 is the cold
 * process and the one the 30 s target is about; round 2 sends as many again through the same processes, so
 * "memory flat" can be judged by whether memory grows with the count. Worker RSS is sampled every 500 ms, and the
 * workers run with --trace-gc so the V8 heap still in use after each full GC (what the process keeps, unlike RSS,
 * which saws with the collector) is followed too.
 * The floor, in the same run: bench/email-baseline.ts, pooled nodemailer (maxConnections 5) sending the same
 * rendered email straight to the same sink — no database, no templates.
 * Env: BENCH_EMAILS (10000) per round, BENCH_EMAIL_ROUNDS (2), BENCH_EMAIL_WORKERS ("1,2"),
 * BENCH_EMAIL_TIMEOUT seconds per round (120).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { openDatabase } from '../src/db/client.js'
import { migrateDatabase } from '../src/db/migrate.js'
import { enqueueEmails, type EmailToQueue } from '../src/mail/outbox.js'
import { renderEmail } from '../src/mail/render.js'
import { ADMIN, createBenchDatabase, memoryOf, onCleanup, sleep, startProcess, tempDir, tsEntry, type Proc, envNumber } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const num = envNumber
const EMAILS = num('BENCH_EMAILS', 10_000)
const ROUNDS = Math.max(1, num('BENCH_EMAIL_ROUNDS', 2))
const WORKER_RUNS = (process.env.BENCH_EMAIL_WORKERS ?? '1,2').split(',').map(Number).filter((n) => n > 0)
const TIMEOUT_MS = num('BENCH_EMAIL_TIMEOUT', 120) * 1000
const TARGET_SECONDS = 30
/**
 * "Flat": the RSS peak of the last round may exceed round 1's by at most this. RSS saws by 50–70 MB between full
 * GCs, and V8 grows the heap to its working size over the first several thousand emails, so two point samples (say
 * at 2,000 and 10,000) mostly measure that. Over 5 rounds of 10,000 the round peaks ranged 252–274 MB with no trend
 * (live heap flat at 32–35 MB): 32 MB is above that noise; a leak of 3 KB per email would still exceed it.
 */
const FLAT_TOLERANCE_MB = 32
/**
 * What RSS cannot show reliably: the V8 heap still in use right after a full collection (from --trace-gc) is what the
 * process keeps. Another round of EMAILS emails may raise it by at most this (a 1 KB/email leak would add ~10 MB).
 */
const LIVE_HEAP_TOLERANCE_MB = 5
const MAIL_FROM = 'Vereinsmesse <no-reply@bench.example.org>'
const SAMPLE_MS = 500

// ── the sink, in its own process ──────────────────────────────────────────────────────────────────────────

interface SinkStats {
  count: number
  unique: number
  withoutId: number
  firstAt: number | null
  lastAt: number | null
  targetAt: number | null
  rssMb: number
  cpuMs: number
  ids: string[]
}

interface Sink {
  proc: Proc
  url: string
  /** latest progress report: messages accepted so far */
  count(): number
  /** clears the counts; the promise it returns resolves with the epoch ms at which `target` messages were in */
  reset(target: number): Promise<{ targetReached: Promise<number> }>
  stats(): Promise<SinkStats>
}

type SinkMessage = { type: string; port?: number; count?: number; at?: number; ok?: boolean } & Partial<SinkStats>

async function startSink(): Promise<Sink> {
  const proc = startProcess('smtp-sink', tsEntry('bench/smtp-sink.ts'), {}, { ipc: true })
  let latest = 0
  let onTarget: ((at: number) => void) | undefined
  const waiting = new Map<string, (m: SinkMessage) => void>()
  proc.child.on('message', (m: SinkMessage) => {
    if (m.type === 'progress' || m.type === 'target') latest = Math.max(latest, m.count ?? 0)
    if (m.type === 'target') onTarget?.(m.at!)
    waiting.get(m.type)?.(m)
    waiting.delete(m.type)
  })
  const request = (type: string, payload: Record<string, unknown> = {}) =>
    new Promise<SinkMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`smtp-sink: no answer to ${type}:\n${proc.output()}`)), 30_000)
      waiting.set(type, (m) => {
        clearTimeout(timer)
        resolve(m)
      })
      if (type !== 'listening') proc.child.send({ type, ...payload })
    })
  const { port } = await request('listening')
  return {
    proc,
    url: `smtp://127.0.0.1:${port}`,
    count: () => latest,
    async reset(target) {
      const targetReached = new Promise<number>((resolve) => (onTarget = resolve))
      await request('reset', { target })
      latest = 0
      return { targetReached }
    },
    stats: async () => (await request('stats')) as unknown as SinkStats,
  }
}

// ── which of a process's TCP connections are in pg_stat_activity as the server's pool ──────────────────────

function localPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>()
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>()
  for (const table of ['tcp', 'tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16))
    }
  }
  return ports
}

/** CPU time (user + system) of a process so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10 // utime, stime: fields 14 and 15 of stat
}

/** Resolves once every worker pid holds a pool connection (application_name 'vereinsmesse'), i.e. is polling. */
async function waitUntilPolling(sql: postgres.Sql, workers: Proc[], database: string, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    for (const w of workers) {
      if (w.child.exitCode !== null) throw new Error(`${w.name} exited (${w.child.exitCode}):\n${w.output()}`)
    }
    const rows = await sql<{ port: number }[]>`
      select client_port as port from pg_stat_activity where datname = ${database} and application_name = 'vereinsmesse'`
    const pooled = new Set(rows.map((r) => Number(r.port)))
    if (workers.every((w) => [...localPortsOf(w.pid)].some((p) => pooled.has(p)))) return
    await sleep(50)
  }
  throw new Error(`workers did not start polling within ${timeoutMs} ms:\n${workers.map((w) => w.output()).join('\n')}`)
}

// ── worker runs ───────────────────────────────────────────────────────────────────────────────────────────

/** Recipients carry their round, so a round is released, counted and checked on its own. */
const roundPrefix = (round: number) => `r${round}-`

function magicLink(round: number, i: number): EmailToQueue {
  return {
    to: `${roundPrefix(round)}mitglied-${i}@example.org`,
    template: 'magic-link',
    locale: 'de',
    data: {
      name: `Mitglied ${i}`,
      loginUrl: `https://messe.example.org/login?token=${randomBytes(32).toString('base64url')}`,
      expiresMinutes: 15,
    },
  }
}

interface Sample {
  at: number
  /** emails the sink had in this round */
  delivered: number
  rssMb: number[]
}

interface Round {
  round: number
  releasedAt: number
  endedAt: number
  done: boolean
  wallMs: number
  firstMs: number | null
  sinkDoneMs: number | null
  outboxDoneMs: number | null
  delivered: number
  sent: number
  failed: number
  retried: number
  duplicates: number
  unique: number
  missing: number
  unexpected: number
  perWorker: number[]
  workerCpuMs: number
  sinkCpuMs: number
  samples: Sample[]
  /** per worker: the highest RSS sample while this round's emails went out */
  peakMb: number[]
  /** per worker, RSS sample when the sink had 20 % of the round, and all of it */
  earlyMb: number[]
  endMb: number[]
  /** per worker, highest RSS sample per tenth of the round's emails */
  decilesMb: number[][]
}

/** A mark-compact collection seen in a worker's --trace-gc output: the V8 heap in use right after it is what is live. */
interface FullGc {
  at: number
  heapAfterMb: number
}

interface WorkerRun {
  workers: number
  fullGcs: FullGc[][]
  enqueueMs: number
  rounds: Round[]
  warnings: number
  idleMb: number[]
  hwmMb: number[]
  afterMb: number[]
}

async function runWorkers(sink: Sink, workerCount: number): Promise<WorkerRun> {
  const databaseUrl = await createBenchDatabase()
  const database = new URL(databaseUrl).pathname.slice(1)
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  onCleanup(() => sql.end({ timeout: 5 }))

  // Schema and queue, in this process, before any worker exists: every round's emails, due an hour from now.
  const handle = await openDatabase({ url: databaseUrl, poolSize: 2 })
  const later = new Date(Date.now() + 60 * 60 * 1000)
  const enqueueStart = performance.now()
  try {
    await migrateDatabase(handle, databaseUrl)
    for (let round = 1; round <= ROUNDS; round++) {
      for (let i = 0; i < EMAILS; i += 1000) {
        const chunk = Array.from({ length: Math.min(1000, EMAILS - i) }, (_, j) => ({ ...magicLink(round, i + j), sendAfter: later }))
        await enqueueEmails(handle.db, chunk)
      }
    }
  } finally {
    await handle.close()
  }
  const enqueueMs = performance.now() - enqueueStart

  const workers = Array.from({ length: workerCount }, (_, k) =>
    // --trace-gc: one line per collection, so the live heap after each full (mark-compact) GC can be followed.
    startProcess(`worker-${k + 1}`, ['--trace-gc', ...tsEntry('src/server.ts')], {
      ROLE: 'worker',
      DATABASE_URL: databaseUrl,
      SMTP_URL: sink.url,
      MAIL_FROM,
      WORKER_POLL_MS: '200',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    }),
  )
  let warnings = 0
  const fullGcs: FullGc[][] = workers.map(() => [])
  workers.forEach((w, k) => {
    w.child.stdout!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (/"level":(40|50|60)/.test(line)) warnings++
        const gc = /Mark-Compact.*?([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line)
        if (gc) fullGcs[k].push({ at: Date.now(), heapAfterMb: Number(gc[3]) })
      }
    })
  })
  await waitUntilPolling(sql, workers, database)
  await sleep(500) // a few idle polls: start-up garbage settles
  const idleMb = workers.map((w) => memoryOf(w.pid).rssMb)
  console.log(
    `${workerCount} worker(s): ${fmt.int(EMAILS * ROUNDS)} emails queued in ${fmt.ms(enqueueMs)}; ${ROUNDS} round(s) of ${fmt.int(EMAILS)}…`,
  )

  const rounds: Round[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    rounds.push(await runRound(sql, sink, workers, round))
    await sleep(1000)
  }
  const after = workers.map((w) => memoryOf(w.pid))
  await Promise.all(workers.map((w) => w.stop()))
  if (process.env.BENCH_EMAIL_TRACE) {
    const t0 = rounds[0]?.releasedAt ?? 0
    fullGcs.forEach((gcs, k) => console.log(`worker ${k + 1} full GCs (s: MB after): ${gcs.map((g) => `${((g.at - t0) / 1000).toFixed(1)}: ${g.heapAfterMb}`).join(', ')}`))
    for (const r of rounds) console.log(`round ${r.round}: ${((r.releasedAt - t0) / 1000).toFixed(1)}–${((r.endedAt - t0) / 1000).toFixed(1)} s`)
  }
  return { workers: workerCount, fullGcs, enqueueMs, rounds, warnings, idleMb, hwmMb: after.map((m) => m.peakMb), afterMb: after.map((m) => m.rssMb) }
}

async function runRound(sql: postgres.Sql, sink: Sink, workers: Proc[], round: number): Promise<Round> {
  const mine = `${roundPrefix(round)}%`
  const cpuBefore = workers.map((w) => cpuMsOf(w.pid))
  const { targetReached } = await sink.reset(EMAILS)
  let sinkDoneAt: number | null = null
  void targetReached.then((at) => (sinkDoneAt = at))

  await sql`update outbox_emails set send_after = now() where to_address like ${mine}`
  const releasedAt = Date.now()

  const samples: Sample[] = []
  const sample = () => samples.push({ at: Date.now(), delivered: sink.count(), rssMb: workers.map((w) => memoryOf(w.pid).rssMb) })
  const sampler = setInterval(() => {
    try {
      sample()
    } catch {
      // a worker exited; the loop below reports it
    }
  }, SAMPLE_MS)

  let sent = 0
  let failed = 0
  const deadline = releasedAt + TIMEOUT_MS
  try {
    while (Date.now() < deadline) {
      for (const w of workers) {
        if (w.child.exitCode !== null) throw new Error(`${w.name} exited (${w.child.exitCode}):\n${w.output()}`)
      }
      const [row] = await sql<{ sent: string; failed: string }[]>`
        select count(*) filter (where status = 'sent') as sent, count(*) filter (where status = 'failed') as failed
        from outbox_emails where to_address like ${mine}`
      sent = Number(row.sent)
      failed = Number(row.failed)
      if (sent + failed >= EMAILS && sinkDoneAt !== null) break
      await sleep(200) // the finishing time comes from max(sent_at), not from this poll
    }
  } finally {
    clearInterval(sampler)
  }
  const workerCpuMs = workers.reduce((sum, w, k) => sum + cpuMsOf(w.pid) - cpuBefore[k], 0)
  sample()

  const [times] = await sql<{ last_sent: Date | null }[]>`
    select max(sent_at) as last_sent from outbox_emails where to_address like ${mine}`
  const outboxDoneAt = sent === EMAILS && times.last_sent ? new Date(times.last_sent).getTime() : null
  await sleep(500) // stragglers (a duplicate would arrive late)
  const stats = await sink.stats()

  const sentIds = new Set(
    (await sql<{ message_id: string }[]>`
      select message_id from outbox_emails where status = 'sent' and to_address like ${mine}`).map((r) => r.message_id),
  )
  const received = new Set(stats.ids)
  const [{ retried }] = await sql<{ retried: string }[]>`
    select coalesce(sum(attempts - 1), 0) as retried from outbox_emails where attempts > 1 and to_address like ${mine}`
  const split = await sql<{ locked_by: string | null; n: string }[]>`
    select locked_by, count(*) as n from outbox_emails where status = 'sent' and to_address like ${mine} group by locked_by`
  const perWorker = workers.map((w) => split.filter((s) => s.locked_by?.startsWith(`${w.pid}-`)).reduce((a, s) => a + Number(s.n), 0))

  // Memory while this round's emails went out (until the sink had them all).
  const during = samples.filter((s) => s.at <= (sinkDoneAt ?? Infinity) + SAMPLE_MS)
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN)
  const decileOf = (s: Sample) => Math.min(9, Math.max(0, Math.ceil((s.delivered / EMAILS) * 10) - 1))
  const early = samples.find((s) => s.delivered >= Math.round(EMAILS * 0.2)) ?? samples[0]
  const end = samples.find((s) => s.delivered >= EMAILS) ?? samples[samples.length - 1]

  const endAt = Math.max(sinkDoneAt ?? Date.now(), outboxDoneAt ?? Date.now())
  return {
    round,
    releasedAt,
    endedAt: Date.now(),
    done: sent === EMAILS && sinkDoneAt !== null,
    wallMs: endAt - releasedAt,
    firstMs: stats.firstAt === null ? null : stats.firstAt - releasedAt,
    sinkDoneMs: sinkDoneAt === null ? null : sinkDoneAt - releasedAt,
    outboxDoneMs: outboxDoneAt === null ? null : outboxDoneAt - releasedAt,
    delivered: stats.count,
    sent,
    failed,
    retried: Number(retried),
    duplicates: stats.count - stats.unique - stats.withoutId,
    unique: stats.unique,
    missing: [...sentIds].filter((id) => !received.has(id)).length + Math.max(0, EMAILS - sent),
    unexpected: stats.ids.filter((id) => !sentIds.has(id)).length + stats.withoutId,
    perWorker,
    workerCpuMs,
    sinkCpuMs: stats.cpuMs,
    samples,
    peakMb: workers.map((_, k) => max(during.map((s) => s.rssMb[k]))),
    earlyMb: workers.map((_, k) => early?.rssMb[k] ?? NaN),
    endMb: workers.map((_, k) => end?.rssMb[k] ?? NaN),
    decilesMb: workers.map((_, k) => Array.from({ length: 10 }, (_, d) => max(during.filter((s) => decileOf(s) === d).map((s) => s.rssMb[k])))),
  }
}

// ── the floor ─────────────────────────────────────────────────────────────────────────────────────────────

interface BaselineRun {
  ms: number
  cpuMs: number
  sinkCpuMs: number
  sent: number
  failed: number
  duplicates: number
  rssMb: number
  peakRssMb: number
}

async function runBaseline(sink: Sink, emailFile: string, count: number): Promise<BaselineRun> {
  await sink.reset(count)
  const proc = startProcess('email-baseline', tsEntry('bench/email-baseline.ts'), {
    SMTP_URL: sink.url,
    EMAIL_FILE: emailFile,
    COUNT: String(count),
    CONCURRENCY: '50',
  })
  const line = await proc.waitForLine((l) => l.startsWith('{'), TIMEOUT_MS)
  await proc.stop()
  const r = JSON.parse(line) as { ms: number; cpuMs: number; sent: number; failed: number; rssMb: number; peakRssMb: number }
  const stats = await sink.stats()
  return { ...r, sinkCpuMs: stats.cpuMs, duplicates: stats.count - stats.unique - stats.withoutId }
}

// ── the scenario ──────────────────────────────────────────────────────────────────────────────────────────

async function run() {
  const load = os.loadavg()[0]
  const busy = load > os.cpus().length * 0.5 ? ' — the machine is busy, expect noisy numbers' : ''
  console.log(`load average ${load.toFixed(1)} on ${os.cpus().length} CPUs${busy}`)
  const sink = await startSink()

  // The baseline sends what the worker renders for one row, so both put the same bytes on the wire.
  const example = magicLink(1, 0)
  const rendered = renderEmail('magic-link', example.locale ?? 'de', example.data)
  const emailFile = path.join(tempDir('vms-bench-email-'), 'email.json')
  fs.writeFileSync(emailFile, JSON.stringify({ from: MAIL_FROM, subject: rendered.subject, html: rendered.html, text: rendered.text }))
  console.log(`one email: ${fmt.int(Buffer.byteLength(rendered.html) + Buffer.byteLength(rendered.text))} bytes of html + text`)

  console.log('baseline warm-up (500 emails), then baseline…')
  await runBaseline(sink, emailFile, 500)
  const baseline = await runBaseline(sink, emailFile, EMAILS)

  const runs: WorkerRun[] = []
  for (const n of WORKER_RUNS) runs.push(await runWorkers(sink, n))

  const rate = (count: number, ms: number) => (count / ms) * 1000
  const baseRate = rate(baseline.sent, baseline.ms)
  const cpuPer = (ms: number, n: number) => (n ? `${(ms / n).toFixed(2)} ms` : '-')
  const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`)
  const label = (r: WorkerRun, round: Round) => `worker ×${r.workers}, round ${round.round}${round.round === 1 ? ' (cold)' : ''}`
  printTable(
    `Delivery of ${fmt.int(EMAILS)} magic-link emails to the SMTP sink (worker: from release until sink and outbox are complete; sender CPU = all worker processes)`,
    [
      {
        run: 'baseline: nodemailer pool, no db',
        'wall time': s(baseline.ms),
        'emails/s': fmt.int(rate(baseline.sent, baseline.ms)),
        'vs baseline': '100%',
        'first email': '-',
        'sink complete': s(baseline.ms),
        'outbox all sent': '-',
        'sender CPU/email': cpuPer(baseline.cpuMs, baseline.sent),
        'sink CPU/email': cpuPer(baseline.sinkCpuMs, baseline.sent),
      },
      ...runs.flatMap((r) =>
        r.rounds.map((round) => ({
          run: label(r, round) + (round.done ? '' : ' INCOMPLETE'),
          'wall time': s(round.wallMs),
          'emails/s': fmt.int(rate(round.sent, round.wallMs)),
          'vs baseline': fmt.pct(rate(round.sent, round.wallMs) / baseRate),
          'first email': s(round.firstMs),
          'sink complete': s(round.sinkDoneMs),
          'outbox all sent': s(round.outboxDoneMs),
          'sender CPU/email': cpuPer(round.workerCpuMs, round.sent),
          'sink CPU/email': cpuPer(round.sinkCpuMs, round.delivered),
        })),
      ),
    ],
  )

  const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`
  const at = (n: number) => `@${fmt.int(n)}`
  const last = ROUNDS
  printTable(
    `Worker memory (VmRSS every ${SAMPLE_MS} ms; "@N" = the sample when N emails had arrived, counted over all rounds; "peak rN" = highest sample in round N; ` +
      `per round: full GCs and live heap = the highest V8 heap right after a mark-compact)`,
    [
      ...runs.flatMap((r) =>
        r.idleMb.map((idle, k) => ({
          process: `×${r.workers} worker ${k + 1}`,
          'idle before': fmt.mb(idle),
          [at(EMAILS * 0.2)]: fmt.mb(r.rounds[0].earlyMb[k]),
          [at(EMAILS)]: fmt.mb(r.rounds[0].endMb[k]),
          ...(last > 1 ? { [at(EMAILS * last)]: fmt.mb(r.rounds[last - 1].endMb[k]) } : {}),
          ...Object.fromEntries(r.rounds.map((round) => [`peak r${round.round}`, fmt.mb(round.peakMb[k])])),
          [last > 1 ? `peak r${last} − r1` : '@end − @20%']: signed(rssGrowth(r, k)),
          'full GCs': r.rounds.map((round) => gcsIn(r, k, round).length).join(' / '),
          'live heap': r.rounds.map((round) => fmt.mb(liveHeap(r, k, round))).join(' / '),
          VmHWM: fmt.mb(r.hwmMb[k]),
          'idle after': fmt.mb(r.afterMb[k]),
        })),
      ),
    ],
  )
  if (runs.some((r) => r.workers > 1)) {
    console.log('(with n workers each process sends 1/n of a round: compare their rounds with the ×1 line at the same count)')
  }
  console.log(`baseline process: RSS ${fmt.mb(baseline.rssMb)} after sending, VmHWM ${fmt.mb(baseline.peakRssMb)}`)
  console.log('RSS peak per tenth of each round (MB):')
  for (const r of runs) {
    r.idleMb.forEach((_, k) =>
      console.log(
        `  ×${r.workers} worker ${k + 1}: ${r.rounds.map((round) => round.decilesMb[k].map((x) => (Number.isNaN(x) ? '-' : x.toFixed(0))).join(' ')).join('  |  ')}`,
      ),
    )
  }

  printTable('Correctness (per round: the sink\'s Message-IDs against the outbox rows marked sent)', [
    {
      run: 'baseline',
      'sink messages': fmt.int(baseline.sent),
      'unique Message-IDs': fmt.int(baseline.sent - baseline.duplicates),
      duplicates: baseline.duplicates,
      'missing / unknown': '-',
      'failed rows': baseline.failed,
      retries: '-',
      'per worker': '-',
      'warn/error logs': '-',
    },
    ...runs.flatMap((r) =>
      r.rounds.map((round) => ({
        run: label(r, round),
        'sink messages': fmt.int(round.delivered),
        'unique Message-IDs': fmt.int(round.unique),
        duplicates: round.duplicates,
        'missing / unknown': `${round.missing} / ${round.unexpected}`,
        'failed rows': round.failed,
        retries: round.retried,
        'per worker': round.perWorker.map(fmt.int).join(' / '),
        'warn/error logs': round.round === 1 ? r.warnings : '',
      })),
    ),
  ])

  const verdicts: Array<{ target: string; actual: string; ok: boolean }> = []
  const single = runs.find((r) => r.workers === 1) ?? runs[0]
  if (single) {
    const first = single.rounds[0]
    verdicts.push({
      target: `×${single.workers} worker, cold: all ${fmt.int(EMAILS)} delivered in < ${TARGET_SECONDS} s`,
      actual: first.done ? s(first.wallMs) : `${fmt.int(first.sent)} sent in ${s(first.wallMs)}`,
      ok: first.done && first.wallMs < TARGET_SECONDS * 1000,
    })
  }
  for (const r of runs) {
    // With n workers each process sends EMAILS / n per round, so its round 2 is still inside V8's heap warm-up (which
    // the ×1 run shows lasting most of the first 10,000): shown above, judged only where a process saw all the emails.
    if (r.workers === 1 && last > 1) {
      const heap = Math.max(...r.idleMb.map((_, k) => liveHeap(r, k, r.rounds[last - 1]) - liveHeap(r, k, r.rounds[0])))
      verdicts.push({
        target: `×1: no per-email growth (live heap in round ${last} ≤ round 1 + ${LIVE_HEAP_TOLERANCE_MB} MB)`,
        actual: Number.isNaN(heap) ? 'no full GC in a round' : signed(heap),
        ok: heap < LIVE_HEAP_TOLERANCE_MB, // NaN fails
      })
      const rss = Math.max(...r.idleMb.map((_, k) => rssGrowth(r, k)))
      verdicts.push({
        target: `×1: RSS peak flat (round ${last} ≤ round 1 + ${FLAT_TOLERANCE_MB} MB)`,
        actual: signed(rss),
        ok: rss < FLAT_TOLERANCE_MB,
      })
    } else if (r.workers === 1) {
      const rss = Math.max(...r.idleMb.map((_, k) => rssGrowth(r, k)))
      verdicts.push({
        target: `×1: RSS flat (@${fmt.int(EMAILS)} ≤ @${fmt.int(EMAILS * 0.2)} + ${FLAT_TOLERANCE_MB} MB)`,
        actual: signed(rss),
        ok: rss < FLAT_TOLERANCE_MB,
      })
    }
    const dup = r.rounds.reduce((a, x) => a + x.duplicates, 0)
    const missing = r.rounds.reduce((a, x) => a + x.missing + x.unexpected, 0)
    verdicts.push({
      target: `×${r.workers}: every email exactly once (0 duplicates, 0 missing)`,
      actual: `${dup} dup, ${missing} missing`,
      ok: r.rounds.every((x) => x.done) && dup === 0 && missing === 0,
    })
  }
  const cold = single?.rounds[0]
  return summarize(printVerdicts(verdicts), {
    ours: cold ? `${fmt.int(rate(cold.sent, cold.wallMs))} emails/s (×1, cold)` : undefined,
    baseline: `${fmt.int(baseRate)} emails/s`,
    ratio: cold ? fmt.pct(rate(cold.sent, cold.wallMs) / baseRate) : undefined,
  })
}

/**
 * With several rounds: how much higher the last round's RSS peak is than the first's — another EMAILS emails
 * through the same, warmed-up process must not raise it. With one round: the sample at the end minus the one at 20 %,
 * which also counts V8 growing its heap to its working size (see the per-tenth line).
 */
function rssGrowth(r: WorkerRun, k: number): number {
  if (r.rounds.length > 1) return r.rounds[r.rounds.length - 1].peakMb[k] - r.rounds[0].peakMb[k]
  return r.rounds[0].endMb[k] - r.rounds[0].earlyMb[k]
}

export const scenario: Scenario = {
  description: `${fmt.int(EMAILS)} queued emails through the ROLE=worker server to an SMTP sink (PostgreSQL) vs bare nodemailer; emails/s, RSS`,
  run,
}

function gcsIn(r: WorkerRun, k: number, round: Round): FullGc[] {
  return r.fullGcs[k].filter((gc) => gc.at >= round.releasedAt && gc.at <= round.endedAt)
}

/**
 * The most worker k still held right after a full GC in a round (NaN if the round had none). The highest, because
 * a memory-reducing GC in a quiet moment, or one just after the release, finds far less than the working set.
 */
function liveHeap(r: WorkerRun, k: number, round: Round): number {
  const after = gcsIn(r, k, round).map((gc) => gc.heapAfterMb)
  return after.length ? Math.max(...after) : NaN
}
