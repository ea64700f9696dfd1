import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase } from './db/client.js'
import { migrateDatabase } from './db/migrate.js'
import { ensureFirstAdmin } from './features/accounts/accounts.service.js'
import { defaultAudiences } from './mail/audiences.js'
import { queueDueReminders } from './mail/reminders.js'
import { createTransport } from './mail/transport.js'
import { startWorker, type RunningWorker } from './mail/worker.js'

/** Reads the environment, opens and migrates the database, starts what ROLE asks for, and stops cleanly on signals. */
async function main(config: Config) {
  const started = performance.now()
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir })
  let firstAdmin: { email: string; password: string } | null = null
  try {
    await migrateDatabase(database, config.databaseUrl, async (db) => {
      firstAdmin = await ensureFirstAdmin(db, { email: config.adminEmail, password: config.adminPassword })
    })
  } catch (err) {
    await database.close()
    throw err
  }

  const app = await buildApp({ config, db: database.db })
  let worker: RunningWorker | undefined
  const transport = createTransport(config, app.log)
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
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
    worker = startWorker({
      db: database.db,
      transport,
      mailFrom: config.mailFrom,
      log: app.log.child({ component: 'worker' }),
      pollMs: config.workerPollMs,
      beforeEachPoll: async () => {
        await queueDueReminders(database.db, defaultAudiences)
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
main(config).catch((err: Error) => {
  process.stderr.write(`vereinsmesse could not start: ${err.message}\n`)
  process.exit(1)
})
