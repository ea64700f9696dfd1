/**
 * The floor for program.bench.ts: bare Fastify + postgres.js (same pool size as ours) doing the naive reservation —
 * one transaction per reservation: lock the session row (SELECT … FOR UPDATE), check the seats, count them, insert
 * the reservation, commit. No auth, no schemas, no waitlist, no email, no overlap rule, no logging.
 * Env: DATABASE_URL, PORT, POOL_SIZE (10).
 */
import Fastify from 'fastify'
import postgres from 'postgres'

const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.POOL_SIZE ?? 10),
  onnotice: () => {},
  connection: { application_name: 'program-baseline' },
})
const app = Fastify({ logger: false })

class Full extends Error {}

app.post<{ Params: { registrationId: string; sessionId: string } }>('/registrations/:registrationId/sessions/:sessionId', async (request, reply) => {
  const { registrationId, sessionId } = request.params
  try {
    const people = await sql.begin(async (tx) => {
      const [reg] = await tx`select party_size from registrations where id = ${registrationId} and status = 'confirmed'`
      if (!reg) throw new Full()
      const [session] = await tx`select seats, reserved_people, starts_at, ends_at, event_id from program_sessions where id = ${sessionId} for update`
      if (!session || session.reserved_people + reg.party_size > session.seats) throw new Full()
      await tx`update program_sessions set reserved_people = reserved_people + ${reg.party_size} where id = ${sessionId}`
      await tx`
        insert into session_reservations (event_id, session_id, registration_id, status, people, starts_at, ends_at)
        values (${session.event_id}, ${sessionId}, ${registrationId}, 'reserved', ${reg.party_size}, ${session.starts_at}, ${session.ends_at})`
      return reg.party_size as number
    })
    return reply.code(201).send({ sessionId, status: 'reserved', people })
  } catch (err) {
    if (err instanceof Full) return reply.code(409).send({ code: 'session_full' })
    if ((err as { code?: string }).code === '23505') return reply.code(409).send({ code: 'already_reserved' })
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
