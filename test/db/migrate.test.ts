import t from 'tap'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { lockDataDir, openDatabase, rawRows } from '../../src/db/client.js'
import { migrateDatabase, migrationsApplied } from '../../src/db/migrate.js'
import { databaseUrl } from '../helpers/database.js'

const serverUrl = process.env.TEST_DATABASE_URL

t.test('two instances migrating one empty PostgreSQL at once both succeed, once', { skip: !serverUrl && 'needs TEST_DATABASE_URL' }, async (t) => {
  const name = `vms_migrate_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const url = databaseUrl(serverUrl!, name)
  const handles = await Promise.all([1, 2, 3].map(() => openDatabase({ url, poolSize: 2 })))
  t.teardown(() => Promise.all(handles.map((h) => h.close())))
  t.equal(await migrationsApplied(handles[0].db), false, 'not ready before migrating')

  const admins: number[] = []
  await Promise.all(
    handles.map((h) =>
      migrateDatabase(h, url, async (db) => {
        const rows = await rawRows<{ n: number | string }>(db, sql`select count(*) as n from accounts where role = 'admin'`)
        if (Number(rows[0].n) === 0) {
          await db.execute(sql`insert into accounts (email, name, role) values ('first@example.org', 'First', 'admin')`)
          admins.push(1)
        }
      }),
    ),
  )
  const [applied] = await rawRows<{ n: string }>(handles[0].db, sql`select count(*) as n from drizzle.__drizzle_migrations`)
  const journal = JSON.parse(fs.readFileSync('migrations/meta/_journal.json', 'utf8'))
  t.equal(Number(applied.n), journal.entries.length, 'each migration recorded once')
  t.equal(admins.length, 1, 'the work done under the lock ran once')
  t.equal(await migrationsApplied(handles[1].db), true)
})

t.test('a second process cannot open the same PGlite data directory', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-lock-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  // A lock file naming a live process (our parent, e.g. tap) refuses us.
  fs.writeFileSync(path.join(dir, 'pglite.lock'), String(process.ppid))
  t.throws(() => lockDataDir(dir), /in use by process \d+.*DATA_DIR/)
  // A lock whose process is gone is stale and taken over.
  fs.writeFileSync(path.join(dir, 'pglite.lock'), '2147483646')
  const release = lockDataDir(dir)
  t.equal(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8'), String(process.pid))
  release()
  t.notOk(fs.existsSync(path.join(dir, 'pglite.lock')), 'released on close')
})

t.test('the embedded database persists in DATA_DIR and reopens migrated', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-data-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const first = await openDatabase({ dataDir: dir })
  await migrateDatabase(first, undefined)
  await first.db.execute(sql`insert into accounts (email, name, role) values ('kept@example.org', 'Kept', 'admin')`)
  await t.rejects(openDatabase({ dataDir: dir }), /in use by process/, 'refused while open')
  await first.close()
  const again = await openDatabase({ dataDir: dir })
  t.teardown(() => again.close())
  t.equal(await migrationsApplied(again.db), true)
  const rows = await rawRows<{ email: string }>(again.db, sql`select email from accounts`)
  t.same(rows.map((r) => r.email), ['kept@example.org'])
})
