import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { MIGRATIONS_FOLDER } from './migrate.js'

/**
 * A migrated, empty PGlite data directory, made by `npm run build` (src/cli/build-pglite-template.ts) and
 * copied on the first start on a new DATA_DIR. PGlite's initdb in WASM plus every migration take 10 s or more;
 * copying the directory (about 1,100 files, 42 MB) takes 0.1–0.4 s and opening it as an existing one 0.7 s.
 * Loading a dumpDataDir() tarball instead took 3–5 s: PGlite unpacks it file by file through its WASM file system.
 * Kept in dist/, also when running from src/ (both are two levels below the root).
 */
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url))
export const PGLITE_TEMPLATE = path.join(DIST, 'pglite-template')
// Next to the directory, not in it: the directory is copied as it is into every new DATA_DIR.
const manifestOf = (template: string) => `${template}.json`

/** The migrations in the template, as drizzle's migrator records them (its `created_at` and the SQL's sha256). */
interface Manifest {
  migrations: Array<{ folderMillis: number; hash: string }>
}

const migrationsInFolder = (): Manifest['migrations'] =>
  readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map(({ folderMillis, hash }) => ({ folderMillis, hash }))

/** Moves a closed, migrated data directory into place as the template, with the manifest of its migrations. */
export function installPgliteTemplate(builtDir: string, template = PGLITE_TEMPLATE): void {
  const manifestPath = manifestOf(template)
  // The manifest goes first: a template without a readable manifest is never used.
  fs.rmSync(manifestPath, { force: true })
  fs.rmSync(template, { recursive: true, force: true })
  fs.renameSync(builtDir, template)
  const manifest: Manifest = { migrations: migrationsInFolder() }
  fs.writeFileSync(`${manifestPath}.${process.pid}`, JSON.stringify(manifest, null, 2) + '\n')
  fs.renameSync(`${manifestPath}.${process.pid}`, manifestPath)
}

export type TemplateRestore = { restored: true } | { restored: false; reason: string }

/**
 * Copies the template to `pgliteDir` (which must not exist yet), if it may start this build's database: its
 * migrations must be exactly the first ones of this build's folder (same order, same SQL), so the migrator only
 * adds newer ones. A migration edited since the build would otherwise be skipped; then the caller runs initdb.
 * The copy is renamed into place only when complete, so a start killed half-way leaves no half a database.
 */
export function restorePgliteTemplate(pgliteDir: string, template = PGLITE_TEMPLATE): TemplateRestore {
  let manifest: Manifest
  try {
    manifest = JSON.parse(fs.readFileSync(manifestOf(template), 'utf8')) as Manifest
  } catch {
    return { restored: false, reason: `no template at ${template} (npm run build makes it)` }
  }
  const current = migrationsInFolder()
  const matches =
    manifest.migrations.length <= current.length &&
    manifest.migrations.every((m, i) => m.folderMillis === current[i].folderMillis && m.hash === current[i].hash)
  if (!matches) return { restored: false, reason: 'the template holds other migrations than this build (npm run build renews it)' }
  if (fs.existsSync(pgliteDir)) return { restored: false, reason: `${pgliteDir} exists but holds no database` }
  const partial = `${pgliteDir}.partial-${process.pid}`
  fs.rmSync(partial, { recursive: true, force: true })
  try {
    fs.cpSync(template, partial, { recursive: true })
    fs.renameSync(partial, pgliteDir)
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true })
    return { restored: false, reason: `copying the template failed: ${(err as Error).message}` }
  }
  return { restored: true }
}
