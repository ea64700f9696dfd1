import t from 'tap'
import { sql } from 'drizzle-orm'
import { createAccount } from '../../src/features/accounts/accounts.service.js'
import { startSession } from '../../src/features/auth/sessions.service.js'
import { build, eventBody } from '../helpers/app.js'

// Issue #7 item 5: no personal data in the logs beyond ids. The real app logs at info into a stream while a
// visitor registers and changes their registration, an account logs in (and fails to), a login link is asked
// for, requests fail, and a database error carrying personal data is logged; no line may hold an email, a
// name, a token, a password or a query string.

const VISITOR = { email: 'zeynep.kaya@example.org', name: 'Zeynep Kaya' }
const ADMIN = { email: 'amira.haddad@example.org', name: 'Amira Haddad', password: 'correct horse battery' }
const SECRETS = [VISITOR.email, 'Zeynep', 'Kaya', 'Yılmaz', ADMIN.email, 'Amira', 'Haddad', ADMIN.password, 'wrong horse', 'utm-marker']

t.test('logs hold ids, routes and codes, never personal data or tokens', async (t) => {
  const lines: string[] = []
  const { app, db } = await build(
    t,
    { LOG_LEVEL: 'info', PUBLIC_URL: 'https://messe.example.org' },
    { logStream: { write: (line) => void lines.push(line) } },
  )
  const admin = await createAccount(db, { ...ADMIN, role: 'admin' })
  const adminAuth = { authorization: `Bearer ${await startSession(db, admin)}` }

  const requestIds: string[] = []
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
    requestIds.push(String(res.headers['x-request-id']))
    return res
  }

  const event = (await call('POST', '/v1/events', eventBody(), adminAuth)).json()
  t.equal((await call('POST', `/v1/events/${event.id}/publish`, undefined, adminAuth)).statusCode, 200)
  const registered = await call('POST', `/v1/events/${event.id}/registrations?utm-marker=${encodeURIComponent(VISITOR.email)}`, {
    ...VISITOR,
    consent: { privacy: true },
  })
  t.equal(registered.statusCode, 201, 'registered')
  const { id, manageToken } = registered.json()
  const visitor = { authorization: `Bearer ${manageToken}` }
  t.equal((await call('PATCH', `/v1/registrations/${id}`, { name: 'Zeynep Yılmaz' }, visitor)).statusCode, 200, 'renamed with the manage token')
  t.equal((await call('GET', `/v1/registrations/${id}?token=${manageToken}`, undefined, visitor)).statusCode, 200)
  const login = await call('POST', '/v1/auth/login', { email: ADMIN.email, password: ADMIN.password })
  t.equal(login.statusCode, 200, 'logged in')
  const session = login.json().token as string
  t.equal((await call('POST', '/v1/auth/login', { email: ADMIN.email, password: 'wrong horse battery' })).statusCode, 401, 'a failed login')
  t.equal((await call('POST', '/v1/auth/magic-link', { email: ADMIN.email })).statusCode, 202, 'a login link asked for')
  // Errors: a body refused with the email in it, an unknown route with it in the path, a dead token.
  t.equal((await call('POST', `/v1/events/${event.id}/registrations`, { ...VISITOR, partySize: 'three', consent: { privacy: true } })).statusCode, 400)
  t.equal((await call('GET', `/v1/people/${encodeURIComponent(VISITOR.email)}`)).statusCode, 404)
  t.equal((await call('GET', `/v1/registrations/${id}`, undefined, { authorization: `Bearer ${manageToken.slice(0, -2)}xx` })).statusCode, 401)

  // A database error whose statement carried personal data, logged the way the error handler and worker do.
  const failure = await db.execute(sql`select ${VISITOR.email}::int, ${VISITOR.name}::int`).catch((err: unknown) => err)
  t.ok(failure instanceof Error, 'the statement failed')
  t.match(String((failure as Error).message), VISITOR.email, 'the unserialized error holds the email (what must not reach the log)')
  app.log.error({ err: failure }, 'unhandled error')
  // What an SMTP server answers can name the recipient; the worker logs it through a child of the app's logger.
  app.log.child({ component: 'worker' }).warn({ emailId: id, err: `550 5.1.1 <${VISITOR.email}>: Recipient address rejected` }, 'email not sent')

  const text = lines.join('')
  for (const secret of SECRETS) t.notOk(text.includes(secret), `no "${secret}" in the log`)
  t.notOk(text.includes(manageToken), 'no manage token')
  t.notOk(text.includes(session), 'no session token')
  t.notMatch(text, /vm[a-z]_[A-Za-z0-9_-]{20,}/, 'no token of any kind')
  t.notMatch(text, /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/, 'no email address at all')
  t.notMatch(text, /\?/, 'no query string')

  const entries = lines.map((line) => JSON.parse(line) as Record<string, any>)
  const requestLines = entries.filter((entry) => entry.msg === 'request')
  t.notOk(entries.some((entry) => ['incoming request', 'request completed'].includes(entry.msg)), "Fastify's own request lines are off")
  t.same(
    requestLines.map((entry) => entry.reqId),
    requestIds,
    'one line per request, carrying the id the response named in X-Request-Id',
  )
  for (const entry of requestLines) t.same(Object.keys(entry).filter((k) => !['level', 'time', 'pid', 'hostname', 'reqId', 'msg'].includes(k)).sort(), ['method', 'ms', 'route', 'statusCode'])
  t.ok(requestLines.some((entry) => entry.route === '/v1/events/:eventId/registrations' && entry.statusCode === 201), 'routes are patterns')
  const logged = entries.find((entry) => entry.msg === 'unhandled error')!
  t.match(logged.err, { query: /select \$1::int, \$2::int/, cause: { code: '22P02', message: /invalid input syntax for type integer/ } }, 'the error stays useful: SQL with placeholders, SQLSTATE')
  t.notOk('params' in logged.err, 'no statement parameters')
  t.match(entries.find((entry) => entry.msg === 'email not sent')!.err, /\[email\]/, 'an email inside a free-text error is masked')
})
