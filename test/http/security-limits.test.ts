import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { randomUUID } from 'node:crypto'
import { routeCatalog } from '../../src/http/body-limits.js'
import { build } from '../helpers/app.js'
import { problem } from '../helpers/problem.js'

// Issue #7 item 5: every public write has a deliberate per-IP limit. "Public" is a write route whose schema
// declares no bearer security, or one a visitor opens with the manage token (vmr_) from their email: anyone on
// the internet can call those. A new such route fails this test until it has a limit and a row below.

/** The per-IP limit of each public write (requests per window from one address before the 429). */
const PUBLIC_WRITE_LIMITS: Record<string, number> = {
  'POST /v1/auth/login': 20, // per minute; plus 10 per email per 15 minutes
  'POST /v1/auth/magic-link': 10, // per minute; plus 5 per email per link lifetime
  'POST /v1/auth/magic-link/verify': 30, // per minute
  'POST /v1/events/:eventId/registrations': 30, // per minute
  'POST /v1/events/:eventId/registrations/resend': 10, // per minute; plus 3 per email per 15 minutes
  'POST /v1/associations': 10, // per hour
  'POST /v1/co-exhibitors/confirm': 30, // per minute
  'POST /v1/co-exhibitors/decline': 30, // per minute
  'POST /v1/me/erase/confirm': 30, // per minute (the emailed token is the credential)
  'PATCH /v1/registrations/:id': 30, // per minute, visitors only (account sessions are not counted)
  'DELETE /v1/registrations/:id': 30, // per minute, visitors only
  'POST /v1/registrations/:id/erase': 10, // per minute, visitors only
}

/** Write routes that document bearer security but take a visitor's manage token (loadRegistrationFor). */
const VISITOR_TOKEN_WRITES = new Set(['PATCH /v1/registrations/:id', 'DELETE /v1/registrations/:id', 'POST /v1/registrations/:id/erase'])

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

t.test('every public write route has a per-IP limit that answers 429 rate_limited', async (t) => {
  const ctx = await build(t, { RATE_LIMIT: 'on' })
  const { app } = ctx
  const catalog = routeCatalog(app)
  t.ok(catalog.length > 50, 'the app records its routes')
  const publicWrites = catalog
    .filter((route) => WRITES.has(route.method))
    .filter((route) => {
      const key = `${route.method} ${route.url}`
      const security = (route.schema as { security?: unknown[] } | undefined)?.security
      return !security || security.length === 0 || VISITOR_TOKEN_WRITES.has(key)
    })
    .map((route) => `${route.method} ${route.url}`)
    .sort()
  t.same(publicWrites, Object.keys(PUBLIC_WRITE_LIMITS).sort(), 'the table lists exactly the public writes')

  let network = 0
  for (const key of publicWrites) {
    const max = PUBLIC_WRITE_LIMITS[key]
    if (max === undefined) continue
    const [method, pattern] = key.split(' ') as [Method, string]
    const url = pattern.replace(/:[A-Za-z]+/g, () => randomUUID())
    const remoteAddress = `10.0.${++network}.7`
    // Anonymous and with an empty body: the limit counts before validation, so junk is limited like real use.
    const send = (from = remoteAddress) =>
      app.inject({ method, url, remoteAddress: from, ...(method === 'DELETE' ? {} : { payload: {} }) })
    const statuses: number[] = []
    for (let i = 0; i < max; i++) statuses.push((await send()).statusCode)
    t.notOk(statuses.includes(429), `${key}: the first ${max} from one address are answered`, { statuses })
    const limited: LightMyRequestResponse = await send()
    problem(t, limited, 429, 'rate_limited')
    t.ok(Number(limited.headers['retry-after']) >= 1, `${key}: Retry-After is set`)
    t.not((await send(`10.1.${network}.7`)).statusCode, 429, `${key}: another address is not limited`)
  }
})

t.test('account sessions are not counted on the visitor-token writes', async (t) => {
  const ctx = await build(t, { RATE_LIMIT: 'on' })
  const organizer = await ctx.account('organizer')
  const max = PUBLIC_WRITE_LIMITS['PATCH /v1/registrations/:id']
  const url = `/v1/registrations/${randomUUID()}`
  for (let i = 0; i <= max + 2; i++) {
    const res = await ctx.app.inject({ method: 'PATCH', url, headers: organizer.auth, payload: { partySize: 2 }, remoteAddress: '10.2.0.1' })
    if (res.statusCode === 429) return t.fail(`an organizer was limited at request ${i + 1}`)
  }
  t.pass(`${max + 3} staff requests from one address`)
  const anonymous = []
  for (let i = 0; i <= max; i++) anonymous.push((await ctx.app.inject({ method: 'PATCH', url, payload: { partySize: 2 }, remoteAddress: '10.2.0.1' })).statusCode)
  t.equal(anonymous.at(-1), 429, 'the same address without a session is limited')
})

t.test('RATE_LIMIT=off turns the limits off', async (t) => {
  const ctx = await build(t, { RATE_LIMIT: 'off' })
  const max = PUBLIC_WRITE_LIMITS['POST /v1/auth/login']
  for (let i = 0; i <= max + 2; i++) {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: {}, remoteAddress: '10.3.0.1' })
    if (res.statusCode === 429) return t.fail(`limited at request ${i + 1}`)
  }
  t.pass('no 429')
})

t.test('the limit counts clients: X-Forwarded-For only from a proxy named in TRUST_PROXY', async (t) => {
  const login = (app: Awaited<ReturnType<typeof build>>['app'], remoteAddress: string, client: string) =>
    app.inject({ method: 'POST', url: '/v1/auth/login', payload: {}, remoteAddress, headers: { 'x-forwarded-for': client } })
  const max = PUBLIC_WRITE_LIMITS['POST /v1/auth/login']

  const direct = await build(t, { RATE_LIMIT: 'on' })
  const spoofed = []
  for (let i = 0; i <= max; i++) spoofed.push((await login(direct.app, '203.0.113.9', `198.51.100.${i}`)).statusCode)
  t.equal(spoofed.at(-1), 429, 'unset: a made-up X-Forwarded-For per request does not dodge the limit')

  const behindProxy = await build(t, { RATE_LIMIT: 'on', TRUST_PROXY: '10.9.0.0/16' })
  const first = []
  for (let i = 0; i <= max; i++) first.push((await login(behindProxy.app, '10.9.0.2', '198.51.100.1')).statusCode)
  t.equal(first.at(-1), 429, 'one visitor behind the load balancer is limited')
  t.not((await login(behindProxy.app, '10.9.0.2', '198.51.100.2')).statusCode, 429, 'another visitor through the same load balancer is not')
  t.equal((await login(behindProxy.app, '10.9.0.3', '198.51.100.1')).statusCode, 429, 'the first again, through another balancer: still limited')
})
