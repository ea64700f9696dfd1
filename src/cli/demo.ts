/**
 * npm run demo   fills the database `npm start` uses (PGlite under DATA_DIR, or DATABASE_URL) with a living fair:
 * see fillDemo in demo-fill.ts. It takes the same lock on DATA_DIR as the server, so it refuses to run while
 * `npm start` holds the embedded database, and it refuses a database that already has the demo event.
 */
import cliProgress from 'cli-progress'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { openDatabase, type Database } from '../db/client.js'
import { migrateDatabase, migrationsApplied } from '../db/migrate.js'
import { ensureFirstAdmin, hasAdmin } from '../features/accounts/accounts.service.js'
import { DemoExistsError, fillDemo, type DemoResult } from './demo-fill.js'

const int = (n: number) => n.toLocaleString('en-US')

async function main(config: Config): Promise<number> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir })
  try {
    // As the server prepares it (src/server.ts): migrations, then the first admin, under the migration lock.
    let firstAdmin: { email: string; password: string } | null = null
    const ready = async (db: Database) => (await migrationsApplied(db)) && (await hasAdmin(db))
    if (!(await ready(database.db))) {
      await migrateDatabase(database, config.databaseUrl, async (db) => {
        firstAdmin = await ensureFirstAdmin(db, { email: config.adminEmail, password: config.adminPassword })
      })
    }
    const where = config.databaseUrl ? 'the PostgreSQL of DATABASE_URL' : `${config.dataDir}/pglite`
    console.log(`Filling ${where} with a demo fair…`)
    const bar = new cliProgress.SingleBar(
      { format: '  {bar} {percentage}% | {value}/{total} | {phase}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    )
    bar.start(1, 0, { phase: 'opening' })
    let result: DemoResult
    try {
      result = await fillDemo(
        { db: database.db, config },
        { onProgress: ({ phase, done, total }) => (bar.setTotal(total), bar.update(done, { phase })) },
      )
    } finally {
      bar.stop()
    }
    printSummary(config, result, firstAdmin)
    return 0
  } catch (err) {
    if (err instanceof DemoExistsError) {
      console.error(err.message)
      return 1
    }
    throw err
  } finally {
    await database.close()
  }
}

function printSummary(config: Config, r: DemoResult, firstAdmin: { email: string; password: string } | null) {
  const c = r.counts
  const b = c.bookings
  const base = config.publicUrl.startsWith('http://localhost') ? `http://localhost:${config.port}` : config.publicUrl
  const e = `${base}/v1/events/${r.event.slug}`
  const admin = firstAdmin
    ? `${firstAdmin.email} / ${firstAdmin.password}   (created now; shown only this once)`
    : config.adminEmail
      ? `${config.adminEmail} / the ADMIN_PASSWORD you set`
      : 'the admin created at the first start (admin@vereinsmesse.local unless ADMIN_EMAIL was set); its password was printed then'
  const lines = [
    '',
    `Demo fair ready in ${(r.ms / 1000).toFixed(1)} s: "${r.event.title}" (${r.event.slug}), ${r.event.startsAt.slice(0, 16).replace('T', ' ')} UTC, capacity ${int(r.event.visitorCapacity)} people`,
    `  associations     ${c.associations}, with ${c.stands} stands on the plan (Halle A, Halle B, Foyer)`,
    `  stand bookings   ${b.approved} approved, ${b.requested} requested, ${b.waitlisted} waitlisted, ${b.rejected} rejected, ${b.withdrawn} withdrawn, ${b.cancelled} cancelled`,
    `  co-exhibitors    ${Object.entries(c.coExhibitors).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`,
    `  exhibitor passes ${c.passes.issued} issued (${c.passes.revoked} revoked with their booking, ${c.passes.named} named)`,
    `  registrations    ${int(c.registrations.confirmed)} confirmed (${int(c.registrations.confirmedPeople)} people), ${c.registrations.waitlisted} waitlisted, ${c.registrations.cancelled} cancelled`,
    `  at the door      ${c.checkins.entries} entries, ${c.checkins.exits} exits, ${c.checkins.rejected} refused; ${c.checkins.inside} people inside`,
    `  meetings         ${(['requested', 'accepted', 'scheduled', 'held', 'declined', 'cancelled'] as const).map((s) => `${c.meetings[s]} ${s}`).join(', ')}; ${c.meetings.atTables} at meeting tables`,
    `  emails queued    ${int(c.emailsQueued)} for this event (npm start's worker ${config.smtpUrl ? 'sends them through SMTP_URL, to example.org addresses' : `writes them to ${config.dataDir}/outbox`})`,
    '',
    'Log in with POST /v1/auth/login {email, password}, then send the vms_… token as Authorization: Bearer …',
    `  admin       ${admin}`,
    `  organizer   ${r.organizer.email} / ${r.organizer.password}`,
    `  exhibitor   ${r.exhibitor.email} / ${r.exhibitor.password}   (${r.exhibitor.association})`,
    `  scanner     ${r.scanner.label}: ${r.scanner.token}`,
    '',
    'Then `npm start` and look at:',
    `  ${base}/docs                                   the API`,
    `  ${e}                 the event (public)`,
    `  ${e}/stands          the stand plan (public)`,
    `  ${e}/exhibitors      who exhibits where (public)`,
    `  ${base}/v1/associations?district=innenstadt-nord  the directory (public)`,
    `  ${e}/occupancy       how full it is (organizer or scanner)`,
    `  ${e}/stats           the day in numbers (organizer)`,
    `  ${e}/stand-bookings  the booking workflow (organizer)`,
    `  ${e}/registrations   visitors; Accept: text/csv exports them (organizer)`,
    '',
  ]
  console.log(lines.join('\n'))
}

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`${err.message}\n`)
  process.exit(78) // EX_CONFIG
}
main(config).then(
  (code) => {
    process.exitCode = code
  },
  (err: Error) => {
    process.stderr.write(`npm run demo failed: ${err.message}\n`)
    process.exitCode = 1
  },
)
