import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import * as schema from './schema.js'
import { rawRows, type Database, type DatabaseHandle } from './client.js'

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url))

// Any constant works; this one is "vere" in ASCII, so it is recognisable in pg_locks.
const MIGRATION_LOCK_KEY = 0x76657265

/**
 * Applies pending migrations, then runs `afterMigrate` (the first-admin bootstrap) while still holding the lock.
 * On PostgreSQL this happens on one dedicated connection under a session advisory lock, so several instances
 * starting together migrate once and never see a half-migrated schema; PGlite is guarded by its directory lock.
 */
export async function migrateDatabase(
  handle: DatabaseHandle,
  url: string | undefined,
  afterMigrate: (db: Database) => Promise<void> = async () => {},
): Promise<void> {
  if (handle.kind === 'pglite' || !url) {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator')
    await migratePglite(handle.db as unknown as PgliteDatabase<typeof schema>, { migrationsFolder: MIGRATIONS_FOLDER })
    await afterMigrate(handle.db)
    return
  }
  const client = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} })
  try {
    const db = drizzlePostgres({ client, schema })
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`)
    try {
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER })
      await afterMigrate(db as unknown as Database)
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`)
    }
  } finally {
    await client.end({ timeout: 5 })
  }
}

let journalLength: number | undefined
function expectedMigrations(): number {
  journalLength ??= JSON.parse(fs.readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')).entries.length
  return journalLength!
}

/** For /health/ready: every migration this build knows has been applied. */
export async function migrationsApplied(db: Database): Promise<boolean> {
  try {
    const [row] = await rawRows<{ applied: number | string }>(
      db,
      sql`select count(*) as applied from drizzle.__drizzle_migrations`,
    )
    return Number(row?.applied) >= expectedMigrations()
  } catch (err) {
    // 42P01 / 3F000: the table or schema does not exist yet, i.e. nothing was migrated.
    const code = (err as { cause?: { code?: string } }).cause?.code
    if (code === '42P01' || code === '3F000') return false
    throw err
  }
}
