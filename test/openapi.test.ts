import t from 'tap'
import fs from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { generateOpenapi, OPENAPI_PATH } from '../src/cli/write-openapi.js'
import { build } from './helpers/app.js'

t.test('the committed openapi/openapi.json is what the app generates', async (t) => {
  const generated = await generateOpenapi()
  const committed = fs.readFileSync(OPENAPI_PATH, 'utf8')
  t.equal(committed, generated, 'run `npm run openapi` and commit the result')
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
  for (const [path, methods] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      t.ok(op.responses['4XX'] ?? op.responses['4xx'] ?? path.startsWith('/health/live'), `${method} ${path} documents its problems`)
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
