import http from 'node:http'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { createTestDatabase } from '../helpers/database.js'
import { startService } from '../helpers/service-process.js'

// API_PROCESSES=2: the real entry point forks two API processes sharing one port; both answer, and a SIGTERM to
// the supervisor stops both. Several processes need PostgreSQL, so this runs on the PostgreSQL run only.

t.test('API_PROCESSES above 1 without DATABASE_URL is refused', async (t) => {
  t.throws(() => loadConfig({ API_PROCESSES: '2' }), /API_PROCESSES above 1 needs DATABASE_URL/)
  t.equal(loadConfig({ API_PROCESSES: '2', DATABASE_URL: 'postgres://x@localhost/db' }).apiProcesses, 2)
  t.equal(loadConfig({}).apiProcesses, 1)
})

/** A GET on a connection of its own (no keep-alive agent): the kernel hands each new connection to the next process. */
const getStatus = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http.get(url, { agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject)
  })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('two API processes serve one port and both stop on SIGTERM', { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL', timeout: 120_000 }, async (t) => {
  const database = await createTestDatabase()
  await database.handle.close()
  t.teardown(() => database.drop())
  const service = await startService('api-processes', { DATABASE_URL: database.url!, API_PROCESSES: '2', ROLE: 'api' })
  t.teardown(() => service.kill())
  const readyPids = () => new Set(service.logs().filter((l) => l.msg === 'vereinsmesse ready').map((l) => l.pid as number))
  for (let i = 0; i < 600 && readyPids().size < 2; i++) await new Promise((r) => setTimeout(r, 100))
  const workers = [...readyPids()]
  t.equal(workers.length, 2, 'two processes are ready')
  t.notOk(workers.includes(service.pid), 'neither is the supervisor')

  // New connections go to the processes in turn: each request on its own connection.
  const served = new Set<number>()
  for (let i = 0; i < 40 && served.size < 2; i++) {
    t.equal(await getStatus(`${service.baseUrl}/health/ready`), 200)
    const requestLines = service.output().split('\n').filter((l) => l.includes('"msg":"request"'))
    for (const line of requestLines) served.add((JSON.parse(line) as { pid: number }).pid)
  }
  t.same([...served].sort(), [...workers].sort(), 'both processes answered requests')

  t.equal(await service.stop(15_000), 0, 'the supervisor exits 0 after SIGTERM')
  for (const pid of workers) t.notOk(alive(pid), `API process ${pid} has stopped`)
  t.match(service.output(), /shutting down/, 'the processes shut down gracefully')
})
