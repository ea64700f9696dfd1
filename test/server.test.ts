import t from 'tap'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ensureBuilt, request, startService } from './helpers/service-process.js'

// The real entry point, as `npm start` runs it: configuration, embedded database, listening, signals.
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, out: () => stdout, err: () => stderr }
}

async function waitFor<T>(check: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const value = check()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('timed out')
}

t.test('invalid configuration stops the start with one line naming the variable', async (t) => {
  const server = startServer({ PORT: 'eighty' })
  t.equal(await server.exited, 78)
  t.equal(server.err(), 'Invalid configuration: PORT must be integer (got "eighty")\n')
})

t.test('npm start on a new data directory: admin printed once, ready, graceful SIGTERM', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-server-'))
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }))

  const server = startServer({ DATA_DIR: dataDir })
  t.teardown(() => server.child.kill('SIGKILL'))
  const port = await waitFor(() => /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(server.out())?.[1], 60_000)
  t.match(server.out(), /email: +admin@vereinsmesse\.local/)
  const password = /password: +(\S+)/.exec(server.out())![1]

  const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@vereinsmesse.local', password }),
  })
  t.equal(login.status, 200, 'the printed credentials work')
  t.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200)

  const second = startServer({ DATA_DIR: dataDir })
  t.equal(await second.exited, 1, 'a second process on the same directory is refused')
  t.match(second.err(), /in use by process/)

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'exits by itself after SIGTERM (database closed)')
  t.notOk(fs.existsSync(path.join(dataDir, 'pglite.lock')), 'lock released')

  const again = startServer({ DATA_DIR: dataDir })
  t.teardown(() => again.child.kill('SIGKILL'))
  await waitFor(() => (/listening at/.test(again.out()) ? true : undefined), 60_000)
  t.notMatch(again.out(), /password:/, 'the password is printed only on the first start')
  again.child.kill('SIGINT')
  t.equal(await again.exited, 0)
})

// What a process manager does: start `npm start`, send SIGTERM to that pid (npm's, not the server's), and
// expect everything gone. Before `exec` in the start script, npm's shell died and the server lived on, orphaned.
t.test('SIGTERM to the npm start process stops the server: port free, DATA_DIR unlocked, within 10 s', async (t) => {
  await ensureBuilt()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-npm-start-'))
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }))
  const lockFile = path.join(dataDir, 'pglite.lock')
  // npm passes no SIGKILL on: both are killed if the test fails half-way.
  const pids: number[] = []
  t.teardown(() => {
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  })

  const service = await startService('npm start', { DATA_DIR: dataDir }, 60_000, { entry: 'npm-start' })
  t.notMatch(service.output(), /without the PGlite template/, 'the new data directory started from the template')
  const { port } = new URL(service.baseUrl!)
  const serverPid = Number(fs.readFileSync(lockFile, 'utf8'))
  pids.push(service.pid, serverPid)
  t.not(serverPid, service.pid, 'npm runs the server as its child: the pid signalled is not the server itself')
  t.equal((await request(service.baseUrl!, 'GET', '/health/ready')).status, 200)

  const signalled = Date.now()
  process.kill(service.pid, 'SIGTERM')
  t.equal(await service.exited, 0, 'npm start exits 0')
  while (isAlive(serverPid) && Date.now() - signalled < 10_000) await new Promise((r) => setTimeout(r, 50))
  t.notOk(isAlive(serverPid), 'the server process is gone')
  t.ok(Date.now() - signalled < 10_000, `gone within 10 s (${Date.now() - signalled} ms)`)
  t.notOk(fs.existsSync(lockFile), 'DATA_DIR unlocked')
  t.ok(await portIsFree(Number(port)), `port ${port} is free`)

  // The next start on the same directory works: the symptom of the orphan was "the embedded database is in use".
  const again = await startService('npm start again', { DATA_DIR: dataDir }, 60_000, { entry: 'npm-start' })
  pids.push(again.pid, Number(fs.readFileSync(lockFile, 'utf8')))
  t.equal((await request(again.baseUrl!, 'GET', '/health/ready')).status, 200)
  process.kill(again.pid, 'SIGINT')
  t.equal(await again.exited, 0)
  t.notOk(fs.existsSync(lockFile))
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}
