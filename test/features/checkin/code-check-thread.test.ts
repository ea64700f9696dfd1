import t from 'tap'
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { codeCheckThread } from '../../../src/features/checkin/code-check-thread.js'
import { sodiumSecretKey } from '../../../src/features/tickets/ed25519.js'
import { readTicketCode, signTicketCode, verifyTicketCode, type EventKey, type ParsedCode } from '../../../src/features/tickets/ticket-codes.js'

// The codes' signature check on its own thread: the same answers as the public-key verify, in any mix and
// number at once, and still answered when the thread is gone.

function memoryKey(): EventKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { eventId: randomUUID(), kid: randomBytes(6).toString('base64url'), privateKey, publicKey, publicKeyRaw: '' }
}

/** A genuine code, or one with a signature bit flipped. */
function code(key: EventKey, forged: boolean): string {
  const genuine = signTicketCode(randomUUID(), key)
  if (!forged) return genuine
  const raw = Buffer.from(genuine.slice(3), 'base64url')
  raw[22 + Math.floor(Math.random() * 64)] ^= 1 << Math.floor(Math.random() * 8)
  return 'VM1' + raw.toString('base64url')
}

const parse = (c: string): ParsedCode => readTicketCode(c)!
const secret = (key: EventKey) => sodiumSecretKey(key.privateKey)

t.test('many checks at once, two keys, genuine and forged mixed: each answered as verify answers it', async (t) => {
  const keys = [memoryKey(), memoryKey()]
  const thread = codeCheckThread()
  t.teardown(() => thread.close())
  const cases = Array.from({ length: 400 }, (_, i) => {
    const key = keys[i % 2]
    return { key, code: code(key, i % 3 === 0) }
  })
  // Sent in waves while earlier ones are still open, so batches form behind the one the thread works on.
  const answers: Promise<boolean>[] = []
  for (let wave = 0; wave < 4; wave++) {
    for (const c of cases.slice(wave * 100, wave * 100 + 100)) answers.push(thread.isIssued(parse(c.code), secret(c.key)))
    await new Promise((resolve) => setImmediate(resolve))
  }
  const got = await Promise.all(answers)
  const expected = cases.map((c) => verifyTicketCode(c.code, c.key.publicKey, c.key.kid) !== null)
  t.same(got, expected, 'every answer is the public-key verify’s')
  t.equal(got.filter(Boolean).length, cases.filter((_, i) => i % 3 !== 0).length, 'all genuine ones issued, no forged one')
  // A code signed with the other event's key is not issued under this one.
  const theirs = code(keys[1], false)
  t.equal(await thread.isIssued(parse(theirs), secret(keys[0])), false, "another key's code")
})

t.test('a thread that dies: its open checks are done here, the next check gets a new thread', async (t) => {
  const key = memoryKey()
  const thread = codeCheckThread()
  t.teardown(() => thread.close())
  const good = [code(key, false), code(key, true), code(key, false)]
  // A secret key of the wrong length cannot sign: libsodium throws on it and the thread ends, with the batch open.
  const poisoned = thread.isIssued(parse(code(key, false)), Buffer.alloc(32))
  const batch = good.map((c) => thread.isIssued(parse(c), secret(key)))
  await t.rejects(poisoned, 'the check that killed it fails (here too)')
  t.same(await Promise.all(batch), [true, false, true], 'the others of its batch are answered, here')
  const after = [code(key, false), code(key, true)]
  t.same(await Promise.all(after.map((c) => thread.isIssued(parse(c), secret(key)))), [true, false], 'a new thread takes the next ones')
})

t.test('after close, checks are done here', async (t) => {
  const key = memoryKey()
  const thread = codeCheckThread()
  const open = [code(key, false), code(key, true)].map((c) => thread.isIssued(parse(c), secret(key)))
  await thread.close()
  t.same(await Promise.all(open), [true, false], 'checks open when it closed')
  t.same(await Promise.all([code(key, true), code(key, false)].map((c) => thread.isIssued(parse(c), secret(key)))), [false, true], 'and later ones')
})
