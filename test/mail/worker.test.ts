import t from 'tap'
import { eq } from 'drizzle-orm'
import pino from 'pino'
import { openDatabase } from '../../src/db/client.js'
import { outboxEmails } from '../../src/db/schema.js'
import { enqueueEmail, enqueueEmails } from '../../src/mail/outbox.js'
import { createTransport } from '../../src/mail/transport.js'
import { claimDueEmails, drainOutbox, MAX_PERMANENT_ATTEMPTS, retryDelayMs, type WorkerOptions } from '../../src/mail/worker.js'
import { build, type TestContext } from '../helpers/app.js'
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js'
import { workerOptions as featureWorkerOptions } from '../helpers/mail.js'

const loginEmail = (n: number) => ({
  to: `person${n}@example.org`,
  template: 'magic-link' as const,
  locale: 'de',
  data: { name: `Person ${n}`, loginUrl: `http://localhost:3000/login?token=vml_${n}`, expiresMinutes: 15 },
})

function workerOptions(ctx: TestContext, sink: SmtpSink, db = ctx.db): WorkerOptions {
  return featureWorkerOptions({
    db,
    transport: createTransport({ smtpUrl: sink.url, dataDir: '/nonexistent', publicUrl: ctx.config.publicUrl }, ctx.app.log),
    mailFrom: ctx.config.mailFrom,
    log: ctx.app.log,
  })
}

async function statuses(ctx: TestContext) {
  const rows = await ctx.db.select().from(outboxEmails)
  return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {})
}

t.test('an email whose transaction rolls back is never sent', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  await t.rejects(
    ctx.db.transaction(async (tx) => {
      await enqueueEmail(tx, loginEmail(1))
      throw new Error('the change failed')
    }),
    /the change failed/,
  )
  await enqueueEmail(ctx.db, loginEmail(2))
  const options = workerOptions(ctx, sink)
  t.equal(await drainOutbox(options, 'w1'), 1)
  options.transport.close()
  t.equal(sink.messages.length, 1)
  t.same(sink.messages[0].to && 'value' in sink.messages[0].to ? sink.messages[0].to.value[0].address : null, 'person2@example.org')
})

t.test('sent with its queued Message-ID, rendered, marked sent with the SMTP answer; dedupe keys queue once', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  t.equal(await enqueueEmail(ctx.db, { ...loginEmail(1), dedupeKey: 'once' }), true)
  t.equal(await enqueueEmail(ctx.db, { ...loginEmail(1), dedupeKey: 'once' }), false, 'the same key again is a no-op')
  const [row] = await ctx.db.select().from(outboxEmails)
  const options = workerOptions(ctx, sink)
  await drainOutbox(options, 'w1')
  options.transport.close()
  const [mail] = await sink.waitFor(1)
  t.equal(mail.messageId, row.messageId)
  t.match(mail.subject, /Vereinsmesse/)
  t.match(mail.text, /login\?token=vml_1/)
  const [sent] = await ctx.db.select().from(outboxEmails)
  t.equal(sent.status, 'sent')
  t.equal(sent.attempts, 1)
  t.match(sent.smtpResponse, /^250/)
  t.ok(sent.sentAt)
  t.equal(sent.lockedUntil, null)
})

t.test('enqueueing data a template cannot render fails the transaction, not the recipient', async (t) => {
  const ctx = await build(t)
  await t.rejects(enqueueEmail(ctx.db, { ...loginEmail(1), data: { name: 'x' } }), /magic-link/)
  t.same(await statuses(ctx), {})
})

