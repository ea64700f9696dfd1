import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ServiceProcess {
  name: string
  child: ChildProcess
  pid: number
  /** http://127.0.0.1:<port> of an API process (undefined for ROLE=worker) */
  baseUrl?: string
  /** everything the process wrote (the last ~1 MB), for failure messages */
  output(): string
  /** parsed JSON log lines seen so far */
  logs(): Record<string, unknown>[]
  /** resolves with the exit code (or the signal's name) once the process has ended */
  exited: Promise<number | string>
  alive(): boolean
  /** SIGTERM, then SIGKILL if it has not ended after `graceMs` */
  stop(graceMs?: number): Promise<number | string>
  /** kill -9 */
  kill(): Promise<number | string>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // If the test process ends without its teardown (an uncaught error, tap's timeout signal), no service outlives it.
  const cleanup = () => {
    for (const child of running) child.kill('SIGKILL')
  }
  process.once('exit', cleanup)
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup()
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

/**
 * The real entry point as a child process: its own configuration, its own connection pool, its own crash.
 * `source` runs src/server.ts through tsx; `npm-start` runs `npm start` itself (the compiled dist/, see
 * ensureBuilt), and `pid` is then npm's, the process a process manager signals.
 * Resolves when it is ready (API: listening; worker: 'vereinsmesse ready').
 */
export async function startService(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
  { entry = 'source' }: { entry?: 'source' | 'npm-start' } = {},
): Promise<ServiceProcess> {
  installExitHook()
  const [command, args] =
    entry === 'npm-start' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/server.ts']]
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let out = ''
  let partial = ''
  const lines: Record<string, unknown>[] = []
  const listeners = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    const text = chunk.toString()
    out = (out + text).slice(-1_000_000)
    partial += text
    const complete = partial.split('\n')
    partial = complete.pop() ?? ''
    for (const line of complete) {
      if (!line.startsWith('{')) continue
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>
        // only what tests look for is kept: not every request line of a load test
        if (parsed.msg !== 'request') lines.push(parsed)
      } catch {
        // not a log line
      }
    }
    listeners.forEach((l) => l())
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child)
      resolve(code ?? signal ?? 'unknown')
      listeners.forEach((l) => l())
    }),
  )
  let ended = false
  void exited.then(() => (ended = true))

  const service: ServiceProcess = {
    name,
    child,
    pid: child.pid!,
    output: () => out,
    logs: () => lines,
    exited,
    alive: () => !ended,
    async stop(graceMs = 10_000) {
      if (ended) return exited
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const result = await exited
      clearTimeout(timer)
      return result
    },
    async kill() {
      if (!ended) child.kill('SIGKILL')
      return exited
    },
  }

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${name} not ready after ${readyTimeoutMs} ms:\n${out.slice(-4000)}`)), readyTimeoutMs)
    const check = () => {
      if (ended) return done(new Error(`${name} exited before it was ready:\n${out.slice(-4000)}`))
      const listening = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (listening) service.baseUrl = listening[1]
      if (/vereinsmesse ready/.test(out)) done()
    }
    const done = (err?: Error) => {
      clearTimeout(timer)
      listeners.delete(check)
      if (err) {
        child.kill('SIGKILL')
        reject(err)
      } else resolve()
    }
    listeners.add(check)
    check()
  })
  return service
}

const newestFile = (dir: string): number =>
  Math.max(
    0,
    ...fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const file = path.join(dir, entry.name)
      return entry.isDirectory() ? newestFile(file) : fs.statSync(file).mtimeMs
    }),
  )

/**
 * `npm start` runs dist/, which `npm install`/`npm ci` build through `prepare`. While src/ or migrations/ is
 * edited after that, dist/ is stale: rebuilt here, so a test never passes or fails on yesterday's code.
 */
export async function ensureBuilt(): Promise<void> {
  const built = path.join(ROOT, 'dist', 'server.js')
  const template = path.join(ROOT, 'dist', 'pglite-template.json')
  const fresh = () => {
    const inputs = Math.max(newestFile(path.join(ROOT, 'src')), newestFile(path.join(ROOT, 'migrations')))
    return fs.existsSync(built) && fs.existsSync(template) && Math.min(fs.statSync(built).mtimeMs, fs.statSync(template).mtimeMs) >= inputs
  }
  if (fresh()) return
  // Test files run in parallel: one builds, the others wait for it (two builds would replace dist/ under each other).
  const lock = path.join(ROOT, 'tmp', 'build.lock')
  fs.mkdirSync(path.dirname(lock), { recursive: true })
  const giveUp = Date.now() + 600_000
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (Date.now() > giveUp) throw new Error(`${lock} held for 10 minutes: a build was killed? Remove it.`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  try {
    if (fresh()) return
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`)
  } finally {
    fs.rmdirSync(lock)
  }
}

