import t from 'tap'
import { build } from './helpers/app.js'

t.test('live and ready answer ok on a migrated database', async (t) => {
  const { app } = await build(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
})
