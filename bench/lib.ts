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
/** Every process startProcess() spawned, by name: the profiles (`--profile`) are named by pid. */
export const started: Array<{ name: string; pid: number }> = []

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
  options: {
    /** open an IPC channel: child.send() / process.send() */
    ipc?: boolean
    /** what to run instead of this node (args then are its arguments), e.g. 'npm' */
    command?: string
  } = {},
): Proc {
  const startedAt = performance.now()
  const spawnedEpochMs = Date.now()
  const stdio: Array<'ignore' | 'pipe' | 'ipc'> = ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])]
  const child = spawn(options.command ?? process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio })
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${args.join(' ')}`)
  children.add(child)
  started.push({ name, pid: child.pid })
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
const OWN_VARIABLES = /^(PORT|HOST|DATABASE_URL|DATA_DIR|ADMIN_EMAIL|ADMIN_PASSWORD|RATE_LIMIT|LOG_LEVEL|LOG_FORMAT|ROLE|SMTP_URL|PUBLIC_URL)$/
function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OWN_VARIABLES.test(k)))
  const extra = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>
  return { ...base, NODE_ENV: 'production', ...extra }
}

export function tsEntry(file: string): string[] {
  // BENCH_CPU_PROF=dir: every process started here writes a V8 CPU profile there on exit (open in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  return [...profile, '--import', 'tsx', file]
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

/** The process `npm start` exec'd (the server itself), or the pid itself when it has no child. */
export function serverPidOf(pid: number): number {
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean)
  return children.length === 1 ? Number(children[0]) : pid
}

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

/**
 * `node --import tsx src/server.ts`, or `npm start` (the compiled dist/, which `npm run build` must have made),
 * on a free port; resolves once /health/ready answers 200.
 */
export async function startApp(
  name: string,
  env: Record<string, string | undefined>,
  { entry = 'source' }: { entry?: 'source' | 'npm-start' } = {},
): Promise<AppServer> {
  const port = await freePort()
  const command = entry === 'npm-start' ? { args: ['start', '--silent'], command: 'npm' } : { args: tsEntry('src/server.ts') }
  const proc = startProcess(name, command.args, {
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  }, { command: command.command })
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
export async function autocannon(
  url: string,
  { connections = 50, durationSec = 10, headers = {} }: { connections?: number; durationSec?: number; headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  const cli = require.resolve('autocannon/autocannon.js')
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`])
  const child = spawn(process.execPath, [cli, '--json', '-c', String(connections), '-d', String(durationSec), ...headerArgs, url], {
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

export interface BodyLoadResult extends LoadResult {
  /** seconds autocannon ran */
  durationSec: number
  /** answers per HTTP status */
  statuses: Record<string, number>
  /** `code` of non-2xx JSON answers (problem+json), counted */
  codes: Record<string, number>
  /** sum of the numeric `sumField` of all 2xx JSON answers */
  summed: number
  /** CPU time of the load generator itself */
  loaderCpuMs: number
}

/**
 * autocannon with a distinct body per request, in its own process like `autocannon()`. `makeBody(n, params)` is sent
 * to the child as source text, so it must use nothing but its arguments (n counts 0, 1, 2, … over the whole run).
 * With `amount`, autocannon stops after that many requests instead of after `durationSec`.
 */
export async function autocannonBodies<P>(
  url: string,
  options: {
    connections?: number
    durationSec?: number
    amount?: number
    method?: string
    makeBody: (n: number, params: P) => unknown
    params: P
    /** numeric field of 2xx answers to sum up (e.g. partySize) */
    sumField?: string
  },
): Promise<BodyLoadResult> {
  const config = {
    url,
    connections: options.connections ?? 50,
    duration: options.durationSec ?? 10,
    amount: options.amount,
    method: options.method ?? 'POST',
    makeBody: options.makeBody.toString(),
    params: options.params,
    sumField: options.sumField ?? null,
    autocannon: require.resolve('autocannon'),
  }
  const script = `
    const config = JSON.parse(process.env.BENCH_LOAD_CONFIG)
    const { default: autocannon } = await import(${JSON.stringify('file://')} + config.autocannon)
    const makeBody = (0, eval)('(' + config.makeBody + ')')
    let n = 0
    const statuses = {}, codes = {}
    let summed = 0
    const onResponse = (status, body) => {
      statuses[status] = (statuses[status] ?? 0) + 1
      let json
      try { json = JSON.parse(body) } catch { return }
      if (status >= 200 && status < 300) {
        if (config.sumField && typeof json?.[config.sumField] === 'number') summed += json[config.sumField]
      } else if (json && typeof json.code === 'string') codes[json.code] = (codes[json.code] ?? 0) + 1
    }
    const cpu = process.cpuUsage()
    const result = await autocannon({
      url: config.url,
      connections: config.connections,
      duration: config.duration,
      ...(config.amount ? { amount: config.amount } : {}),
      requests: [{
        method: config.method,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(makeBody(n++, config.params)) }),
        onResponse,
      }],
    })
    const used = process.cpuUsage(cpu)
    process.stdout.write(JSON.stringify({ result, statuses, codes, summed, loaderCpuMs: (used.user + used.system) / 1000 }) + '\\n')
  `
  const { result, statuses, codes, summed, loaderCpuMs } = await runLoader('bodies', script, { BENCH_LOAD_CONFIG: JSON.stringify(config) })
  return { ...result, statuses, codes, summed, loaderCpuMs }
}

/**
 * Runs an inline autocannon script in its own process (so the load does not share a core's event loop with
 * the bench) and reads the JSON line it prints last: `{result, ...extra}`, `result` being autocannon's.
 */
export async function runLoader(
  label: string,
  script: string,
  env: Record<string, string>,
): Promise<{ result: LoadResult & { total: number; durationSec: number } } & Record<string, any>> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  children.delete(child)
  const line = stdout.trim().split('\n').pop()
  if (code !== 0 || !line) throw new Error(`autocannon (${label}) exited ${code}: ${stderr.slice(-1000)}`)
  const { result: r, ...extra } = JSON.parse(line)
  const result = {
    requestsPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
    durationSec: r.duration,
  }
  return { result, ...extra }
}

/** A number from the environment, for the benches' knobs (BENCH_DURATION and the like). */
export const envNumber = (name: string, fallback: number) => Number(process.env[name] ?? fallback)

/** utime + stime of a process in ms (0 if it is gone). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100) // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0
  }
}

/** CPU ms of a process and its children (API_PROCESSES: the supervisor and its API processes). */
export function cpuMsOfTree(pid: number): number {
  let children: number[] = []
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)
  } catch {
    // gone
  }
  return cpuMsOf(pid) + children.reduce((sum, child) => sum + cpuMsOfTree(child), 0)
}

/** CPU ms of every process whose name starts with `name` (e.g. all PostgreSQL backends), by pid. */
export function cpuByName(name: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (!comm.startsWith(name)) continue
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * 10)
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** Busy and total CPU ms of the whole machine (all cores), from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = v[3] + (v[4] ?? 0)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: (total - idle) * 10, total: total * 10 }
}
