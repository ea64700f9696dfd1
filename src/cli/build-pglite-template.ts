/**
 * `npm run build` runs this after tsc: a PGlite data directory, created and migrated on disk, then closed and
 * moved to dist/ as the template a new DATA_DIR starts from (src/db/pglite-template.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../db/client.js'
import { migrateDatabase } from '../db/migrate.js'
import { installPgliteTemplate, PGLITE_TEMPLATE } from '../db/pglite-template.js'

const started = performance.now()
const staged = `${PGLITE_TEMPLATE}.staged-${process.pid}`
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vereinsmesse-template-'))
try {
  const database = await openDatabase({ dataDir: workDir })
  try {
    await migrateDatabase(database, undefined)
  } finally {
    await database.close()
  }
  // A rename across file systems fails: copy next to the destination first.
  fs.cpSync(path.join(workDir, 'pglite'), staged, { recursive: true })
  installPgliteTemplate(staged)
} finally {
  fs.rmSync(workDir, { recursive: true, force: true })
  fs.rmSync(staged, { recursive: true, force: true })
}
process.stdout.write(`PGlite template in ${PGLITE_TEMPLATE} (${Math.round(performance.now() - started)} ms)\n`)
