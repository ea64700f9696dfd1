/**
 * Outbox throughput: BENCH_EMAILS (10,000) `magic-link` emails queued in PostgreSQL and delivered by the real server in
 * ROLE=worker mode (`node --import tsx src/server.ts`) to a cheap SMTP sink in its own process (bench/smtp-sink.ts).
 *
 * Each run gets a fresh bench database, migrated here; the emails are queued with enqueueEmails, due an hour from now,
 * then the worker process(es) start; once each holds a pool connection (it is polling) one UPDATE makes every row due
 * and the clock starts. Done = the sink has counted every message and the outbox has every row `sent`.
 * Worker RSS is sampled every 500 ms. The floor, in the same run: bench/email-baseline.ts, pooled nodemailer
 * (maxConnections 5) sending the same rendered email straight to the same sink — no database, no templates.
 * Env: BENCH_EMAILS (10000), BENCH_EMAIL_WORKERS ("1,2": one run per entry, that many worker processes),
 * BENCH_EMAIL_TIMEOUT seconds per run (120).
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
import { ADMIN, createBenchDatabase, memoryOf, onCleanup, sleep, startProcess, tempDir, tsEntry, type Proc } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts } from './table.js'

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const EMAILS = num('BENCH_EMAILS', 10_000)
const WORKER_RUNS = (process.env.BENCH_EMAIL_WORKERS ?? '1,2').split(',').map(Number).filter((n) => n > 0)
const TIMEOUT_MS = num('BENCH_EMAIL_TIMEOUT', 120) * 1000
const TARGET_SECONDS = 30
/**
 * "Flat": the peak RSS while the second half of the emails goes out may exceed the first half's peak by at most this.
 * Point samples swing by 20–40 MB with the garbage collector, so peaks of halves are compared, not two samples;
 * a leak of a few KB per email would still show as tens of MB over 5,000 emails.
 */
const FLAT_TOLERANCE_MB = 16
const EARLY_MARK = Math.round(EMAILS * 0.2)
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

// ── one run ───────────────────────────────────────────────────────────────────────────────────────────────

