import fs from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import { getTableColumns, sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTable, PgTransaction } from 'drizzle-orm/pg-core'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import * as schema from './schema.js'

export type Schema = typeof schema
/** One type for both drivers, so services never care which engine runs underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
/** Services take either the pool or an open transaction, so callers decide the transaction's extent. */
export type Queryable = Database | Transaction

export interface DatabaseHandle {
  db: Database
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
}

export interface OpenOptions {
  /** postgres:// URL; without it an embedded PGlite is used */
  url?: string
  /** where PGlite keeps its files; unset with no url: in memory */
  dataDir?: string
  /** a PGlite data directory dump to start from (tests clone a migrated template this way) */
  pgliteTemplate?: Blob
  /** called under the directory's lock when `dataDir` holds no database yet, before PGlite would run initdb */
  onNewDataDir?: (pgliteDir: string) => void
  poolSize?: number
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options)
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const client = postgres(url, {
    max: poolSize,
    // A database that is down must answer 503 quickly, never hang a request.
    connect_timeout: 5,
    // postgres.js waits before reconnecting a pooled connection, growing with every failed attempt up to 20 s
    // (3^n / 100 s). A request waits that long before its query is even tried, so during an outage the 503s
    // got slower and slower, and after it the service took seconds to notice the database was back. A refused
    // connection costs nothing: wait at most 0.5 s (measured in test/ops/faults.test.ts).
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    idle_timeout: 30,
    onnotice: () => {},
    connection: {
      application_name: 'vereinsmesse',
      statement_timeout: 15_000,
      // A transaction left open by a bug must not hold row locks for ever.
      idle_in_transaction_session_timeout: 15_000,
    },
  })
  return {
    db: drizzlePostgres({ client, schema }) as unknown as Database,
    kind: 'postgres',
    close: () => client.end({ timeout: 5 }),
  }
}

async function openPglite(options: OpenOptions): Promise<DatabaseHandle> {
  let releaseLock = () => {}
  let dataDir: string | undefined
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true })
    releaseLock = lockDataDir(options.dataDir)
    dataDir = path.join(options.dataDir, 'pglite')
  }
  try {
    if (dataDir && !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) options.onNewDataDir?.(dataDir)
    // Loaded only in embedded mode: PGlite costs ~36 MB and ~140 ms to import, wasted next to a real PostgreSQL.
    const [{ PGlite }, { drizzle: drizzlePglite }, { btree_gist }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
      import('@electric-sql/pglite/contrib/btree_gist'),
    ])
    const pgliteOptions = {
      // The program's exclusion constraints (a room holds one session at a time) need btree_gist (migration 0009).
      extensions: { btree_gist },
      ...(options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
      // PGlite touches all of shared_buffers (128 MB by default) at start, so it counts in RSS even when idle: 32 MB
      // holds a fair's data (the OS caches the files besides) and cut idle RSS from ~400 to ~280 MB.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
    }
    const client = dataDir ? new PGlite(dataDir, pgliteOptions) : new PGlite(pgliteOptions)
    await client.waitReady
    return {
      db: drizzlePglite({ client, schema }) as unknown as Database,
      kind: 'pglite',
      close: async () => {
        if (!client.closed) await client.close()
        releaseLock()
      },
    }
  } catch (err) {
    releaseLock()
    throw err
  }
}

/**
 * PGlite has no lock of its own: two processes on one directory would corrupt it.
 * A lock file holding our pid refuses a second process, and a stale file (its process gone) is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const lockPath = path.join(dir, 'pglite.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(lockPath, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(fs.readFileSync(lockPath, 'utf8').trim())
      // Our own pid counts too: one process opening the directory twice corrupts it just the same.
      if (holder && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${holder}. Stop it, or set DATA_DIR to another directory, or DATABASE_URL to share a PostgreSQL.`,
        )
      }
      fs.rmSync(lockPath, { force: true })
    }
  }
  throw new Error(`Could not lock ${lockPath}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Rows of a raw query, whichever driver ran it (postgres.js gives an array, PGlite `{ rows }`). */
export async function rawRows<T>(db: Queryable, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}

/**
 * Rows of `table` from a raw `returning *` (snake_case names, driver values) as drizzle's own queries return them:
 * for statements drizzle cannot build, such as an insert from `unnest` of array parameters.
 */
export async function tableRows<T extends PgTable>(db: Queryable, table: T, query: ReturnType<typeof sql>): Promise<T['$inferSelect'][]> {
  const columns = Object.entries(getTableColumns(table))
  return (await rawRows<Record<string, unknown>>(db, query)).map((raw) => {
    const row: Record<string, unknown> = {}
    for (const [key, column] of columns) {
      const value = raw[column.name]
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value)
    }
    return row as T['$inferSelect']
  })
}