t.test('SMTP down: rows stay queued and back off; after the server returns all arrive exactly once', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  await sink.stop()
  await enqueueEmails(ctx.db, Array.from({ length: 20 }, (_, i) => loginEmail(i)))
  const options = workerOptions(ctx, sink)
  t.teardown(() => options.transport.close())
  await drainOutbox(options, 'w1')
  const afterOutage = await ctx.db.select().from(outboxEmails)
  t.ok(afterOutage.every((r) => r.status === 'queued' && r.attempts === 1 && r.lastError && r.sendAfter > new Date()), 'queued, retried later')
  t.equal(await drainOutbox(options, 'w1'), 0, 'nothing is due during the back-off')

  await sink.start()
  t.teardown(() => sink.stop())
  // attempt 1 backs off 0.5–1 s
  await new Promise((r) => setTimeout(r, 1100))
  await drainOutbox(options, 'w1')
  await sink.waitFor(20)
  t.equal(sink.messages.length, 20)
  t.equal(new Set(sink.messages.map((m) => m.messageId)).size, 20, 'none twice')
  t.same(await statuses(ctx), { sent: 20 })
})

t.test('a permanent rejection ends as failed after the last attempt, with the error visible', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  sink.rejectRecipient('person1@example.org')
  await enqueueEmails(ctx.db, [loginEmail(1), loginEmail(2)])
  const options = workerOptions(ctx, sink)
  t.teardown(() => options.transport.close())
  for (let i = 0; i < MAX_PERMANENT_ATTEMPTS; i++) {
    await drainOutbox(options, 'w1')
    // skip the back-off wait: the test is about the attempt count, not the clock
    await ctx.db.update(outboxEmails).set({ sendAfter: new Date() }).where(eq(outboxEmails.status, 'queued'))
  }
  const [rejected] = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.toAddress, 'person1@example.org'))
  t.equal(rejected.status, 'failed')
  t.equal(rejected.attempts, MAX_PERMANENT_ATTEMPTS)
  t.match(rejected.lastError, /550|mailbox unavailable/)
  t.same(await statuses(ctx), { failed: 1, sent: 1 })
})

t.test('a row whose template cannot render fails without blocking the others', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  await ctx.db.insert(outboxEmails).values({ toAddress: 'x@example.org', template: 'no-such-template', locale: 'de', data: {}, messageId: '<broken@vereinsmesse>' })
  await enqueueEmail(ctx.db, loginEmail(1))
  const options = workerOptions(ctx, sink)
  t.teardown(() => options.transport.close())
  await drainOutbox(options, 'w1')
  t.equal(sink.messages.length, 1)
  const [broken] = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.template, 'no-such-template'))
  t.equal(broken.status, 'queued', 'retried a few times first')
  t.match(broken.lastError, /unknown template/)
})

t.test('a worker that dies mid-batch: its leased rows are taken again once the lease runs out', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  await enqueueEmails(ctx.db, Array.from({ length: 10 }, (_, i) => loginEmail(i)))
  // "dead" claims 4 rows with a short lease and never settles them, like a process killed after claiming.
  const claimedAt = Date.now()
  const claimed = await claimDueEmails(ctx.db, 'dead', 4, 3000)
  t.equal(claimed.length, 4)
  const options = workerOptions(ctx, sink)
  t.teardown(() => options.transport.close())
  t.equal(await drainOutbox(options, 'alive'), 6, 'the leased rows are not touched while the lease runs')
  await new Promise((r) => setTimeout(r, Math.max(0, claimedAt + 3100 - Date.now())))
  t.equal(await drainOutbox(options, 'alive'), 4, 'after the lease they are')
  await sink.waitFor(10)
  t.equal(new Set(sink.messages.map((m) => m.messageId)).size, 10)
  t.same(await statuses(ctx), { sent: 10 })
})

t.test('two workers on one database, 500 emails: each delivered once', async (t) => {
  const ctx = await build(t)
  const sink = await startSmtpSink()
  t.teardown(() => sink.stop())
  await enqueueEmails(ctx.db, Array.from({ length: 500 }, (_, i) => loginEmail(i)))
  // On PostgreSQL the second worker has its own connection pool, as a second process would.
  const second = ctx.database.url ? await openDatabase({ url: ctx.database.url, poolSize: 5 }) : undefined
  t.teardown(() => second?.close())
  const a = workerOptions(ctx, sink)
  const b = workerOptions(ctx, sink, second?.db ?? ctx.db)
  t.teardown(() => (a.transport.close(), b.transport.close()))
  const [handledA, handledB] = await Promise.all([drainOutbox({ ...a, batchSize: 20 }, 'a'), drainOutbox({ ...b, batchSize: 20 }, 'b')])
  t.equal(handledA + handledB, 500)
  if (second) t.ok(handledA > 0 && handledB > 0, `both worked (${handledA} + ${handledB})`)
  await sink.waitFor(500)
  t.equal(sink.messages.length, 500)
  t.equal(new Set(sink.messages.map((m) => m.messageId)).size, 500, 'no Message-ID twice')
  t.same(await statuses(ctx), { sent: 500 })
})

