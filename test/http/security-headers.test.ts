import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { randomUUID } from 'node:crypto'
import { API_CSP } from '../../src/http/security.js'
import { build } from '../helpers/app.js'
import { problem } from '../helpers/problem.js'

// Issue #7 item 5: helmet's headers on an API, /docs still working under its CSP, CORS only for CORS_ORIGINS,
// and the request id carried from X-Request-Id to the response header and problem+json's `instance`.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const FRONT = 'https://messe.example.org'
const DEV = 'http://localhost:5173'

const directives = (csp: unknown) => String(csp).split(';').map((d) => d.trim()).filter(Boolean).sort()
const corsHeaders = (res: LightMyRequestResponse) => Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))

t.test('API answers carry helmet headers with a CSP that loads nothing, and no HSTS', async (t) => {
  const { app } = await build(t)
  const answers = {
    ok: await app.inject({ method: 'GET', url: '/health/live' }),
    notFound: await app.inject({ method: 'GET', url: '/v1/nothing-here' }),
    unauthenticated: await app.inject({ method: 'POST', url: '/v1/auth/logout' }),
    badToken: await app.inject({ method: 'GET', url: '/v1/events', headers: { authorization: 'Bearer nope' } }),
  }
  for (const [name, res] of Object.entries(answers)) {
    t.same(directives(res.headers['content-security-policy']), directives(API_CSP), `${name}: CSP`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: nosniff`)
    t.equal(res.headers['x-frame-options'], 'DENY', `${name}: no framing`)
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${name}: no referrer`)
    t.equal(res.headers['cross-origin-resource-policy'], 'same-origin', `${name}: CORP same-origin without CORS_ORIGINS`)
    t.equal(res.headers['strict-transport-security'], undefined, `${name}: HSTS is left to the TLS terminator`)
    t.equal(res.headers['x-powered-by'], undefined, `${name}: no x-powered-by`)
    t.same(corsHeaders(res), [], `${name}: no CORS headers without CORS_ORIGINS`)
    t.match(res.headers['x-request-id'], UUID, `${name}: X-Request-Id`)
  }
  t.equal(answers.ok.statusCode, 200)
  problem(t, answers.notFound, 404, 'not_found')
  problem(t, answers.unauthenticated, 401, 'unauthenticated')
  problem(t, answers.badToken, 401, 'unauthenticated')
})

t.test('/docs renders: its HTML loads only same-origin scripts and styles that its CSP allows', async (t) => {
  const { app } = await build(t)
  let pageUrl = new URL('http://localhost/docs')
  let res = await app.inject({ method: 'GET', url: pageUrl.pathname })
  for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
    pageUrl = new URL(String(res.headers.location), pageUrl)
    res = await app.inject({ method: 'GET', url: pageUrl.pathname })
  }
  t.equal(res.statusCode, 200, 'the Swagger UI page')
  t.match(res.headers['content-type'], /^text\/html/)
  const html = res.body
  const csp = String(res.headers['content-security-policy'])
  const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? ''
  t.match(directive('script-src'), /'self'/, 'scripts from the same origin')
  t.notMatch(directive('script-src'), /unsafe-inline|unsafe-eval/, 'no inline script allowed')
  t.match(directive('style-src'), /'self'/)
  t.match(directive('img-src'), /data:/, 'the icons are data: images')
  t.match(directive('connect-src'), /'self'/, 'the spec and "try it out" are fetched from the same origin')
  t.notMatch(csp, /upgrade-insecure-requests/, 'a plain-http LAN install still loads its assets')

  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  t.ok(scripts.length >= 2, 'Swagger UI has scripts')
  for (const [, attributes, body] of scripts) t.match(attributes, /\bsrc="/, 'every script is a file (the CSP forbids inline ones)') && t.equal(body.trim(), '')
  t.notMatch(html, /\son[a-z]+=/i, 'no inline event handlers (script-src-attr none)')
  const assets = [
    ...scripts.map(([, attributes]) => /\bsrc="([^"]+)"/.exec(attributes)![1]),
    ...[...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]),
  ]
  t.ok(assets.some((a) => a.endsWith('.css')), 'stylesheets are linked')
  for (const asset of assets) {
    const url = new URL(asset, pageUrl)
    t.equal(url.origin, pageUrl.origin, `${asset} is same-origin`)
    const file = await app.inject({ method: 'GET', url: url.pathname })
    t.equal(file.statusCode, 200, `${url.pathname} loads`)
    t.match(file.headers['content-type'], asset.endsWith('.css') ? /^text\/css/ : /javascript/, `${url.pathname} has its type (nosniff)`)
  }
  const initializer = await app.inject({ method: 'GET', url: new URL('./swagger-initializer.js', pageUrl).pathname })
  const specPath = /url:\s*resolveUrl\('([^']+)'\)/.exec(initializer.body)?.[1] ?? './json'
  // resolveUrl() in the initializer: the page's address with a trailing slash, plus the relative path.
  const base = pageUrl.href.endsWith('/') ? pageUrl.href : `${pageUrl.href}/`
  const spec = await app.inject({ method: 'GET', url: new URL(base + specPath).pathname })
  t.equal(spec.statusCode, 200, `the spec Swagger UI fetches (${specPath}) loads`)
  t.equal(spec.json().openapi, '3.1.0')
})

