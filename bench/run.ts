/**
 * npm run bench [-- <scenario> ...]   runs the named scenarios (bench/<name>.bench.ts), or all of them.
 * npm run bench -- --list             lists them.
 * A missed target prints FAIL but still exits 0: this is a measurement, not a test. A setup error exits 1.
 */
import fs from 'node:fs'
import os from 'node:os'
import { cleanupAll } from './lib.js'
import type { Scenario } from './scenario.js'

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
    console.log('usage: npm run bench [-- <scenario> ...]\n')
    for (const name of available) console.log(`  ${name.padEnd(10)} ${(await load(name)).description}`)
    return 0
  }
  const unknown = args.filter((a) => !available.includes(a))
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; available: ${available.join(', ')}`)
    return 2
  }
  const names = args.length ? args : available
  console.log(`vereinsmesse bench · node ${process.version} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()})`)
  for (const name of names) {
    const scenario = await load(name)
    console.log(`\n=== ${name}: ${scenario.description}`)
    try {
      await scenario.run()
    } finally {
      await cleanupAll()
    }
  }
  return 0
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
