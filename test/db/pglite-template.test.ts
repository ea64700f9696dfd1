import t, { type Test } from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { migrationsApplied } from '../../src/db/migrate.js'
import { PGLITE_TEMPLATE, restorePgliteTemplate } from '../../src/db/pglite-template.js'
import { hasAdmin } from '../../src/features/accounts/accounts.service.js'
import { ensureBuilt } from '../helpers/service-process.js'

await ensureBuilt()

/** A copy of the built template with its manifest, the manifest changed by `edit`. */
function templateCopy(t: Test, edit: (migrations: Array<{ folderMillis: number; hash: string }>) => unknown[] = (m) => m) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vms-template-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const template = path.join(dir, 'template')
  fs.cpSync(PGLITE_TEMPLATE, template, { recursive: true })
  const manifest = JSON.parse(fs.readFileSync(`${PGLITE_TEMPLATE}.json`, 'utf8'))
  fs.writeFileSync(`${template}.json`, JSON.stringify({ migrations: edit(manifest.migrations) }))
  return { template, dataDir: path.join(dir, 'data') }
}

t.test('a new data directory restored from the template is migrated and empty', async (t) => {
  const { template, dataDir } = templateCopy(t)
  fs.mkdirSync(dataDir)
  t.same(restorePgliteTemplate(path.join(dataDir, 'pglite'), template), { restored: true })
  t.same(fs.readdirSync(dataDir), ['pglite'], 'no partial copy left beside it')
  const database = await openDatabase({ dataDir })
  t.teardown(() => database.close())
  t.ok(await migrationsApplied(database.db), 'every migration of this build applied')
  t.notOk(await hasAdmin(database.db), 'no account yet: the first start creates the admin')
})

t.test('a template built from the first migrations only is used: the migrator adds the newer ones', async (t) => {
  const { template, dataDir } = templateCopy(t, (migrations) => migrations.slice(0, -1))
  t.same(restorePgliteTemplate(path.join(dataDir, 'pglite'), template), { restored: true })
})

t.test('a template from other migrations, or an existing directory, is not used', async (t) => {
  const edited = templateCopy(t, (migrations) => migrations.map((m, i) => (i === 1 ? { ...m, hash: 'f'.repeat(64) } : m)))
  t.match(restorePgliteTemplate(path.join(edited.dataDir, 'pglite'), edited.template), { restored: false, reason: /other migrations/ })
  t.notOk(fs.existsSync(path.join(edited.dataDir, 'pglite')), 'nothing copied: PGlite runs initdb instead')

  const extra = templateCopy(t, (migrations) => [...migrations, { folderMillis: Date.now(), hash: '0'.repeat(64) }])
  t.match(restorePgliteTemplate(path.join(extra.dataDir, 'pglite'), extra.template), { restored: false }, 'a migration this build lacks')

  const occupied = templateCopy(t)
  fs.mkdirSync(path.join(occupied.dataDir, 'pglite'), { recursive: true })
  t.match(restorePgliteTemplate(path.join(occupied.dataDir, 'pglite'), occupied.template), { restored: false, reason: /exists/ })

  t.match(restorePgliteTemplate(path.join(occupied.dataDir, 'x'), path.join(occupied.dataDir, 'missing')), { restored: false, reason: /no template/ })
})
