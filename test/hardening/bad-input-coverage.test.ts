import t from 'tap'
import { build } from '../helpers/app.js'
import { CORPUS_GROUPS, routesWithInput } from '../helpers/bad-input.js'

// A new route with a body or query schema fails here until it gets a fixture and a place in a corpus file.
t.test('the bad-input corpus covers every route that takes a body or a query', async (t) => {
  const { app } = await build(t)
  const covered = new Set(Object.values(CORPUS_GROUPS).flat())
  const withInput = routesWithInput(app)
  t.ok(withInput.length >= 30, `the catalog lists the routes (${withInput.length} with input)`)
  t.same(withInput.filter((key) => !covered.has(key)), [], 'no route with a body or query schema lacks a generator')
  const known = new Set(withInput)
  // The stand import parses its own body (JSON or CSV): no schema, but covered on purpose.
  t.same([...covered].filter((key) => !known.has(key) && key !== 'POST /v1/events/:eventId/stands/import'), [], 'no corpus entry names a route that is gone')
})
