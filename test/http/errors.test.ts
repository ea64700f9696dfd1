import t from 'tap'
import type { Test } from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { appOver, build, testConfig } from '../helpers/app.js'

function isProblem(t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json')
  const body = res.json()
  t.equal(body.code, code, `code ${code}`)
  t.equal(body.status, status)
  t.equal(body.type, `urn:vereinsmesse:problem:${code}`)
  t.match(body.instance, /^urn:uuid:[0-9a-f-]{36}$/)
  t.notMatch(JSON.stringify(body), /at .*\.ts:\d+|node_modules|select |insert /i, 'no stack or SQL')
  return body
}

t.test('framework errors are problem+json with the contract codes', async (t) => {
  const { app } = await build(t)
  isProblem(t, await app.inject({ method: 'GET', url: '/v1/no-such-route' }), 404, 'not_found')
  isProblem(t, await app.inject({ method: 'DELETE', url: '/health/live' }), 404, 'not_found')

  const badJson = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    headers: { 'content-type': 'application/json' },
    payload: '{"email": ',
  })
  isProblem(t, badJson, 400, 'invalid_request')

  const text = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    headers: { 'content-type': 'text/plain' },
    payload: 'email=a',
  })
  isProblem(t, text, 415, 'unsupported_media_type')

  const huge = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'a@b.de', password: 'x'.repeat(300 * 1024) }),
  })
  isProblem(t, huge, 413, 'payload_too_large')

  const longParam = await app.inject({ method: 'GET', url: `/v1/events/${'a'.repeat(3000)}` })
  t.ok(longParam.statusCode >= 400 && longParam.statusCode < 500, 'a 3,000-character parameter is a client error')
  t.match(String(longParam.headers['content-type']), /^application\/problem\+json/)
  t.type(longParam.json().code, 'string')

  const badEncoding = await app.inject({ method: 'GET', url: '/v1/events/%E0%A4%A' })
  isProblem(t, badEncoding, 400, 'invalid_request')
})

t.test('schema failures list every bad field', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: 'not-an-email', password: 42, extra: true },
  })
  const body = isProblem(t, res, 400, 'invalid_request')
  const paths = body.errors.map((e: { path: string }) => e.path).sort()
  t.same(paths, ['/body/email', '/body/extra', '/body/password'])
  for (const e of body.errors) t.type(e.message, 'string')

  const missing = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: {} })
  t.same(
    isProblem(t, missing, 400, 'invalid_request').errors.map((e: { path: string }) => e.path).sort(),
    ['/body/email', '/body/password'],
  )

  const query = await app.inject({ method: 'GET', url: '/v1/events?limit=abc' })
  t.equal(isProblem(t, query, 400, 'invalid_request').errors[0].path, '/querystring/limit')
})

t.test('a database that is down answers 503 with Retry-After, quickly', async (t) => {
  // Port 9 (discard) on loopback refuses connections: a database that is down, without stopping the shared one.
  const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:9/none', poolSize: 2 })
  t.teardown(() => database.close())
  const app = await appOver(t, database.db, testConfig({ RATE_LIMIT: 'on' }))
  const started = Date.now()
  const res = await app.inject({ method: 'GET', url: '/v1/events' })
  isProblem(t, res, 503, 'unavailable')
  t.equal(res.headers['retry-after'], '5')
  t.ok(Date.now() - started < 8000, 'answers without hanging')
  isProblem(t, await app.inject({ method: 'GET', url: '/health/ready' }), 503, 'unavailable')
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'live does not need the database')
})

t.test('a closed embedded database also answers 503', async (t) => {
  const { app, database } = await build(t)
  await database.handle.close()
  isProblem(t, await app.inject({ method: 'GET', url: '/v1/events' }), 503, 'unavailable')
  // build()'s teardown closes it again; closing twice must be harmless.
})
