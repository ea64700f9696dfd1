/**
 * The floor to compare the email worker against, run as its own process by email.bench.ts: a pooled nodemailer
 * SMTP transport (same options as src/mail/transport.ts: maxConnections 5, maxMessages 1000) sending COUNT copies
 * of one already-rendered email, each with its own Message-ID and recipient, keeping CONCURRENCY sends in flight
 * (the worker sends batches of 50). No database, no templates, no logging.
 * Env: SMTP_URL, EMAIL_FILE (JSON { from, subject, html, text }), COUNT (10000), CONCURRENCY (50).
 * Prints one JSON line: { startedAt, ms, sent, failed, cpuMs (while sending), rssMb, peakRssMb (VmHWM) }.
 * MAX_CONNECTIONS (5) only to explore; the comparison uses the server's 5.
 */
import fs from 'node:fs'
import { randomUUID } from 'node:crypto'
import nodemailer from 'nodemailer'

const email = JSON.parse(fs.readFileSync(process.env.EMAIL_FILE!, 'utf8')) as { from: string; subject: string; html: string; text: string }
const COUNT = Number(process.env.COUNT ?? 10_000)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50)

const transporter = nodemailer.createTransport({
  url: process.env.SMTP_URL,
  pool: true,
  maxConnections: Number(process.env.MAX_CONNECTIONS ?? 5),
  maxMessages: 1000,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
} as Parameters<typeof nodemailer.createTransport>[0])

/** VmHWM: the highest RSS this process had */
function hwmMb(): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024
}

function cpuMsSince(base: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(base)
  return (user + system) / 1000
}

let next = 0
let sent = 0
let failed = 0

async function lane() {
  while (next < COUNT) {
    const i = next++
    try {
      await transporter.sendMail({
        from: email.from,
        to: `baseline-${i}@example.org`,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: `<${randomUUID()}@baseline>`,
      })
      sent++
    } catch {
      failed++
    }
  }
}

const startedAt = Date.now()
const cpuStart = process.cpuUsage()
const t0 = performance.now()
await Promise.all(Array.from({ length: CONCURRENCY }, lane))
const ms = performance.now() - t0
const rss = process.memoryUsage.rss()
transporter.close()
process.stdout.write(
  JSON.stringify({ startedAt, ms, sent, failed, cpuMs: cpuMsSince(cpuStart), rssMb: rss / 1024 / 1024, peakRssMb: hwmMb() }) + '\n',
)
process.exit(0)