t.test('request ids: a well-formed X-Request-Id is kept, anything else replaced; instance names it', async (t) => {
  const { app } = await build(t)
  const incoming = randomUUID()
  const kept = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: { 'x-request-id': incoming } })
  t.equal(kept.headers['x-request-id'], incoming, 'echoed')
  t.equal(problem(t, kept, 404, 'not_found') && kept.json().instance, `urn:uuid:${incoming}`)
  const upper = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': incoming.toUpperCase() } })
  t.equal(upper.headers['x-request-id'], incoming, 'a UUID in capitals is the same UUID')

  for (const bad of ['abc', 'x'.repeat(300), `${incoming}x`, `${incoming} ${incoming}`, '../../etc/passwd', '<script>', 'a@b.de']) {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: { 'x-request-id': bad } })
    const id = String(res.headers['x-request-id'])
    t.match(id, UUID, `${bad.slice(0, 20)}: replaced by a UUID`)
    t.not(id, bad)
    t.equal(res.json().instance, `urn:uuid:${id}`)
  }
  const a = await app.inject({ method: 'GET', url: '/health/live' })
  const b = await app.inject({ method: 'GET', url: '/health/live' })
  t.not(a.headers['x-request-id'], b.headers['x-request-id'], 'each request its own id')

  // Routing errors answer before any hook; the id is still there.
  const longParam = await app.inject({ method: 'GET', url: `/v1/events/${'a'.repeat(3000)}` })
  t.ok(longParam.statusCode >= 400 && longParam.statusCode < 500)
  t.match(longParam.json().instance, /^urn:uuid:/)
  t.equal(longParam.json().instance, `urn:uuid:${longParam.headers['x-request-id']}`)
})

t.test('CORS_ORIGINS: the named front ends get CORS, every other origin none', async (t) => {
  const { app } = await build(t, { CORS_ORIGINS: `${FRONT},${DEV}` })

  for (const origin of [FRONT, DEV]) {
    const res = await app.inject({ method: 'GET', url: '/health/live', headers: { origin } })
    t.equal(res.headers['access-control-allow-origin'], origin, `${origin} may read`)
    t.match(String(res.headers.vary), /origin/i, 'Vary: Origin, so caches keep answers per origin')
    t.equal(res.headers['access-control-allow-credentials'], undefined, 'no cookies: bearer tokens only')
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)
    for (const header of ['etag', 'location', 'retry-after', 'x-request-id', 'content-disposition', 'www-authenticate']) {
      t.ok(exposed.includes(header), `${header} is exposed`)
    }
    t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', 'a front end elsewhere may embed QR images')
  }

  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/registrations/00000000-0000-4000-8000-000000000000',
    headers: { origin: FRONT, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  })
  t.equal(preflight.statusCode, 204, 'preflight of an allowed origin')
  t.equal(preflight.headers['access-control-allow-origin'], FRONT)
  const methods = String(preflight.headers['access-control-allow-methods']).split(/,\s*/)
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.ok(methods.includes(method), `${method} allowed`)
  const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/)
  for (const header of ['authorization', 'content-type', 'idempotency-key', 'if-none-match', 'x-request-id']) t.ok(allowed.includes(header), `${header} may be sent`)
  t.ok(Number(preflight.headers['access-control-max-age']) > 0, 'preflights are cached')

  // Errors carry CORS too, or the front end could not read why a request failed.
  const refusedLogout = await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { origin: FRONT } })
  problem(t, refusedLogout, 401, 'unauthenticated')
  t.equal(refusedLogout.headers['access-control-allow-origin'], FRONT, 'a problem answer is readable by the front end')

  for (const origin of ['https://evil.example', `${FRONT}.evil.example`, 'https://messe.example.org:8443', 'null', FRONT.replace('https', 'http')]) {
    const simple = await app.inject({ method: 'GET', url: '/health/live', headers: { origin } })
    t.equal(simple.statusCode, 200, `${origin}: the request itself is answered (CORS is the browser's to enforce)`)
    t.same(corsHeaders(simple), [], `${origin}: no CORS headers`)
    const refused = await app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    })
    t.same(corsHeaders(refused), [], `${origin}: preflight without CORS headers`)
    problem(t, refused, 404, 'not_found')
  }
  const noOrigin = await app.inject({ method: 'GET', url: '/health/live' })
  t.same(corsHeaders(noOrigin), [], 'same-origin and server-to-server requests: none')
})

t.test('without CORS_ORIGINS a preflight is an unknown route', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/v1/events',
    headers: { origin: FRONT, 'access-control-request-method': 'POST' },
  })
  t.same(corsHeaders(res), [])
  t.ok([404, 405].includes(res.statusCode), `refused (${res.statusCode})`)
})
