import type { Database } from '../../src/db/client.js'

/**
 * Counts what reaches the database driver, by wrapping the client drizzle holds (`db.$client`): on PGlite its
 * `query`, `exec` and `transaction`, on postgres.js its `unsafe` (every drizzle statement, prepared or not) and
 * `begin`. Statements inside a transaction run on the transaction's own client, but its `begin` is counted.
 */
export function countStatements(db: Database) {
  const client = (db as unknown as { $client: Record<string, unknown> }).$client
  const methods = typeof client === 'function' ? ['unsafe', 'begin'] : ['query', 'exec', 'transaction']
  const seen: string[] = []
  const originals = methods.map((name) => [name, client[name]] as const)
  for (const [name, original] of originals) {
    if (typeof original !== 'function') throw new Error(`the database client has no ${name}()`)
    client[name] = function (this: unknown, ...args: unknown[]) {
      seen.push(typeof args[0] === 'string' ? args[0].slice(0, 120) : name)
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    }
  }
  return {
    get count() {
      return seen.length
    },
    statements: seen,
    restore() {
      for (const [name, original] of originals) client[name] = original
    },
  }
}
