import t from 'tap'
import fs from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { CLIENT_TYPES_PATH, generateClientTypes, generateOpenapi, OPENAPI_PATH } from '../src/cli/write-openapi.js'
import { build } from './helpers/app.js'

t.test('the committed openapi/openapi.json is what the app generates', async (t) => {
  const generated = await generateOpenapi()
  const committed = fs.readFileSync(OPENAPI_PATH, 'utf8')
  t.equal(committed, generated, 'run `npm run openapi` and commit the result')
})

t.test("the typed client's committed types are what openapi-typescript makes of the committed document", async (t) => {
  const generated = await generateClientTypes(fs.readFileSync(OPENAPI_PATH, 'utf8'))
  t.equal(fs.readFileSync(CLIENT_TYPES_PATH, 'utf8'), generated, 'run `npm run openapi` and commit the result')
})

t.test('the document is valid OpenAPI 3.1 with named components', async (t) => {
  const document = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'))
  t.equal(document.openapi, '3.1.0')
  await t.resolves(SwaggerParser.validate(structuredClone(document)), 'valid according to swagger-parser')
  const names = Object.keys(document.components.schemas)
  for (const name of ['Problem', 'Event', 'EventCreate', 'EventPatch', 'Account', 'SessionResponse']) {
    t.ok(names.includes(name), `component ${name}`)
  }
  t.notOk(names.some((n) => n.startsWith('def-')), 'no anonymous def-N components')
  type Operation = { operationId?: string; responses: Record<string, { content?: Record<string, unknown> }> }
  for (const [path, methods] of Object.entries<Record<string, Operation>>(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      t.match(op.operationId, /^[a-z][A-Za-z0-9]+$/, `${method} ${path} has a camelCase operationId`)
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status))
      t.ok(errors.length > 0, `${method} ${path} documents its problems`)
      for (const [status, response] of errors) {
        t.match(status, /^[45]\d\d$/, `${method} ${path}: ${status} is a status, not a range`)
        t.same(Object.keys(response.content ?? {}), ['application/problem+json'], `${method} ${path} ${status} is problem+json`)
      }
    }
  }
})

t.test('/openapi.json serves the same document and /docs the interactive docs', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')))
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /swagger-ui/i)
})
