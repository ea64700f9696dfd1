import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import { superviseApiProcesses } from './cluster.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase, type Database, type DatabaseHandle } from './db/client.js'
import { migrateDatabase, migrationsApplied } from './db/migrate.js'
import { restorePgliteTemplate, type TemplateRestore } from './db/pglite-template.js'
import { logFormat, prettyDestination } from './http/log-format.js'
import { ensureFirstAdmin, hasAdmin } from './features/accounts/accounts.service.js'
import type { RunningWorker } from './mail/worker.js'

/**
 * Brings the database up to date and creates the first admin. A database that needs neither (every start
 * but the first) is recognised with two cheap reads, without the migration lock or the migrator's file reads.
 */
async function prepareDatabase(database: DatabaseHandle, config: Config) {
  const ready = async (db: Database) => (await migrationsApplied(db)) && (await hasAdmin(db))
  if (await ready(database.db)) return null
  let firstAdmin: { email: string; password: string } | null = null
  await migrateDatabase(database, config.databaseUrl, async (db) => {
    firstAdmin = await ensureFirstAdmin(db, { email: config.adminEmail, password: config.adminPassword })
  })
  return firstAdmin
}

/** Reads the environment, opens and migrates the database, starts what ROLE asks for, and stops cleanly on signals. */
async function main(config: Config) {
  const started = performance.now()
  // The app's modules load while the database opens (both take about a second; the loader works off-thread).
  const modules = Promise.all([
    import('./app.js'),
    import('./features/email/audiences.js'),
    import('./features/email/attachments.js'),
    import('./mail/reminders.js'),
    import('./mail/transport.js'),
    import('./mail/worker.js'),
    import('./features/registrations/privacy.service.js'),
    import('./features/program/session-reminders.js'),
  ])
  modules.catch(() => {}) // awaited below; this only keeps a failed open from reporting it as unhandled first
  let newDataDir: TemplateRestore | undefined
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    onNewDataDir: (pgliteDir) => (newDataDir = restorePgliteTemplate(pgliteDir)),
  })
  let firstAdmin: { email: string; password: string } | null = null
  try {
    firstAdmin = await prepareDatabase(database, config)
  } catch (err) {
    await database.close()
    throw err
  }
  const [{ buildApp }, { defaultAudiences }, { emailAttachments }, { queueDueReminders }, { createTransport }, { startWorker }, { retentionJob }, { queueDueSessionReminders }] = await modules

  const logStream = logFormat(config.logFormat) === 'pretty' ? prettyDestination() : undefined
  const app = await buildApp({ config, db: database.db, logStream })
  if (newDataDir?.restored === false) app.log.info({ reason: newDataDir.reason }, 'new data directory created without the PGlite template')
  let worker: RunningWorker | undefined
  const transport = createTransport(config, app.log)
  // Within 10 s of a SIGTERM the process is gone (what systemd and container runtimes wait before SIGKILL by
  // default is 10 s or more); a second signal ends it at once.
  closeWithGrace({ delay: 9_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    // Stop taking work first (no new requests, no new claims), let what runs finish, and only then close the database.
    await Promise.all([app.close(), worker?.stop()])
    transport.close()
    await database.close()
  })

  if (firstAdmin) printFirstAdmin(firstAdmin)
  if (config.role !== 'worker') await app.listen({ port: config.port, host: config.host })
  else await app.ready()
  if (config.role !== 'api') {
    const eraseExpiredRegistrations = retentionJob(database.db, { defaultDays: config.retentionDaysDefault })
    const workerLog = app.log.child({ component: 'worker' })
    worker = startWorker({
      db: database.db,
      transport,
      mailFrom: config.mailFrom,
      log: workerLog,
      pollMs: config.workerPollMs,
      attachments: emailAttachments,
      beforeEachPoll: async () => {
        await queueDueReminders(database.db, defaultAudiences)
        await queueDueSessionReminders(database.db, config)
        // Caught here: a failed erasure batch (retried next time) must not hold up the mail of this poll.
        const erased = await eraseExpiredRegistrations().catch((err: unknown) => {
          workerLog.error({ err }, 'retention: erasing expired registrations failed')
          return 0
        })
        if (erased > 0) workerLog.info({ erased }, 'retention: registrations of past events erased')
      },
    })
  }
  app.log.info(
    { role: config.role, database: database.kind, mail: transport.kind, readyMs: Math.round(performance.now() - started) },
    'vereinsmesse ready',
  )
}

// Shown once, on the first start of an empty database; afterwards only the hash exists.
function printFirstAdmin({ email, password }: { email: string; password: string }) {
  process.stdout.write(
    [
      '',
      '  ┌─ First start: an admin account was created ─────────────',
      `  │ email:    ${email}`,
      `  │ password: ${password}`,
      '  │ It is shown only this once. Log in with POST /v1/auth/login.',
      '  └──────────────────────────────────────────────────────────',
      '',
    ].join('\n') + '\n',
  )
}

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`${err.message}\n`)
  process.exit(78) // EX_CONFIG
}
const start = config.apiProcesses > 1 && config.role !== 'worker' && cluster.isPrimary ? superviseApiProcesses(config) : main(config)
start.catch((err: Error) => {
  process.stderr.write(`vereinsmesse could not start: ${err.message}\n`)
  process.exit(1)
})
