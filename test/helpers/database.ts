import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js'
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.js'

/** Changes whenever a migration changes, so a stale template is never reused. */
function migrationsHash(): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name)
      if (fs.statSync(file).isDirectory()) walk(file)
      else hash.update(name).update(fs.readFileSync(file))
    }
  }
  walk(MIGRATIONS_FOLDER)
  return hash.digest('hex').slice(0, 12)
}

export interface TestDatabase {
  handle: DatabaseHandle
  /** postgres:// URL of this test's own database; undefined on PGlite */
  url?: string
  drop(): Promise<void>
}

/**
 * A fresh, migrated database for one test: on real PostgreSQL (TEST_DATABASE_URL) a clone of a migrated
 * template database (~0.1 s), otherwise a PGlite loaded from a migrated data-directory dump (~0.5 s
 * instead of ~4 s for a PGlite initdb).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL
  return serverUrl ? createPostgresDatabase(serverUrl) : createPgliteDatabase()
}

const TEMPLATE_LOCK = 0x766d7374

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const template = `vms_template_${migrationsHash()}`
  const name = `vms_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    // Test files run in parallel: one builds the template, and clones never overlap a connection to it.
    await admin`select pg_advisory_lock(${TEMPLATE_LOCK})`
    const [exists] = await admin`select 1 from pg_database where datname = ${template}`
    if (!exists) {
      await admin.unsafe(`create database ${template}`)
      const url = databaseUrl(serverUrl, template)
      const handle = await openDatabase({ url, poolSize: 1 })
      await migrateDatabase(handle, url)
      await handle.close()
    }
    await admin.unsafe(`create database ${name} template ${template}`)
    await admin`select pg_advisory_unlock(${TEMPLATE_LOCK})`
  } finally {
    await admin.end()
  }
  const url = databaseUrl(serverUrl, name)
  const handle = await openDatabase({ url, poolSize: 10 })
  return {
    handle,
    url,
    async drop() {
      await handle.close()
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const dumpPath = path.join(os.tmpdir(), `vereinsmesse-pglite-${migrationsHash()}.tar`)
  if (!fs.existsSync(dumpPath)) {
    const fresh = await openDatabase({})
    await migrateDatabase(fresh, undefined)
    const client = (fresh.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client
    const dump = Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer())
    await fresh.close()
    // Write then rename: parallel test files may race to build it, and none may read half a file.
    const partial = `${dumpPath}.${process.pid}`
    fs.writeFileSync(partial, dump)
    fs.renameSync(partial, dumpPath)
  }
  const handle = await openDatabase({ pgliteTemplate: new Blob([fs.readFileSync(dumpPath)]) })
  return { handle, drop: () => handle.close() }
}
