import t from 'tap'
import type { Test } from 'tap'
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { openDatabase } from '../../../src/db/client.js'
import { eventKeys } from '../../../src/db/schema.js'
import {
  CODE_PATTERN,
  CODE_VERSION,
  eventKey,
  issuedTicketId,
  readTicketCode,
  signTicketCode,
  verifyTicketCode,
  type EventKey,
} from '../../../src/features/tickets/ticket-codes.js'
import { build, eventBody, type TestContext } from '../../helpers/app.js'

// Ticket codes: what a QR holds, signed per event with Ed25519 (node:crypto), checked offline with the public key.

type CodesModule = typeof import('../../../src/features/tickets/ticket-codes.js')

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
// Layout after the 3-character version: base64url(ticket id 16 B | kid 6 B | signature 64 B), 115 characters.
// Characters that encode bits of one part only: id 0..20, kid 22..28, signature 30..114 (offsets into the body).
const ID_CHARS = [0, 10, 20]
const KID_CHARS = [22, 25, 28]
const SIG_CHARS = [30, 60, 100, 113]

/** A key pair as eventKey makes it, without a database. */
function memoryKey(kid = randomBytes(6).toString('base64url')): EventKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { eventId: randomUUID(), kid, privateKey, publicKey, publicKeyRaw: String(publicKey.export({ format: 'jwk' }).x) }
}

/** The code with the character at `index` (counted after the version prefix) replaced by another one. */
function flip(code: string, index: number): string {
  const at = CODE_VERSION.length + index
  const current = code[at]
  const other = B64URL[(B64URL.indexOf(current) + 17) % 64]
  return code.slice(0, at) + other + code.slice(at + 1)
}

async function createEvent(t: Test, ctx: TestContext): Promise<string> {
  const admin = await ctx.account('admin')
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/events', headers: admin.auth, payload: eventBody() })
  t.equal(res.statusCode, 201, 'event created', { body: res.body })
  return res.json().id
}

t.test('format', async (t) => {
  const key = memoryKey()
  for (let i = 0; i < 50; i++) {
    const id = randomUUID()
    const code = signTicketCode(id, key)
    if (code.length > 120 || !/^[\x21-\x7e]+$/.test(code) || !CODE_PATTERN.test(code) || !code.startsWith(CODE_VERSION)) {
      t.fail(`bad code ${code}`)
    }
  }
  const id = randomUUID()
  const code = signTicketCode(id, key)
  t.ok(code.length <= 120, `at most 120 characters (${code.length})`)
  t.match(code, /^[\x21-\x7e]+$/, 'printable ASCII, no spaces')
  t.match(code, CODE_PATTERN)
  t.ok(code.startsWith('VM1'), 'version prefix')
  const parsed = readTicketCode(code)
  t.equal(parsed?.ticketId, id, 'names the ticket')
  t.equal(parsed?.kid, key.kid, 'names the key, hence the event')

  // Nothing but the ticket id, the key id and the signature: no room for personal data.
  const raw = Buffer.from(code.slice(3), 'base64url')
  t.equal(raw.length, 16 + 6 + 64)
  t.equal(raw.subarray(0, 16).toString('hex'), id.replace(/-/g, ''))
  t.equal(raw.subarray(16, 22).toString('base64url'), key.kid)
  t.equal(signTicketCode(id, key), code, 'deterministic (Ed25519 signatures are)')
})

