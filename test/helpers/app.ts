import type { Test } from 'tap'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import type { Database } from '../../src/db/client.js'
import type { AccountRole } from '../../src/db/schema.js'
import { createAccount } from '../../src/features/accounts/accounts.service.js'
import { startSession } from '../../src/features/auth/sessions.service.js'
import type { AudienceSources } from '../../src/mail/reminders.js'
import type { LogDestination } from '../../src/http/logging.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export interface TestContext {
  app: App
  db: Database
  database: TestDatabase
  config: Config
  /** An account of that role with a live session; `auth` is the header to send. */
  account(role: AccountRole, email?: string): Promise<{ id: string; email: string; token: string; auth: { authorization: string } }>
}

let accountCounter = 0

export interface BuildTestOptions {
  audiences?: AudienceSources
  /** where the app's log lines go (tests that read them) */
  logStream?: LogDestination
}

/** The one way tests get an app: own database, real HTTP stack via inject, closed when the test ends. */
export async function build(t: Test, env: Record<string, string> = {}, options: BuildTestOptions = {}): Promise<TestContext> {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const config = testConfig(env)
  const app = await appOver(t, database.handle.db, config, options)
  const db = database.handle.db
  return {
    app,
    db,
    database,
    config,
    async account(role, email = `${role}-${++accountCounter}-${process.pid}@example.org`) {
      const row = await createAccount(db, { email, name: `Test ${role}`, role, password: 'correct horse battery' })
      const token = await startSession(db, row)
      return { id: row.id, email, token, auth: { authorization: `Bearer ${token}` } }
    },
  }
}

/** The configuration build() uses: quiet, no rate limits, no data directory; `env` overrides. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT: 'off', DATA_DIR: '/nonexistent', ...env })
}

/**
 * An app over a database the test already has: a second API process over build()'s database, or a database
 * that is down. Ready when returned, closed when the test ends (before the database: teardowns run last-in first).
 */
export async function appOver(t: Test, db: Database, config: Config = testConfig(), options: BuildTestOptions = {}): Promise<App> {
  const app = await buildApp({
    config,
    db,
    audiences: options.audiences,
    logStream: options.logStream,
    // Every answer of every test is held against the OpenAPI document: a status or code a route does not declare fails.
    answerCheck: { report: (message) => t.fail(message), recordExamplesTo: process.env.RECORD_OPENAPI_EXAMPLES },
  })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

const DAY = 24 * 60 * 60 * 1000

/** A valid event body a month from now; override what the test is about. */
export function eventBody<O extends Record<string, unknown> = {}>(overrides: O = {} as O) {
  const startsAt = new Date(Date.now() + 30 * DAY)
  startsAt.setUTCHours(9, 0, 0, 0)
  return {
    slug: `messe-${Math.random().toString(36).slice(2, 10)}`,
    title: 'Vereinsmesse Dortmund',
    venue: { name: 'Dietrich-Keuning-Haus', address: 'Leopoldstraße 50-58, 44147 Dortmund' },
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 8 * 60 * 60 * 1000).toISOString(),
    visitorCapacity: 500,
    ...overrides,
  }
}
