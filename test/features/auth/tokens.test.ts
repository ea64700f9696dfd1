import t from 'tap'
import { createHash } from 'node:crypto'
import { hashToken, newToken } from '../../../src/features/auth/tokens.js'

// Tokens come from a pool of random bytes refilled 128 tokens at a time: across many refills every token must
// be 32 fresh bytes (never the zeros a used slot is wiped to, never a repeat) and hash to what is stored.
t.test('tokens: 32 random bytes each, across many refills of the pool', async (t) => {
  const count = 128 * 40 + 7
  const tokens = Array.from({ length: count }, () => newToken('vmr_'))
  t.ok(tokens.every(({ token }) => /^vmr_[A-Za-z0-9_-]{43}$/.test(token)), 'prefix and 43 base64url characters')
  t.equal(new Set(tokens.map(({ token }) => token)).size, count, 'no token repeats')
  const bytes = tokens.map(({ token }) => Buffer.from(token.slice(4), 'base64url'))
  t.ok(bytes.every((b) => b.length === 32), 'each decodes to 32 bytes')
  // A wiped slot handed out would show as a run of zeros; 8 zero bytes in a row happen by chance once in 2^64.
  t.notOk(bytes.some((b) => b.includes(Buffer.alloc(8))), 'no run of zeros')
  // Loose uniformity: 166,000 bytes, each value expected ~649 times; a fixed or biased pool falls far outside.
  const seen = new Array(256).fill(0)
  for (const b of bytes) for (const x of b) seen[x]++
  const expected = (count * 32) / 256
  const chiSquare = seen.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0)
  t.ok(chiSquare < 400, `byte values spread evenly (chi-square ${chiSquare.toFixed(0)}, 255 degrees of freedom)`)
  t.ok(tokens.every(({ token, hash }) => hash === createHash('sha256').update(token).digest('hex') && hash === hashToken(token)), 'the stored hash is the SHA-256 of the token')
})