t.test('verification', async (t) => {
  // Every case is put to both checks, which must agree: the phones' (the event's public key) and the server's (the
  // payload signed again with the private key and compared, isIssuedCode).
  let disagreements = 0
  const verifyBoth = (candidate: string, pair: EventKey, kid: string) => {
    const offline = verifyTicketCode(candidate, pair.publicKey, kid)
    const server = issuedTicketId(candidate, pair.privateKey, kid)
    if (offline !== server) t.fail(`the checks disagree on ${JSON.stringify(candidate)}: ${offline} by verify, ${server} by signing again`, { disagreements: ++disagreements })
    return offline
  }
  const key = memoryKey()
  const id = randomUUID()
  const code = signTicketCode(id, key)

  t.equal(verifyBoth(code, key, key.kid), id, "a genuine code verifies with the event's key")

  t.test('forged codes', async (t) => {
    for (let i = 0; i < 20; i++) {
      const forged = CODE_VERSION + randomBytes(86).toString('base64url')
      t.equal(verifyBoth(forged, key, key.kid), null, 'random bytes')
    }
    // Random bytes that carry the right key id still lack a valid signature.
    const withKid = Buffer.concat([Buffer.from(id.replace(/-/g, ''), 'hex'), Buffer.from(key.kid, 'base64url'), randomBytes(64)])
    t.equal(verifyBoth(CODE_VERSION + withKid.toString('base64url'), key, key.kid), null, 'right id and kid, random signature')
    const zeros = Buffer.concat([Buffer.from(id.replace(/-/g, ''), 'hex'), Buffer.from(key.kid, 'base64url'), Buffer.alloc(64)])
    t.equal(verifyBoth(CODE_VERSION + zeros.toString('base64url'), key, key.kid), null, 'all-zero signature')
  })

  t.test('altered codes', async (t) => {
    for (const i of ID_CHARS) {
      const altered = flip(code, i)
      t.not(altered, code)
      t.equal(verifyBoth(altered, key, key.kid), null, `id character ${i} changed`)
    }
    for (const i of KID_CHARS) t.equal(verifyBoth(flip(code, i), key, key.kid), null, `kid character ${i} changed`)
    for (const i of SIG_CHARS) t.equal(verifyBoth(flip(code, i), key, key.kid), null, `signature character ${i} changed`)
    // Every single-character change anywhere, to any other character (the last one: see the next test).
    let accepted = 0
    for (let at = 0; at < code.length - 1; at++) {
      for (const c of B64URL + 'VMv1.~') {
        if (c === code[at]) continue
        const altered = code.slice(0, at) + c + code.slice(at + 1)
        if (verifyBoth(altered, key, key.kid) !== null) accepted++
      }
    }
    t.equal(accepted, 0, 'no other single-character variant of a code verifies')
  })

  t.test('a code is canonical: the unused low bits of its last character are part of it', async (t) => {
    // 86 bytes are 688 bits; 115 base64url characters carry 690, so the last character has 2 spare bits.
    // Base64 decoders ignore them: unless the code is checked to be the canonical encoding, three other
    // strings decode to the same bytes and verify, i.e. a ticket would have four distinct "valid" codes.
    const last = code.length - 1
    const variants = [...B64URL].filter((c) => c !== code[last]).map((c) => code.slice(0, last) + c)
    t.same(
      variants.filter((v) => verifyBoth(v, key, key.kid) !== null),
      [],
      'fix in readTicketCode: only a last character with its 2 spare bits zero',
    )
  })

  t.test("another event's key", async (t) => {
    const other = memoryKey()
    const theirs = signTicketCode(id, other)
    t.equal(verifyBoth(theirs, key, key.kid), null, "their code, our kid and key")
    t.equal(verifyBoth(theirs, key, other.kid), null, 'their code and kid, our public key')
    t.equal(verifyBoth(code, other, other.kid), null, "our code, their key")
    // Their signature spliced under our key id.
    const raw = Buffer.from(theirs.slice(3), 'base64url')
    Buffer.from(key.kid, 'base64url').copy(raw, 16)
    t.equal(verifyBoth(CODE_VERSION + raw.toString('base64url'), key, key.kid), null, 'their signature under our kid')
    // A key that happens to share our kid (another database) still cannot sign for us.
    const impostor = memoryKey(key.kid)
    t.equal(verifyBoth(signTicketCode(id, impostor), key, key.kid), null, 'same kid, other private key')
  })

  t.test('length and version', async (t) => {
    const reject = (candidate: string, why: string) => t.equal(verifyBoth(candidate, key, key.kid), null, why)
    reject(code.slice(0, -1), 'truncated by one')
    reject(code.slice(0, 60), 'truncated by half')
    reject(code + 'A', 'one character too long')
    reject(code + code, 'doubled')
    reject(code + '=', 'padded')
    reject(code + '\n', 'trailing newline')
    reject(' ' + code, 'leading space')
    reject('', 'empty')
    reject(CODE_VERSION, 'prefix only')
    reject('X'.repeat(10_000), 'long garbage')
    reject('VM2' + code.slice(3), 'another version prefix')
    reject('vm1' + code.slice(3), 'lower-case prefix')
    reject(code.slice(3), 'no prefix')
    reject(code.slice(0, 40) + '+' + code.slice(41), 'standard base64 character')
    reject(code.slice(0, 40) + 'ä' + code.slice(41), 'non-ASCII character')
    // The signature covers the version: the same payload signed as "VM2" does not pass as VM1.
    const payload = Buffer.from(code.slice(3), 'base64url').subarray(0, 22)
    const underV2 = sign(null, Buffer.concat([Buffer.from('VM2'), payload]), key.privateKey)
    reject(CODE_VERSION + Buffer.concat([payload, underV2]).toString('base64url'), 'signature made for another version')
  })
  // Subtests run in order: this one comes after every case above.
  t.test('the two checks agreed on every case', async (t) => t.equal(disagreements, 0))
})

