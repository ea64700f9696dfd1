/**
 * Time from spawning `node --import tsx src/server.ts` until GET /health/ready answers 200, measured from the
 * outside, and the server's idle RSS: embedded PGlite on a new and then an existing DATA_DIR, and PostgreSQL on
 * an empty and then a migrated database. Env: BENCH_STARTS (2) starts on the existing directory/database.
 */
import { createBenchDatabase, memoryOf, sleep, startApp, tempDir } from './lib.js'
import type { Scenario } from './scenario.js'
import { fmt, printTable, printVerdicts, summarize } from './table.js'

const REPEATS = Number(process.env.BENCH_STARTS ?? 2)
const TARGET_EXISTING_MS = 2000

interface Start {
  mode: 'pglite' | 'postgres'
  data: 'new' | 'existing'
  readyMs: number
  selfMs?: number
  beforeMainMs?: number
  rssMb: number
  peakMb: number
  stopMs: number
}

async function measure(mode: Start['mode'], data: Start['data'], env: Record<string, string>): Promise<Start> {
  const app = await startApp(`vereinsmesse ${mode} ${data}`, { LOG_LEVEL: 'info', ...env })
  const self = await Promise.race([app.selfReported, sleep(2000).then(() => undefined)])
  await sleep(2000) // idle: let start-up garbage settle
  const { rssMb, peakMb } = memoryOf(app.proc.pid)
  const stopping = performance.now()
  await app.proc.stop()
  return { mode, data, readyMs: app.readyMs, selfMs: self?.readyMs, beforeMainMs: self?.beforeMainMs, rssMb, peakMb, stopMs: performance.now() - stopping }
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
    'Start-up: spawn → /health/ready 200, measured outside; the server\'s logged readyMs starts only in main(); idle RSS 2 s after ready',
    starts.map((s) => ({
      mode: s.mode,
      data: s.data,
      'ready (outside)': fmt.ms(s.readyMs),
      'spawn → main()': fmt.ms(s.beforeMainMs),
      'readyMs (logged)': fmt.ms(s.selfMs),
      'idle RSS': fmt.mb(s.rssMb),
      'peak RSS': fmt.mb(s.peakMb),
      'SIGTERM → exit': fmt.ms(s.stopMs),
    })),
  )
  const worstExisting = Math.max(...starts.filter((s) => s.mode === 'pglite' && s.data === 'existing').map((s) => s.readyMs))
  return summarize(printVerdicts([
    {
      target: `PGlite, existing DATA_DIR: ready < ${TARGET_EXISTING_MS} ms (worst start)`,
      actual: fmt.ms(worstExisting),
      ok: worstExisting < TARGET_EXISTING_MS,
    },
  ]), { ours: `${fmt.ms(worstExisting)} to ready` })
}

export const scenario: Scenario = {
  description: 'time to /health/ready (PGlite new/existing DATA_DIR, PostgreSQL) and idle RSS',
  run,
}