function magicLink(i: number): EmailToQueue {
  return {
    to: `mitglied-${i}@example.org`,
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
  delivered: number
  rssMb: number[]
}

interface WorkerRun {
  workers: number
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
  warnings: number
  workerCpuMs: number
  sinkCpuMs: number
  memory: Array<{
    idle: number
    early: number
    end: number
    peakFirstHalf: number
    peakSecondHalf: number
    /** highest sample per tenth of the emails delivered */
    deciles: number[]
    hwm: number
    after: number
  }>
  sinkRssMb: number
}

async function runWorkers(sink: Sink, workerCount: number): Promise<WorkerRun> {
  const databaseUrl = await createBenchDatabase()
  const database = new URL(databaseUrl).pathname.slice(1)
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} })
  onCleanup(() => sql.end({ timeout: 5 }))

  // Schema and queue: in this process, before any worker exists.
  const handle = await openDatabase({ url: databaseUrl, poolSize: 2 })
  const later = new Date(Date.now() + 60 * 60 * 1000)
  let enqueueMs: number
  try {
    await migrateDatabase(handle, databaseUrl)
    const enqueueStart = performance.now()
    for (let i = 0; i < EMAILS; i += 1000) {
      const chunk = Array.from({ length: Math.min(1000, EMAILS - i) }, (_, j) => ({ ...magicLink(i + j), sendAfter: later }))
      await enqueueEmails(handle.db, chunk)
    }
    enqueueMs = performance.now() - enqueueStart
  } finally {
    await handle.close()
  }

  const workers = Array.from({ length: workerCount }, (_, k) =>
    startProcess(`worker-${k + 1}`, tsEntry('src/server.ts'), {
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
  for (const w of workers) {
    w.child.stdout!.on('data', (chunk: string) => {
      warnings += chunk.split('\n').filter((l) => /"level":(40|50|60)/.test(l)).length
    })
  }
  await waitUntilPolling(sql, workers, database)
  await sleep(500) // a few idle polls: start-up garbage settles, the pool is warm
  const idle = workers.map((w) => memoryOf(w.pid).rssMb)

  const cpuBefore = workers.map((w) => cpuMsOf(w.pid))
  const { targetReached } = await sink.reset(EMAILS)
  let sinkDoneAt: number | null = null
  void targetReached.then((at) => (sinkDoneAt = at))

  console.log(`${workerCount} worker(s): ${fmt.int(EMAILS)} emails queued in ${fmt.ms(enqueueMs)}; releasing them…`)
  await sql`update outbox_emails set send_after = now()`
  const releasedAt = Date.now()

  const samples: Sample[] = []
  const sampler = setInterval(() => {
    try {
      samples.push({ at: Date.now(), delivered: sink.count(), rssMb: workers.map((w) => memoryOf(w.pid).rssMb) })
    } catch {
      // a worker exited; the loop below reports it
    }
  }, SAMPLE_MS)

  let sent = 0
  let failed = 0
  let done = false
  const deadline = releasedAt + TIMEOUT_MS
  while (Date.now() < deadline) {
    for (const w of workers) {
      if (w.child.exitCode !== null) throw new Error(`${w.name} exited (${w.child.exitCode}):\n${w.output()}`)
    }
    const [row] = await sql<{ sent: string; failed: string }[]>`
      select count(*) filter (where status = 'sent') as sent, count(*) filter (where status = 'failed') as failed from outbox_emails`
    sent = Number(row.sent)
    failed = Number(row.failed)
    if (sent + failed >= EMAILS && sinkDoneAt !== null) {
      done = sent === EMAILS
      break
    }
    await sleep(200) // the finishing time comes from max(sent_at), not from this poll
  }
  clearInterval(sampler)
  const workerCpuMs = workers.reduce((sum, w, k) => sum + cpuMsOf(w.pid) - cpuBefore[k], 0)
  samples.push({ at: Date.now(), delivered: sink.count(), rssMb: workers.map((w) => memoryOf(w.pid).rssMb) })

  const [times] = await sql<{ last_sent: Date | null }[]>`select max(sent_at) as last_sent from outbox_emails`
  const outboxDoneAt = sent === EMAILS && times.last_sent ? new Date(times.last_sent).getTime() : null
  await sleep(1000)
  const after = workers.map((w) => memoryOf(w.pid))
  const stats = await sink.stats()

  const sentIds = new Set(
    (await sql<{ message_id: string }[]>`select message_id from outbox_emails where status = 'sent'`).map((r) => r.message_id),
  )
  const received = new Set(stats.ids)
  const missing = [...sentIds].filter((id) => !received.has(id)).length
  const unexpected = stats.ids.filter((id) => !sentIds.has(id)).length
  const [{ retried }] = await sql<{ retried: string }[]>`
    select coalesce(sum(attempts - 1), 0) as retried from outbox_emails where attempts > 1`
  const split = await sql<{ locked_by: string; n: string }[]>`
    select locked_by, count(*) as n from outbox_emails where status = 'sent' group by locked_by order by locked_by`
  const perWorker = workers.map((w) => split.filter((s) => s.locked_by?.startsWith(`${w.pid}-`)).reduce((a, s) => a + Number(s.n), 0))

  await Promise.all(workers.map((w) => w.stop()))

  // Until the sink was complete; each sample counts for the tenth of the emails it was taken in.
  const during = samples.filter((s) => s.at <= (sinkDoneAt ?? Infinity) + SAMPLE_MS)
  const decileOf = (s: Sample) => Math.min(9, Math.max(0, Math.ceil((s.delivered / EMAILS) * 10) - 1))
  const memory = workers.map((_, k) => {
    const early = samples.find((s) => s.delivered >= EARLY_MARK) ?? samples[0]
    const end = samples.find((s) => s.delivered >= EMAILS) ?? samples[samples.length - 1]
    const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN)
    const deciles = Array.from({ length: 10 }, (_, d) => max(during.filter((s) => decileOf(s) === d).map((s) => s.rssMb[k])))
    const peak = (from: number, to: number) => max(deciles.slice(from, to).filter((x) => !Number.isNaN(x)))
    return {
      idle: idle[k],
      early: early?.rssMb[k] ?? NaN,
      end: end?.rssMb[k] ?? NaN,
      peakFirstHalf: peak(0, 5),
      peakSecondHalf: peak(5, 10),
      deciles,
      hwm: after[k].peakMb,
      after: after[k].rssMb,
    }
  })

  if (process.env.BENCH_EMAIL_TRACE) {
    for (const x of samples) console.log(`trace ${x.at - releasedAt} ${x.delivered} ${x.rssMb.map((m) => m.toFixed(0)).join(' ')}`)
  }
  const endAt = Math.max(sinkDoneAt ?? Date.now(), outboxDoneAt ?? Date.now())
  return {
    workers: workerCount,
    done: done && sinkDoneAt !== null,
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
    missing,
    unexpected,
    perWorker,
    warnings,
    workerCpuMs,
    sinkCpuMs: stats.cpuMs,
    memory,
    sinkRssMb: stats.rssMb,
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
  console.log(`load average ${load.toFixed(1)} on ${os.cpus().length} CPUs${load > os.cpus().length * 0.5 ? ' — the machine is busy, expect noisy numbers' : ''}`)
  const sink = await startSink()

  // The baseline sends what the worker renders for row 0, so both put the same bytes on the wire.
  const sample = magicLink(0)
  const rendered = renderEmail('magic-link', sample.locale ?? 'de', sample.data)
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
  printTable(`Delivery of ${fmt.int(EMAILS)} magic-link emails to the SMTP sink (worker runs: from release until sink and outbox are complete; sender CPU = all worker processes)`, [
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
    ...runs.map((r) => ({
      run: `server ROLE=worker ×${r.workers}${r.done ? '' : ' (INCOMPLETE)'}`,
      'wall time': s(r.wallMs),
      'emails/s': fmt.int(rate(r.sent, r.wallMs)),
      'vs baseline': fmt.pct(rate(r.sent, r.wallMs) / baseRate),
      'first email': s(r.firstMs),
      'sink complete': s(r.sinkDoneMs),
      'outbox all sent': s(r.outboxDoneMs),
      'sender CPU/email': cpuPer(r.workerCpuMs, r.sent),
      'sink CPU/email': cpuPer(r.sinkCpuMs, r.delivered),
    })),
  ])

  const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`
  const half = fmt.int(EMAILS / 2)
  printTable(
    `Worker memory (VmRSS every ${SAMPLE_MS} ms; "@N" = the sample when the sink had N emails; peaks over the 1st/2nd half of the emails)`,
    [
      ...runs.flatMap((r) =>
        r.memory.map((m, k) => ({
          process: `×${r.workers} worker ${k + 1}`,
          'idle before': fmt.mb(m.idle),
          [`@${fmt.int(EARLY_MARK)}`]: fmt.mb(m.early),
          [`@${fmt.int(EMAILS)}`]: fmt.mb(m.end),
          [`peak ≤${half}`]: fmt.mb(m.peakFirstHalf),
          [`peak >${half}`]: fmt.mb(m.peakSecondHalf),
          'peak growth': signed(m.peakSecondHalf - m.peakFirstHalf),
          VmHWM: fmt.mb(m.hwm),
          'idle after': fmt.mb(m.after),
        })),
      ),
      {
        process: 'baseline process',
        'idle before': '-',
        [`@${fmt.int(EARLY_MARK)}`]: '-',
        [`@${fmt.int(EMAILS)}`]: fmt.mb(baseline.rssMb),
        [`peak ≤${half}`]: '-',
        [`peak >${half}`]: '-',
        'peak growth': '-',
        VmHWM: fmt.mb(baseline.peakRssMb),
        'idle after': '-',
      },
    ],
  )
  console.log('RSS peak per tenth of the emails delivered (MB):')
  for (const r of runs) {
    r.memory.forEach((m, k) => console.log(`  ×${r.workers} worker ${k + 1}: ${m.deciles.map((x) => (Number.isNaN(x) ? '-' : x.toFixed(0))).join(' ')}`))
  }

  printTable('Correctness', [
    {
      run: 'baseline',
      'sink messages': fmt.int(baseline.sent),
      'unique Message-IDs': fmt.int(baseline.sent - baseline.duplicates),
      duplicates: baseline.duplicates,
      'sent but not received': '-',
      'failed rows': baseline.failed,
      retries: '-',
      'per worker': '-',
      'warn/error logs': '-',
    },
    ...runs.map((r) => ({
      run: `worker ×${r.workers}`,
      'sink messages': fmt.int(r.delivered),
      'unique Message-IDs': fmt.int(r.unique),
      duplicates: r.duplicates,
      'sent but not received': r.missing + (r.unexpected ? ` (+${r.unexpected} unknown)` : ''),
      'failed rows': r.failed,
      retries: r.retried,
      'per worker': r.perWorker.map(fmt.int).join(' / '),
      'warn/error logs': r.warnings,
    })),
  ])

  const single = runs.find((r) => r.workers === 1) ?? runs[0]
  const verdicts: Array<{ target: string; actual: string; ok: boolean }> = []
  if (single) {
    verdicts.push({
      target: `×${single.workers} worker: all ${fmt.int(EMAILS)} delivered in < ${TARGET_SECONDS} s`,
      actual: single.done ? s(single.wallMs) : `${fmt.int(single.sent)} sent in ${s(single.wallMs)}`,
      ok: single.done && single.wallMs < TARGET_SECONDS * 1000,
    })
  }
  for (const r of runs) {
    const worst = Math.max(...r.memory.map((m) => m.peakSecondHalf - m.peakFirstHalf))
    verdicts.push({
      target: `×${r.workers}: RSS flat (peak of 2nd half ≤ 1st half + ${FLAT_TOLERANCE_MB} MB)`,
      actual: signed(worst),
      ok: worst < FLAT_TOLERANCE_MB, // NaN (too few samples) fails
    })
    verdicts.push({
      target: `×${r.workers}: every email once (0 duplicates, 0 missing)`,
      actual: `${r.duplicates} dup, ${r.missing + Math.max(0, EMAILS - r.sent)} missing`,
      ok: r.done && r.duplicates === 0 && r.missing === 0 && r.unexpected === 0,
    })
  }
  printVerdicts(verdicts)
}

export const scenario: Scenario = {
  description: `${fmt.int(EMAILS)} queued emails through the ROLE=worker server to an SMTP sink (PostgreSQL) vs bare nodemailer; emails/s, RSS`,
  run,
}
