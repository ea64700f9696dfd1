/**
 * The floor for registration.bench.ts: bare Fastify + postgres.js (same pool size as ours) doing the naive
 * transaction against our schema — conditional update of the event's counter row, insert of the registration,
 * commit. No schemas, no tickets, no tokens, no email, no idempotency, no logging.
 * Env: DATABASE_URL, PORT, POOL_SIZE (10).
 */
import Fastify from 'fastify'
import postgres from 'postgres'

const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.POOL_SIZE ?? 10),
  onnotice: () => {},
  connection: { application_name: 'registration-baseline' },
})
const app = Fastify({ logger: false })

class Full extends Error {}

interface Body {
  email: string
  name: string
  partySize?: number
  consent?: { privacy?: boolean }
}

app.post<{ Params: { id: string }; Body: Body }>('/events/:id/registrations', async (request, reply) => {
  const { email, name, consent } = request.body ?? ({} as Body)
  const partySize = request.body?.partySize ?? 1
  if (typeof email !== 'string' || typeof name !== 'string' || consent?.privacy !== true || !Number.isInteger(partySize)) {
    return reply.code(400).send({ code: 'invalid_request' })
  }
  try {
    const id = await sql.begin(async (tx) => {
      const [ok] = await tx`
        update events set confirmed_people = confirmed_people + ${partySize}
        where id = ${request.params.id} and confirmed_people + ${partySize} <= visitor_capacity
        returning id`
      if (!ok) throw new Full()
      const [row] = await tx`
        insert into registrations (event_id, email, name, party_size, language, status, consent_privacy_at)
        values (${request.params.id}, ${email}, ${name}, ${partySize}, 'de', 'confirmed', now())
        returning id`
      return row.id as string
    })
    return reply.code(201).send({ id, status: 'confirmed', partySize })
  } catch (err) {
    if (err instanceof Full) return reply.code(409).send({ code: 'event_full' })
    if ((err as { code?: string }).code === '23505') return reply.code(409).send({ code: 'already_registered' })
    throw err
  }
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
