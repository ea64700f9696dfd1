/**
 * npm run bench [-- <scenario> ...]   runs the named scenarios (bench/<name>.bench.ts), one after the other.
 * npm run bench -- all                runs every one (so does no name), then prints one table of all their targets.
 * npm run bench -- --list             lists them.
 * A missed target prints FAIL but still exits 0: this is a measurement, not a test. A setup error exits 1; when
 * several run, the others still run and the failed one shows in the table as an error.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cleanupAll, started } from './lib.js'
import { writeProfileSummary } from './profile.js'
import type { Scenario, Summary } from './scenario.js'
import { printSummary } from './table.js'

const here = new URL('.', import.meta.url)
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort()

async function load(name: string): Promise<Scenario> {
  const mod = (await import(new URL(`./${name}.bench.ts`, here).href)) as { scenario: Scenario }
  return mod.scenario
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--list') || args.includes('-h') || args.includes('--help')) {
    console.log('usage: npm run bench [-- [--profile] all | <scenario> ...]\n')
    for (const name of available) console.log(`  ${name.padEnd(10)} ${(await load(name)).description}`)
    return 0
  }
  const profile = args.includes('--profile')
  args = args.filter((a) => a !== '--profile')
  const unknown = args.filter((a) => a !== 'all' && !available.includes(a))
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; available: all, ${available.join(', ')}`)
    return 2
  }
  const names = args.length === 0 || args.includes('all') ? available : args
  console.log(`vereinsmesse bench · node ${process.version} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}) · load ${os.loadavg()[0].toFixed(1)}`)
  const results: Array<{ bench: string; summary: Summary }> = []
  let failed = false
  for (const name of names) {
    const scenario = await load(name)
    console.log(`\n=== ${name}: ${scenario.description}`)
    const startedAt = performance.now()
    const profileDir = profile ? fs.mkdtempSync(path.join(os.tmpdir(), `vms-profile-${name}-`)) : undefined
    if (profileDir) process.env.BENCH_CPU_PROF = profileDir
    try {
      results.push({ bench: name, summary: (await scenario.run()) ?? [] })
    } catch (err) {
      // One bench alone reports its error as before; among several, the rest still run.
      if (names.length === 1) throw err
      failed = true
      console.error(`bench ${name} failed: ${(err as Error).stack ?? err}`)
      results.push({ bench: name, summary: [{ target: 'runs to the end', actual: `error: ${(err as Error).message}`.slice(0, 120), ok: false }] })
    } finally {
      await cleanupAll()
      delete process.env.BENCH_CPU_PROF
    }
    if (profileDir) {
      const written = writeProfileSummary(name, profileDir, started)
      console.log(written ? `profile: ${path.relative(process.cwd(), written)} (raw profiles in ${profileDir})` : `profile: no profiles were written in ${profileDir}`)
    }
    console.log(`(${name}: ${((performance.now() - startedAt) / 1000).toFixed(0)} s)`)
  }
  printSummary(results)
  return failed ? 1 : 0
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping children…`)
    void cleanupAll().finally(() => process.exit(130))
  })
}

main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code
  })
  .catch(async (err: Error) => {
    console.error(`bench failed: ${err.stack ?? err.message}`)
    await cleanupAll()
    process.exitCode = 1
  })
