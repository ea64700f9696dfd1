import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

export const PG_SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const ADMIN = { email: 'bench-admin@example.org', password: 'bench-password-123' }

// ── cleanup: everything a scenario starts or creates registers its undo here ──────────────────────────────

const cleanups: Array<() => Promise<void> | void> = []
const children = new Set<ChildProcess>()

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn)
}

/** Runs every registered cleanup, newest first; never throws. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!
    try {
      await fn()
    } catch (err) {
      process.stderr.write(`bench cleanup failed: ${(err as Error).message}\n`)
    }
  }
}

// Last resort if the dispatcher dies without its finally: no child may outlive us.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

// ── processes ─────────────────────────────────────────────────────────────────────────────────────────────

export interface Proc {
  name: string
  child: ChildProcess
  pid: number
  startedAt: number
  /** Date.now() at spawn, to compare with the epoch-ms `time` of the child's pino lines */
  spawnedEpochMs: number
  /** the last lines of stdout and stderr, for error messages */
  output(): string
  /** resolves with the first stdout line matching `test` */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>
  stop(): Promise<void>
}

/**
 * Starts a process and keeps track of it. TypeScript entry points run as `node --import tsx file.ts`,
 * so the pid is the server itself (the `tsx` CLI would be a parent process with its own RSS).
 */
export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { /** open an IPC channel: child.send() / process.send() */ ipc?: boolean } = {},
): Proc {
  const startedAt = performance.now()
  const spawnedEpochMs = Date.now()
  const stdio: Array<'ignore' | 'pipe' | 'ipc'> = ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])]
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio })
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${args.join(' ')}`)
  children.add(child)
  let tail: string[] = []
  const lineWaiters = new Set<(line: string) => void>()
  let buffered = ''
  const keep = (text: string) => {
    tail = tail.concat(text.split('\n').filter(Boolean)).slice(-30)
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    keep(chunk)
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) for (const waiter of lineWaiters) waiter(line)
  })
  child.stderr!.setEncoding('utf8').on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  exited.then(() => children.delete(child))

  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    startedAt,
    spawnedEpochMs,
    output: () => tail.join('\n'),
    waitForLine(test, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${name}: no matching output within ${timeoutMs} ms`)), timeoutMs)
        const waiter = (line: string) => test(line) && done(null, line)
        const onExit = () => done(new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${proc.output()}`))
        function done(err: Error | null, line?: string) {
          clearTimeout(timer)
          lineWaiters.delete(waiter)
          child.off('exit', onExit)
          if (err) reject(err)
          else resolve(line!)
        }
        lineWaiters.add(waiter)
        child.once('exit', onExit)
      })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000)
      await exited
      clearTimeout(timer)
    },
  }
  onCleanup(() => proc.stop())
  return proc
}

// The parent's DATABASE_URL, PORT etc. must never leak into a child by accident.
const OWN_VARIABLES = /^(PORT|HOST|DATABASE_URL|DATA_DIR|ADMIN_EMAIL|ADMIN_PASSWORD|RATE_LIMIT|LOG_LEVEL|ROLE|SMTP_URL|PUBLIC_URL)$/
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OWN_VARIABLES.test(k)))
  const extra = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>
  return { ...base, NODE_ENV: 'production', ...extra }
}

export function tsEntry(file: string): string[] {
  return ['--import', 'tsx', file]
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Polls `url` until it answers `status`; returns ms since `since` (performance.now() clock). */
export async function waitForStatus(url: string, proc: Proc, { status = 200, timeoutMs = 60_000, since = proc.startedAt } = {}) {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.status === status) return performance.now() - since
    } catch {
      // not listening yet
    }
    await sleep(10)
  }
  throw new Error(`${proc.name}: ${url} did not answer ${status} within ${timeoutMs} ms:\n${proc.output()}`)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** VmRSS and VmHWM (peak) of a process in MB, from /proc. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

export async function jsonRequest<T>(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}

// ── throwaway resources ───────────────────────────────────────────────────────────────────────────────────

/** A fresh, empty database on the bench PostgreSQL, dropped at cleanup. Returns its URL. */
export async function createBenchDatabase(): Promise<string> {
  const name = `vms_bench_${randomBytes(5).toString('hex')}`
  const admin = postgres(PG_SERVER_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    await admin.unsafe(`create database ${name}`)
  } finally {
    await admin.end()
  }
  onCleanup(async () => {
    const cleanup = postgres(PG_SERVER_URL, { max: 1, onnotice: () => {} })
    try {
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
    } finally {
      await cleanup.end()
    }
  })
  const url = new URL(PG_SERVER_URL)
  url.pathname = `/${name}`
  return url.toString()
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

// ── our server ────────────────────────────────────────────────────────────────────────────────────────────

export interface AppServer {
  proc: Proc
  baseUrl: string
  /** ms from spawn until /health/ready answered 200 */
  readyMs: number
  /**
   * From the server's own "vereinsmesse ready" line (LOG_LEVEL info or lower): its readyMs, and the time from spawn
   * until main() began (node boot, tsx, module imports, config), which its readyMs does not include.
   */
  selfReported: Promise<{ readyMs: number; beforeMainMs: number } | undefined>
}

/** `node --import tsx src/server.ts` on a free port; resolves once /health/ready answers 200. */
export async function startApp(name: string, env: Record<string, string | undefined>): Promise<AppServer> {
  const port = await freePort()
  const proc = startProcess(name, tsEntry('src/server.ts'), {
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  })
  const selfReported = proc
    .waitForLine((line) => line.includes('"vereinsmesse ready"'), 120_000)
    .then((line) => {
      const { readyMs, time } = JSON.parse(line) as { readyMs: number; time: number }
      return { readyMs, beforeMainMs: time - readyMs - proc.spawnedEpochMs }
    })
    .catch(() => undefined)
  const baseUrl = `http://127.0.0.1:${port}`
  const readyMs = await waitForStatus(`${baseUrl}/health/ready`, proc, { timeoutMs: 120_000 })
  return { proc, baseUrl, readyMs, selfReported }
}

// ── load: autocannon in its own process ───────────────────────────────────────────────────────────────────

export interface LoadResult {
  requestsPerSec: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  total: number
}

/** Runs the autocannon CLI as a child process (so it never shares the event loop with a server) and parses its JSON. */
export async function autocannon(url: string, { connections = 50, durationSec = 10 } = {}): Promise<LoadResult> {
  const cli = require.resolve('autocannon/autocannon.js')
  const child = spawn(process.execPath, [cli, '--json', '-c', String(connections), '-d', String(durationSec), url], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  children.delete(child)
  const line = stdout.trim().split('\n').pop()
  if (code !== 0 || !line) throw new Error(`autocannon exited ${code}: ${stderr.slice(-1000)}`)
  const r = JSON.parse(line)
  return {
    requestsPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  }
}