export interface HttpResult {
  status: number
  body: any
  headers: Headers
  ms: number
}

/** One JSON request against a service, timed; a network failure is status 0 (the process is gone). */
export async function request(
  baseUrl: string,
  method: string,
  url: string,
  options: { body?: unknown; token?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const started = performance.now()
  try {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    return { status: response.status, body, headers: response.headers, ms: performance.now() - started }
  } catch (err) {
    return { status: 0, body: String((err as Error).message), headers: new Headers(), ms: performance.now() - started }
  }
}

export const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' }

/** Logs in the admin configured by ADMIN_EMAIL/ADMIN_PASSWORD and returns the session token. */
export async function adminToken(baseUrl: string): Promise<string> {
  const login = await request(baseUrl, 'POST', '/v1/auth/login', { body: ADMIN })
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`)
  return login.body.token as string
}

/** A published event open for registration, created through the API; returns its id. */
export async function createOpenEvent(
  baseUrl: string,
  token: string,
  fields: { visitorCapacity: number; maxPartySize?: number; waitlist?: boolean },
): Promise<string> {
  const startsAt = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000)
  startsAt.setUTCHours(9, 0, 0, 0)
  const created = await request(baseUrl, 'POST', '/v1/events', {
    token,
    body: {
      slug: `ops-${Math.random().toString(36).slice(2, 10)}`,
      title: 'Vereinsmesse Dortmund',
      venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
      ...fields,
    },
  })
  if (created.status !== 201) throw new Error(`event not created: ${created.status} ${JSON.stringify(created.body)}`)
  const published = await request(baseUrl, 'POST', `/v1/events/${created.body.id}/publish`, { token })
  if (published.status !== 200) throw new Error(`event not published: ${published.status} ${JSON.stringify(published.body)}`)
  return created.body.id as string
}

let registrationCounter = 0

export interface Attempt extends HttpResult {
  email: string
  partySize: number
  /** ms since the load started, when the request was sent and when its answer arrived */
  sentAt: number
  answeredAt: number
}

/** One visitor registration through the public API, with a unique email. */
export async function register(baseUrl: string, eventId: string, partySize = 1, t0 = performance.now()): Promise<Attempt> {
  const email = `visitor-${process.pid}-${++registrationCounter}@example.org`
  const sentAt = performance.now() - t0
  const result = await request(baseUrl, 'POST', `/v1/events/${eventId}/registrations`, {
    body: { email, name: `Besucherin ${registrationCounter}`, partySize, consent: { privacy: true } },
  })
  return { ...result, email, partySize, sentAt, answeredAt: performance.now() - t0 }
}

/**
 * A registration as the contract's client makes it: a `503` (which carries Retry-After) is sent again with the same
 * body, after a second, up to three times. `retries` counts them; a retry whose first try had committed anyway
 * answers `409 already_registered`, so the caller accepts that code only when `retries > 0`.
 */
export async function registerRetrying503(baseUrl: string, eventId: string, partySize = 1): Promise<Attempt & { retries: number }> {
  let attempt = await register(baseUrl, eventId, partySize)
  let retries = 0
  while (attempt.status === 503 && retries < 3) {
    retries++
    await new Promise((r) => setTimeout(r, 1000))
    const again = await request(baseUrl, 'POST', `/v1/events/${eventId}/registrations`, {
      body: { email: attempt.email, name: 'Besucherin nach 503', partySize: attempt.partySize, consent: { privacy: true } },
    })
    attempt = { ...attempt, ...again }
  }
  return { ...attempt, retries }
}

/**
 * Registration load: `concurrency` loops, each sending one registration after another (pausing `pauseMs`),
 * until `stop()` says so; `baseUrls` are used in turn. Every answer is kept.
 */
export async function registrationLoad(options: {
  baseUrls: string[]
  eventId: string
  concurrency: number
  pauseMs?: number
  partySize?: () => number
  stop: () => boolean
  t0?: number
}): Promise<Attempt[]> {
  const t0 = options.t0 ?? performance.now()
  const attempts: Attempt[] = []
  let turn = 0
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (!options.stop()) {
        const baseUrl = options.baseUrls[turn++ % options.baseUrls.length]
        attempts.push(await register(baseUrl, options.eventId, options.partySize?.() ?? 1, t0))
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs))
      }
    }),
  )
  return attempts
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
