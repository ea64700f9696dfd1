/**
 * The floor to compare against: bare Fastify + postgres.js, same pool size (10), the same primary-key read
 * as GET /v1/events/{id}, no schemas, no hooks, no logging. Run as its own process by events.bench.ts.
 * Env: DATABASE_URL, PORT, POOL_SIZE (10).
 */
import Fastify from 'fastify'
import postgres from 'postgres'

const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.POOL_SIZE ?? 10), onnotice: () => {} })
const app = Fastify({ logger: false })

app.get<{ Params: { id: string } }>('/events/:id', async (request, reply) => {
  const [row] = await sql`select * from events where id = ${request.params.id}`
  if (!row) return reply.code(404).send({ error: 'not found' })
  return row
})

app.get('/health', async () => ({ status: 'ok' }))

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await app.close()
    await sql.end({ timeout: 2 })
    process.exit(0)
  })
}
