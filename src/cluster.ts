import cluster, { type Worker } from 'node:cluster'
import type { Config } from './config.js'

/**
 * API_PROCESSES=n: this process becomes a supervisor that forks n copies of the server (node:cluster), which
 * share its port; the kernel connection goes to them in turn. Each copy is the whole server with its own pool and
 * its own group commits: what the copies must agree on (places, one ok per ticket, one use of a nonce or
 * Idempotency-Key) is decided by PostgreSQL's constraints and locks, as between servers on several machines.
 *
 * - The first copy starts alone and migrates; the others start once it listens.
 * - ROLE=all: only the first copy runs the email worker (the others are ROLE=api), so one worker polls.
 * - SIGTERM (what process managers send) is passed to every copy, which stops as a single server does; the
 *   supervisor exits when all have. SIGINT is not passed on: Ctrl-C reaches every process of the terminal's group
 *   by itself, and a second signal would make a copy stop at once instead of finishing its requests.
 * - A copy that ends on its own ends the whole service (exit 1): the process manager restarts it whole, rather
 *   than this process hiding a crash loop.
 * Rate limits are counted per process: with n copies a client may get up to n times a per-IP limit.
 */
export async function superviseApiProcesses(config: Config): Promise<void> {
  const copies = new Set<Worker>()
  let stopping = false
  const log = (msg: string, fields: Record<string, unknown> = {}) =>
    process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, component: 'supervisor', ...fields, msg })}\n`)

  const fork = (role: Config['role']) => {
    const copy = cluster.fork({ ROLE: role, API_PROCESSES: '1' })
    copies.add(copy)
    copy.on('exit', (code, signal) => {
      copies.delete(copy)
      if (!stopping) {
        log('an API process ended on its own: stopping the service', { worker: copy.process.pid, code, signal })
        process.exitCode = 1
        stop('SIGTERM')
      } else if (copies.size === 0) process.exit()
    })
    return copy
  }

  function stop(signal?: NodeJS.Signals) {
    if (stopping && copies.size === 0) return process.exit()
    stopping = true
    if (signal !== 'SIGINT') for (const copy of copies) copy.process.kill('SIGTERM')
    // Each copy is gone within 10 s of its SIGTERM (server.ts); this is the backstop.
    setTimeout(() => {
      for (const copy of copies) copy.process.kill('SIGKILL')
      process.exit(process.exitCode ?? 1)
    }, 12_000).unref()
    if (copies.size === 0) process.exit()
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal))

  const first = fork(config.role)
  await new Promise<void>((resolve, reject) => {
    first.once('listening', () => resolve())
    first.once('exit', () => reject(new Error('the first API process ended before it listened')))
  }).catch(() => undefined)
  if (stopping) return
  for (let i = 1; i < config.apiProcesses; i++) fork('api')
  log('API processes started', { apiProcesses: config.apiProcesses })
}
