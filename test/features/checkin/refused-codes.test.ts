import t from 'tap'
import { randomBytes } from 'node:crypto'
import { refusedCodes } from '../../../src/features/checkin/refused-codes.js'
import type { ParsedCode } from '../../../src/features/tickets/ticket-codes.js'

// The forged codes a door's API remembers: found again by all 86 bytes, oldest forgotten first.

const code = (payload = randomBytes(22), signature = randomBytes(64)): ParsedCode => ({ ticketId: '', kid: '', payload, signature })

t.test('remembers what it was given, and nothing else', async (t) => {
  const refused = refusedCodes(100)
  const seen = Array.from({ length: 50 }, () => code())
  seen.forEach((c) => refused.add(c))
  t.ok(seen.every((c) => refused.has(code(Buffer.from(c.payload), Buffer.from(c.signature)))), 'each, by its bytes (a new parse of the same code)')
  t.notOk(refused.has(code()), 'a code never seen')
  t.equal(refused.size, 50)
})

t.test('a code that shares a fingerprint with a remembered one is not taken for it', async (t) => {
  const refused = refusedCodes(10)
  const forged = code()
  refused.add(forged)
  // The fingerprint reads signature bytes 0-3 and 32-35 and payload bytes 0-3: change any other byte.
  for (const [part, at] of [['signature', 63], ['signature', 10], ['payload', 21], ['payload', 16]] as const) {
    const other = code(Buffer.from(forged.payload), Buffer.from(forged.signature))
    other[part][at] ^= 1
    t.notOk(refused.has(other), `${part} byte ${at} differs`)
  }
  t.ok(refused.has(forged))
})

t.test('full: the oldest is forgotten first, one for each new', async (t) => {
  const refused = refusedCodes(3)
  const [a, b, c, d, e] = Array.from({ length: 5 }, () => code())
  for (const x of [a, b, c, d]) refused.add(x)
  t.same([a, b, c, d].map((x) => refused.has(x)), [false, true, true, true], 'a went when d came')
  refused.add(e)
  t.same([b, c, d, e].map((x) => refused.has(x)), [false, true, true, true], 'then b')
  t.equal(refused.size, 3)
})

t.test('a fingerprint taken over by a newer code: forgetting the older slot keeps the newer', async (t) => {
  const refused = refusedCodes(2)
  const first = code()
  // Same fingerprint (signature bytes 0-3 and 32-35, payload bytes 0-3), other bytes elsewhere.
  const twin = code(Buffer.from(first.payload), Buffer.from(first.signature))
  twin.signature[50] ^= 0xff
  refused.add(first)
  refused.add(twin)
  t.notOk(refused.has(first), 'the older one is forgotten early: it would only be signed again')
  t.ok(refused.has(twin))
  refused.add(code()) // the ring comes round to first's slot, which no longer owns the fingerprint
  t.ok(refused.has(twin), 'the newer one stays until its own slot comes round')
})
