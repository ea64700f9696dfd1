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
    serviceUrl: 'http://localhost:3000',
    role: 'all',
    workerPollMs: 2000,
    rateLimit: true,
    corsOrigins: [],
    trustProxy: false,
    logLevel: 'info',
  })
  t.match(config.dataDir, /\/data$/)
  t.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080')
  t.equal(loadConfig({ PUBLIC_URL: 'https://messe.example.org/' }).publicUrl, 'https://messe.example.org')
  t.match(loadConfig({ SERVICE_URL: 'https://api.messe.example.org/' }), { serviceUrl: 'https://api.messe.example.org', publicUrl: 'https://api.messe.example.org' }, 'PUBLIC_URL defaults to SERVICE_URL')
  t.match(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://messe.example.org' }), { serviceUrl: 'http://localhost:8080', publicUrl: 'https://messe.example.org' })
  t.equal(loadConfig({ RATE_LIMIT: 'off', ROLE: 'worker' }).rateLimit, false)
  t.equal(loadConfig({ PORT: '' }).port, 3000, 'an empty variable counts as unset')
  t.equal(config.logFormat, undefined, 'LOG_FORMAT unset: chosen by whether stdout is a terminal')
  t.equal(loadConfig({ LOG_FORMAT: 'json' }).logFormat, 'json')
})

t.test('CORS_ORIGINS is a list of exact http(s) origins', async (t) => {
  t.same(loadConfig({ CORS_ORIGINS: '' }).corsOrigins, [], 'empty: same-origin only')
  t.same(loadConfig({ CORS_ORIGINS: 'https://messe.example.org' }).corsOrigins, ['https://messe.example.org'])
  t.same(
    loadConfig({ CORS_ORIGINS: ' https://messe.example.org , http://localhost:5173,,https://messe.example.org' }).corsOrigins,
    ['https://messe.example.org', 'http://localhost:5173'],
    'spaces, empty entries and repeats are tolerated',
  )
  for (const bad of ['*', 'messe.example.org', 'https://messe.example.org/', 'https://messe.example.org/app', 'ftp://files.example.org', 'https://Messe.example.org', 'https://messe.example.org:443', 'https://user:hunter2@messe.example.org']) {
    try {
      loadConfig({ CORS_ORIGINS: `http://localhost:5173,${bad}` })
      t.fail(`${bad} was accepted`)
    } catch (err) {
      t.type(err, ConfigError)
      t.match((err as Error).message, /^Invalid configuration: CORS_ORIGINS must be a comma-separated list of origins/, bad)
      t.notMatch((err as Error).message, /\n/, 'one line')
      if (bad.includes('hunter2')) t.notMatch((err as Error).message, /hunter2/, 'no credentials echoed')
      else t.match((err as Error).message, `(got ${JSON.stringify(bad)})`, 'names the bad entry')
    }
  }
})

t.test('a bad value is one line naming the variable, and never echoes a secret', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be integer \(got "abc"\)$/],
    [{ PORT: '70000' }, /PORT must be <= 65535/],
    [{ ROLE: 'both' }, /ROLE must be equal to one of the allowed values: all, api, worker/],
    [{ RATE_LIMIT: 'yes' }, /RATE_LIMIT .*on, off/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ LOG_FORMAT: 'text' }, /^Invalid configuration: LOG_FORMAT must be equal to one of the allowed values: pretty, json \(got "text"\)$/],
    [{ WORKER_POLL_MS: '0' }, /WORKER_POLL_MS must be >= 50/],
    [{ PUBLIC_URL: 'messe.example.org' }, /PUBLIC_URL/],
    [{ SERVICE_URL: 'localhost:3000' }, /SERVICE_URL/],
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

t.test('TRUST_PROXY is a hop count or a list of proxy addresses; trusting everyone is refused', async (t) => {
  t.equal(loadConfig({}).trustProxy, false, 'unset: the peer is the client')
  t.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1)
  t.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,::1,fd00::/8' }).trustProxy, '10.0.0.0/8,192.168.1.10,::1,fd00::/8')
  t.equal(loadConfig({ TRUST_PROXY: 'loopback,uniquelocal' }).trustProxy, 'loopback,uniquelocal')
  for (const bad of ['0', '11', 'true', '*', '10.0.0.0/33', '300.1.1.1', 'lb.example.org', '10.0.0.1/8/1', ',']) {
    try {
      loadConfig({ TRUST_PROXY: bad })
      t.fail(`${bad} was accepted`)
    } catch (err) {
      t.type(err, ConfigError)
      t.match((err as Error).message, /^Invalid configuration: TRUST_PROXY must be a number of proxy hops/, bad)
      t.match((err as Error).message, `(got ${JSON.stringify(bad)})`)
      t.notMatch((err as Error).message, /\n/, 'one line')
    }
  }
})

t.test('only the environment given counts: the process environment does not leak into loadConfig(env)', async (t) => {
  const saved = process.env.PORT
  process.env.PORT = '1234'
  t.teardown(() => {
    if (saved === undefined) delete process.env.PORT
    else process.env.PORT = saved
  })
  t.equal(loadConfig({}).port, 3000)
  t.equal(loadConfig().port, 1234, 'loadConfig() reads process.env')
})