t.test('back-off grows, is jittered and capped so mail flows within 30 s of a return', async (t) => {
  for (let attempt = 1; attempt <= 30; attempt++) {
    const delay = retryDelayMs(attempt)
    t.ok(delay <= 20_000 && delay >= Math.min(20_000, 1000 * 2 ** (attempt - 1)) / 2, `attempt ${attempt}: ${delay} ms`)
  }
  t.not(retryDelayMs(5), retryDelayMs(5) + 1)
  const samples = new Set(Array.from({ length: 20 }, () => retryDelayMs(4)))
  t.ok(samples.size > 1, 'jittered')
})

t.test('file transport: no SMTP_URL writes .eml files and logs subject and links', async (t) => {
  const fs = await import('node:fs')
  const os = await import('node:os')
  const path = await import('node:path')
  const { simpleParser } = await import('mailparser')
  const ctx = await build(t)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-mail-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const logged: Record<string, unknown>[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) })
  const transport = createTransport({ dataDir: dir, publicUrl: 'http://localhost:3000' }, log)
  await enqueueEmail(ctx.db, loginEmail(7))
  await drainOutbox(featureWorkerOptions({ db: ctx.db, transport, mailFrom: ctx.config.mailFrom, log: ctx.app.log }), 'w')
  const files = fs.readdirSync(path.join(dir, 'outbox'))
  t.equal(files.length, 1)
  t.match(files[0], /\.eml$/)
  const mail = await simpleParser(fs.readFileSync(path.join(dir, 'outbox', files[0])))
  t.match(mail.text, /login\?token=vml_7/)
  t.ok(mail.html, 'has an HTML part')
  t.same(logged[0].links, ['http://localhost:3000/login?token=vml_7'])
  t.match(String(logged[0].subject), /Vereinsmesse/)
  const [row] = await ctx.db.select().from(outboxEmails)
  t.equal(row.status, 'sent')
  t.match(row.smtpResponse, /^file:/)
})

t.test('a worker process killed with SIGKILL mid-batch loses nothing', { skip: !process.env.TEST_DATABASE_URL && 'needs a PostgreSQL shared by two processes' }, async (t) => {
  const { spawn } = await import('node:child_process')
  const ctx = await build(t)
  const sink = await startSmtpSink(0, { delayMs: 50 })
  t.teardown(() => sink.stop())
  await enqueueEmails(ctx.db, Array.from({ length: 60 }, (_, i) => loginEmail(i)))
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/mail/fixtures/worker-process.ts'], {
    env: { ...process.env, DATABASE_URL: ctx.database.url, SMTP_URL: sink.url, LEASE_MS: '2000' },
    stdio: 'ignore',
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  await sink.waitFor(5)
  const killedAt = Date.now()
  child.kill('SIGKILL')
  await exited
  const leased = await ctx.db.select().from(outboxEmails).where(eq(outboxEmails.lockedBy, 'doomed'))
  t.ok(leased.some((r) => r.status === 'queued'), 'the dead worker left leased rows behind')

  await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 2100 - Date.now())))
  const options = workerOptions(ctx, sink)
  t.teardown(() => options.transport.close())
  await drainOutbox(options, 'survivor')
  t.same(await statuses(ctx), { sent: 60 }, 'every email sent')
  const ids = sink.messages.map((m) => m.messageId)
  t.equal(new Set(ids).size, 60, 'all 60 arrived')
  // Sent by the dead worker but not yet marked: repeated, under the same Message-ID, at most one batch of them.
  t.ok(ids.length - 60 <= 10, `${ids.length - 60} repeated (at most one batch)`)
})