t.test('event keys', async (t) => {
  const ctx = await build(t)

  t.test('made once per event, the same on repeated and concurrent calls', async (t) => {
    const eventId = await createEvent(t, ctx)
    const keys = await Promise.all(Array.from({ length: 10 }, () => eventKey(ctx.db, eventId)))
    t.equal(new Set(keys.map((k) => k.kid)).size, 1, 'ten concurrent first calls agree')
    const again = await eventKey(ctx.db, eventId)
    t.equal(again.kid, keys[0].kid, 'a later call too')
    t.equal(again.eventId, eventId)
    const rows = await ctx.db.select().from(eventKeys).where(eq(eventKeys.eventId, eventId))
    t.equal(rows.length, 1, 'one row')
    t.equal(rows[0].kid, again.kid)
    t.equal(rows[0].publicKey, again.publicKeyRaw, 'the public key scanners get is the stored one')
    t.equal(Buffer.from(again.publicKeyRaw, 'base64url').length, 32, 'raw Ed25519 public key')

    const id = randomUUID()
    t.equal(verifyTicketCode(signTicketCode(id, again), again.publicKey, again.kid), id, 'signs and verifies')
  })

  t.test('each event has its own key', async (t) => {
    const [a, b] = await Promise.all([createEvent(t, ctx), createEvent(t, ctx)])
    const [keyA, keyB] = await Promise.all([eventKey(ctx.db, a), eventKey(ctx.db, b)])
    t.not(keyA.kid, keyB.kid)
    t.not(keyA.publicKeyRaw, keyB.publicKeyRaw)
    const id = randomUUID()
    t.equal(verifyTicketCode(signTicketCode(id, keyB), keyA.publicKey, keyA.kid), null, "B's ticket fails with A's key")
  })

  t.test('concurrent first creation from two database handles (two processes) yields one key', async (t) => {
    // A second module instance has its own key cache, like another server process; on PostgreSQL it also
    // gets its own connection pool to the same database.
    const fresh = (await import(`../../../src/features/tickets/ticket-codes.js?instance=${randomUUID()}`)) as CodesModule
    t.not(fresh.eventKey, eventKey, 'a separate module instance')
    const second = ctx.database.url ? await openDatabase({ url: ctx.database.url, poolSize: 4 }) : ctx.database.handle
    t.teardown(async () => {
      if (second !== ctx.database.handle) await second.close()
    })
    for (let round = 0; round < 5; round++) {
      const eventId = await createEvent(t, ctx)
      const results = await Promise.all([
        eventKey(ctx.db, eventId),
        fresh.eventKey(second.db, eventId),
        eventKey(ctx.db, eventId),
        fresh.eventKey(second.db, eventId),
      ])
      t.equal(new Set(results.map((k) => k.kid)).size, 1, `round ${round}: both processes use one key`)
      t.equal(new Set(results.map((k) => k.publicKeyRaw)).size, 1)
      const rows = await ctx.db.select().from(eventKeys).where(eq(eventKeys.eventId, eventId))
      t.equal(rows.length, 1, `round ${round}: one row`)
      const id = randomUUID()
      t.equal(verifyTicketCode(signTicketCode(id, results[0]), results[1].publicKey, results[1].kid), id, 'one signs, the other verifies')
    }
  })
})
