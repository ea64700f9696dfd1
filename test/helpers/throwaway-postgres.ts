import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where Debian/Ubuntu put PostgreSQL 15's server binaries (what CI installs); PG_BIN overrides. */
export const POSTGRES_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only) */
  url: string
  port: number
  dir: string
  /** `pg_ctl stop -m fast`: running transactions are rolled back, clients see their connections end */
  stop(): Promise<void>
  /** start again on the same port and data directory (waits until it accepts connections) */
  start(): Promise<void>
  /** stop immediately and delete the data directory; safe to call twice and after a failed start */
  destroy(): Promise<void>
}

/** True when the PostgreSQL server binaries are installed here (the fault tests need them). */
export function postgresBinariesAvailable(): boolean {
  return fs.existsSync(path.join(POSTGRES_BIN, 'initdb')) && fs.existsSync(path.join(POSTGRES_BIN, 'pg_ctl'))
}

/** A free TCP port on loopback (the kernel picks it; a tiny race with other processes is accepted). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const live = new Set<string>()
let exitHookInstalled = false

/**
 * Last resort when the test process ends without its teardown (an uncaught error, tap's timeout signal):
 * stop every cluster it started, synchronously. A SIGKILL of the test process still leaves one behind.
 */
function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const cleanup = () => {
    for (const dir of live) {
      spawnSync(path.join(POSTGRES_BIN, 'pg_ctl'), ['stop', '-D', path.join(dir, 'data'), '-m', 'immediate', '-w', '-t', '10'], asPostgres())
      fs.rmSync(dir, { recursive: true, force: true })
    }
    live.clear()
  }
  process.once('exit', cleanup)
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup()
      // nobody else handles it: die of it, as without us
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

/** initdb and postgres refuse to run as root: run them as the `postgres` OS user then. */
function asPostgres(): { uid?: number; gid?: number; stdio: 'ignore' } {
  if (process.getuid?.() !== 0) return { stdio: 'ignore' }
  const ids = postgresUser()
  return { ...ids, stdio: 'ignore' }
}

let cachedIds: { uid: number; gid: number } | undefined
function postgresUser(): { uid: number; gid: number } {
  if (cachedIds) return cachedIds
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('running as root, but there is no `postgres` OS user to run initdb/postgres as')
  const [, , uid, gid] = line.split(':')
  cachedIds = { uid: Number(uid), gid: Number(gid) }
  return cachedIds
}

async function runAsPostgres(binary: string, args: string[], timeoutMs: number): Promise<void> {
  const ids = process.getuid?.() === 0 ? postgresUser() : {}
  try {
    await run(path.join(POSTGRES_BIN, binary), args, { ...ids, timeout: timeoutMs, cwd: os.tmpdir() })
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string }
    throw new Error(`${binary} ${args[0]} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`)
  }
}

/**
 * A PostgreSQL 15 cluster of its own, in a temporary directory on a free loopback port, so a test can stop,
 * restart or break it without disturbing any other test. Made for speed, not durability (fsync off).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  installExitHook()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-pg-'))
  live.add(dir)
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUser()
    fs.chownSync(dir, uid, gid)
  }
  const dataDir = path.join(dir, 'data')
  const port = await freePort()
  let destroyed = false

  const start = () =>
    runAsPostgres(
      'pg_ctl',
      [
        'start',
        '-D',
        dataDir,
        '-l',
        path.join(dir, 'postgres.log'),
        '-w',
        '-t',
        '30',
        '-o',
        // the socket lives in our directory, so nothing collides with the system's /var/run/postgresql
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      ],
      40_000,
    )
  const stop = () => runAsPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], 40_000)

  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
      await runAsPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '20'], 30_000).catch(() => {})
    }
    fs.rmSync(dir, { recursive: true, force: true })
    live.delete(dir)
  }

  try {
    await runAsPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], 60_000)
    await start()
  } catch (err) {
    await destroy()
    throw err
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, start, stop, destroy }
}
