/**
 * A cheap SMTP sink for email.bench.ts, run as its own process with an IPC channel: it accepts every message,
 * reads only the header block for the Message-ID and discards the rest (no mailparser). Talks over IPC:
 *   → { type: 'listening', port }                         once listening
 *   → { type: 'progress', count, unique, at }             every PROGRESS_MS while the count changes
 *   → { type: 'target', count, unique, at }               when `count` reaches the target set by reset
 *   ← { type: 'reset', target }   → { type: 'reset', ok: true }
 *   ← { type: 'stats' }           → { type: 'stats', count, unique, withoutId, firstAt, lastAt, targetAt, rssMb, cpuMs, ids }
 * (cpuMs: this process's CPU time since the last reset)
 * Times are epoch ms (Date.now()), comparable across processes.
 */
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

const PROGRESS_MS = 100
const MAX_HEADER_BYTES = 64 * 1024

let count = 0
let ids = new Set<string>()
let withoutId = 0
let firstAt: number | null = null
let lastAt: number | null = null
let target = Infinity
let targetAt: number | null = null
let reported = -1
let cpuBase = process.cpuUsage()

function cpuMsSince(base: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(base)
  return (user + system) / 1000
}

function send(message: Record<string, unknown>) {
  process.send?.(message)
}

function messageIdOf(header: string): string | null {
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ')
  const match = /^message-id:[ \t]*(\S+)/im.exec(unfolded)
  return match ? match[1] : null
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  closeTimeout: 100,
  onData(stream, _session, callback) {
    // Keep only the bytes up to the blank line that ends the header; the body is read and dropped.
    const head: Buffer[] = []
    let headBytes = 0
    let headDone = false
    stream.on('data', (chunk: Buffer) => {
      if (headDone) return
      head.push(chunk)
      headBytes += chunk.length
      const joined = head.length === 1 ? head[0] : Buffer.concat(head)
      if (joined.indexOf('\r\n\r\n') !== -1 || joined.indexOf('\n\n') !== -1 || headBytes > MAX_HEADER_BYTES) {
        headDone = true
        head.length = 0
        head.push(joined)
      }
    })
    stream.on('error', (err) => callback(err))
    stream.on('end', () => {
      const header = Buffer.concat(head).toString('latin1').split(/\r?\n\r?\n/, 1)[0]
      const id = messageIdOf(header)
      if (id) ids.add(id)
      else withoutId++
      count++
      const now = Date.now()
      firstAt ??= now
      lastAt = now
      if (count === target) {
        targetAt = now
        send({ type: 'target', count, unique: ids.size, at: now })
      }
      callback()
    })
  },
})

server.on('error', (err) => {
  process.stderr.write(`smtp sink error: ${err.message}\n`)
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo
  send({ type: 'listening', port })
})

setInterval(() => {
  if (count === reported) return
  reported = count
  send({ type: 'progress', count, unique: ids.size, at: Date.now() })
}, PROGRESS_MS).unref()

process.on('message', (message: { type: string; target?: number }) => {
  if (message.type === 'reset') {
    count = 0
    ids = new Set()
    withoutId = 0
    firstAt = lastAt = targetAt = null
    target = message.target ?? Infinity
    reported = -1
    cpuBase = process.cpuUsage()
    send({ type: 'reset', ok: true })
  } else if (message.type === 'stats') {
    send({
      type: 'stats',
      count,
      unique: ids.size,
      withoutId,
      firstAt,
      lastAt,
      targetAt,
      rssMb: process.memoryUsage.rss() / 1024 / 1024,
      cpuMs: cpuMsSince(cpuBase),
      ids: [...ids],
    })
  }
})

// The parent going away (IPC closed) or SIGTERM: close and leave.
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
