/**
 * Time from the start command (`npm start`, which runs the compiled dist/: `npm run build` first) until
 * GET /health/ready answers 200, measured from the outside, the server's CPU time until then (a number the other
 * load on a shared machine disturbs less than the wall clock), and its idle RSS: embedded PGlite on a new and then
 * an existing DATA_DIR, and PostgreSQL on an empty and then a migrated database.
 * Env: BENCH_STARTS (2) starts on the existing directory/database; BENCH_ENTRY=source runs
 * `node --import tsx src/server.ts` instead (how the service started before it was compiled).
 */
import { cpuMsOf, createBenchDatabase, memoryOf, serverPidOf, sleep, startApp, tempDir } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const REPEATS = Number(process.env.BENCH_STARTS ?? 2)
const ENTRY = process.env.BENCH_ENTRY === 'source' ? 'source' : 'npm-start'
const TARGET_NEW_MS = 3000
const TARGET_EXISTING_MS = 1500

interface Start {
  mode: 'pglite' | 'postgres'
  data: 'new' | 'existing'
  readyMs: number
  cpuMs: number
  selfMs?: number
  beforeMainMs?: number
  rssMb: number
  peakMb: number
  stopMs: number
}

async function measure(mode: Start['mode'], data: Start['data'], env: Record<string, string>): Promise<Start> {
  const app = await startApp(`vereinsmesse ${mode} ${data}`, { LOG_LEVEL: 'info', ...env }, { entry: ENTRY })
  const server = serverPidOf(app.proc.pid)
  const cpuMs = cpuMsOf(server)
  const self = await Promise.race([app.selfReported, sleep(2000).then(() => undefined)])
  await sleep(2000) // idle: let start-up garbage settle
  const { rssMb, peakMb } = memoryOf(server)
  const stopping = performance.now()
  await app.proc.stop()
  return { mode, data, readyMs: app.readyMs, cpuMs, selfMs: self?.readyMs, beforeMainMs: self?.beforeMainMs, rssMb, peakMb, stopMs: performance.now() - stopping }
}

async function run() {
  const starts: Start[] = []
  const dataDir = tempDir('vms-bench-data-')
  const pglite = { DATA_DIR: dataDir }
  starts.push(await measure('pglite', 'new', pglite))
  for (let i = 0; i < REPEATS; i++) starts.push(await measure('pglite', 'existing', pglite))

  const postgresEnv = { DATABASE_URL: await createBenchDatabase() }
  starts.push(await measure('postgres', 'new', postgresEnv))
  for (let i = 0; i < REPEATS; i++) starts.push(await measure('postgres', 'existing', postgresEnv))

  printTable(
    `Start-up (${ENTRY === 'npm-start' ? 'npm start' : 'node --import tsx src/server.ts'}): command → /health/ready 200, measured outside; the server's CPU time until then; its logged readyMs starts only in main(); idle RSS 2 s after ready`,
    starts.map((s) => ({
      mode: s.mode,
      data: s.data,
      'ready (outside)': fmt.ms(s.readyMs),
      'CPU to ready': fmt.ms(s.cpuMs),
      'spawn → main()': fmt.ms(s.beforeMainMs),
      'readyMs (logged)': fmt.ms(s.selfMs),
      'idle RSS': fmt.mb(s.rssMb),
      'peak RSS': fmt.mb(s.peakMb),
      'SIGTERM → exit': fmt.ms(s.stopMs),
    })),
  )
  const pgliteStarts = starts.filter((s) => s.mode === 'pglite')
  const firstStart = pgliteStarts.find((s) => s.data === 'new')!.readyMs
  const worstExisting = Math.max(...pgliteStarts.filter((s) => s.data === 'existing').map((s) => s.readyMs))
  return summarize(printVerdicts([
    { target: `PGlite, new DATA_DIR: ready < ${TARGET_NEW_MS} ms`, actual: fmt.ms(firstStart), ok: firstStart < TARGET_NEW_MS },
    {
      target: `PGlite, existing DATA_DIR: ready < ${TARGET_EXISTING_MS} ms (worst start)`,
      actual: fmt.ms(worstExisting),
      ok: worstExisting < TARGET_EXISTING_MS,
    },
  ]), { ours: `${fmt.ms(firstStart)} / ${fmt.ms(worstExisting)} to ready (new / existing)` })
}

export const scenario: Scenario = {
  description: 'time to /health/ready (PGlite new/existing DATA_DIR, PostgreSQL) and idle RSS',
  run,
}
