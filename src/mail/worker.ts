import { randomUUID } from 'node:crypto'
import { and, asc, eq, inArray, isNull, lte, or, lt, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/client.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import { outboxEmails } from '../db/schema.js'
import { attachmentsFor, isTransientAttachmentError, type EmailAttachments } from './attachments.js'
import { EmailRenderError, renderEmail } from './render.js'
import { isTemplateName } from './templates.js'
import type { MailTransport } from './transport.js'

export type OutboxRow = typeof outboxEmails.$inferSelect

export interface WorkerOptions {
  db: Database
  transport: MailTransport
  mailFrom: string
  log: FastifyBaseLogger
  pollMs: number
  /** what each kind of email attaches (the features say: features/email/attachments.ts) */
  attachments: EmailAttachments
  /** other periodic work done on each poll, before sending (the reminder scheduler) */
  beforeEachPoll?: () => Promise<void>
  batchSize?: number
  leaseMs?: number
}

/** Rejections that will not go away by waiting (a refused recipient, a broken template) end as `failed` after this. */
export const MAX_PERMANENT_ATTEMPTS = 5
// Capped so that after an SMTP outage mail flows again within one cap plus one poll (< 30 s).
const BACKOFF_CAP_MS = 20_000

export function retryDelayMs(attempts: number): number {
  const exponential = Math.min(BACKOFF_CAP_MS, 1000 * 2 ** Math.max(0, attempts - 1))
  // Jitter spreads the retries of many rows (and workers) so a returning server is not hit all at once.
  return Math.round(exponential * (0.5 + Math.random() * 0.5))
}

/** SMTP 5xx and errors of our own (rendering) are permanent; connection trouble and 4xx are worth waiting for. */
export function isPermanentFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; permanent?: boolean }
  if (e.permanent) return true
  return typeof e.responseCode === 'number' && e.responseCode >= 500
}

/**
 * Claims due rows: FOR UPDATE SKIP LOCKED keeps concurrent workers on PostgreSQL apart, and the lease
 * (`locked_until`) keeps them apart across transactions and on PGlite, whose one connection never skips.
 * A worker that dies leaves its lease to run out; then another takes the rows again.
 */
export async function claimDueEmails(db: Database, workerId: string, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const now = new Date()
  const due = db
    .select({ id: outboxEmails.id })
    .from(outboxEmails)
    .where(
      and(
        eq(outboxEmails.status, 'queued'),
        lte(outboxEmails.sendAfter, now),
        or(isNull(outboxEmails.lockedUntil), lt(outboxEmails.lockedUntil, now)),
      ),
    )
    .orderBy(asc(outboxEmails.sendAfter), asc(outboxEmails.id))
    .limit(limit)
    .for('update', { skipLocked: true })
  return db
    .update(outboxEmails)
    .set({
      lockedUntil: new Date(now.getTime() + leaseMs),
      lockedBy: workerId,
      attempts: sql`${outboxEmails.attempts} + 1`,
    })
    .where(inArray(outboxEmails.id, due))
    .returning()
}

/**
 * Records how a row ended. The email may already be out: if the database is briefly unavailable (a restart),
 * giving up here would leave the row queued and send it again when the lease runs out. So keep trying while
 * our lease holds; the `mine` condition of the update keeps it harmless if another worker took the row since.
 */
async function settle(row: OutboxRow, update: () => Promise<unknown>): Promise<void> {
  const leaseEnds = row.lockedUntil?.getTime() ?? 0
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 2000)) {
    try {
      await update()
      return
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + waitMs >= leaseEnds) throw err
      await new Promise((resolve) => setTimeout(resolve, waitMs))
    }
  }
}

async function deliver(options: WorkerOptions, workerId: string, row: OutboxRow): Promise<void> {
  const { db, transport } = options
  // Only the lease holder may settle the row: if our lease ran out and another worker took it, we stay silent.
  const mine = and(eq(outboxEmails.id, row.id), eq(outboxEmails.lockedBy, workerId), eq(outboxEmails.status, 'queued'))
  try {
    if (!isTemplateName(row.template)) throw Object.assign(new Error(`unknown template ${row.template}`), { permanent: true })
    let rendered
    try {
      rendered = renderEmail(row.template, row.locale, row.data)
    } catch (err) {
      // Bad data in this row will never render; broken template files are a deployment fault that the
      // next release fixes, so those rows wait (retrying) instead of failing the whole outbox.
      const deploymentFault = err instanceof EmailRenderError && err.kind === 'templates'
      throw Object.assign(err as Error, { permanent: !deploymentFault })
    }
    let attachments
    try {
      attachments = await attachmentsFor(options.attachments, row.template, row.data)
    } catch (err) {
      // Like a render error: this row's data makes no QR or calendar, unless the machine itself was short.
      throw Object.assign(err as Error, { permanent: !isTransientAttachmentError(err) })
    }
    const response = await transport.send({
      from: options.mailFrom,
      to: row.toAddress,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: row.messageId,
      ...(attachments.length > 0 ? { attachments } : {}),
    })
    await settle(row, () =>
      db
        .update(outboxEmails)
        .set({ status: 'sent', sentAt: new Date(), smtpResponse: response.slice(0, 500), lockedUntil: null, lastError: null })
        .where(mine),
    )
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw err
    const message = String((err as Error).message ?? err).slice(0, 1000)
    const failed = isPermanentFailure(err) && row.attempts >= MAX_PERMANENT_ATTEMPTS
    await settle(row, () =>
      db
        .update(outboxEmails)
        .set(
          failed
            ? { status: 'failed', lastError: message, lockedUntil: null }
            : { lastError: message, lockedUntil: null, sendAfter: new Date(Date.now() + retryDelayMs(row.attempts)) },
        )
        .where(mine),
    )
    options.log.warn({ emailId: row.id, attempts: row.attempts, failed, err: message }, 'email not sent')
  }
}

/** One pass: claim and send batches until nothing is due. Returns how many rows were handled. */
export async function drainOutbox(options: WorkerOptions, workerId: string): Promise<number> {
  const batchSize = options.batchSize ?? 50
  let handled = 0
  for (;;) {
    const batch = await claimDueEmails(options.db, workerId, batchSize, options.leaseMs ?? 60_000)
    if (batch.length === 0) return handled
    // Every row of the batch is settled (or given up) before the poll ends, even when one fails: the next poll
    // and stop() never overlap a delivery still running.
    const outcomes = await Promise.allSettled(batch.map((row) => deliver(options, workerId, row)))
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    if (failure) throw failure.reason
    handled += batch.length
  }
}

export interface RunningWorker {
  id: string
  /** runs one poll now (tests, and the first poll at start) */
  pollNow(): Promise<void>
  stop(): Promise<void>
}

/** Polls every `pollMs`; a poll never overlaps the previous one, and stop() waits for the current one. */
export function startWorker(options: WorkerOptions): RunningWorker {
  const id = `${process.pid}-${randomUUID().slice(0, 8)}`
  let current: Promise<void> = Promise.resolve()
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  const poll = async () => {
    try {
      await options.beforeEachPoll?.()
      await drainOutbox(options, id)
    } catch (err) {
      // The database or the network may be down: log once per poll and try again at the next one.
      options.log.error({ err: isDatabaseUnavailable(err) ? (err as Error).message : err }, 'worker poll failed')
    }
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      current = poll().finally(schedule)
    }, options.pollMs)
  }
  current = poll().finally(schedule)

  return {
    id,
    async pollNow() {
      await current
      current = poll()
      await current
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
