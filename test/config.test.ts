import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('defaults are the embedded mode of the contract', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    port: 3000,
    host: '0.0.0.0',
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'Vereinsmesse <no-reply@localhost>',
    publicUrl: 'http://localhost:3000',
    role: 'all',
    workerPollMs: 2000,
    rateLimit: true,
    logLevel: 'info',
  })
  t.match(config.dataDir, /\/data$/)
  t.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080')
  t.equal(loadConfig({ PUBLIC_URL: 'https://messe.example.org/' }).publicUrl, 'https://messe.example.org')
  t.equal(loadConfig({ RATE_LIMIT: 'off', ROLE: 'worker' }).rateLimit, false)
  t.equal(loadConfig({ PORT: '' }).port, 3000, 'an empty variable counts as unset')
})

t.test('a bad value is one line naming the variable, and never echoes a secret', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be integer \(got "abc"\)$/],
    [{ PORT: '70000' }, /PORT must be <= 65535/],
    [{ ROLE: 'both' }, /ROLE must be equal to one of the allowed values: all, api, worker/],
    [{ RATE_LIMIT: 'yes' }, /RATE_LIMIT .*on, off/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ WORKER_POLL_MS: '0' }, /WORKER_POLL_MS must be >= 50/],
    [{ PUBLIC_URL: 'messe.example.org' }, /PUBLIC_URL/],
    [{ ADMIN_EMAIL: 'admin' , ADMIN_PASSWORD: 'long enough pw' }, /ADMIN_EMAIL/],
    [{ ADMIN_EMAIL: 'a@b.de' }, /ADMIN_PASSWORD must be set together with ADMIN_EMAIL/],
    [{ ADMIN_EMAIL: 'a@b.de', ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD must NOT have fewer than 10 characters$/],
    [{ DATABASE_URL: 'mysql://root:hunter2@db/x' }, /^Invalid configuration: DATABASE_URL must match pattern/],
    [{ SMTP_URL: 'http://user:hunter2@mail' }, /SMTP_URL/],
  ]
  for (const [env, message] of cases) {
    try {
      loadConfig(env)
      t.fail(`${JSON.stringify(env)} was accepted`)
    } catch (err) {
      t.type(err, ConfigError)
      t.match((err as Error).message, message)
      t.notMatch((err as Error).message, /\n/, 'one line')
      t.notMatch((err as Error).message, /hunter2|short/, 'no secret echoed')
    }
  }
})
