import t from 'tap'
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto'
import { signEd25519, sodiumSecretKey } from '../../../src/features/tickets/ed25519.js'

// Signing goes through libsodium, keys and verification through node:crypto: the two must give the same bytes,
// or codes issued now would stop matching the ones the server checks and the phones verify.

t.test('libsodium signs exactly as node:crypto does, for any key and message', async (t) => {
  let differing = 0
  let unverified = 0
  for (let i = 0; i < 200; i++) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    // lengths around the code's 25 signed bytes, and the empty and long messages too
    for (const length of [0, 1, 25, 64, 1000]) {
      const message = randomBytes(length)
      const ours = signEd25519(message, sodiumSecretKey(privateKey))
      if (!ours.equals(sign(null, message, privateKey))) differing++
      if (!verify(null, message, publicKey, ours)) unverified++
    }
  }
  t.equal(differing, 0, '1,000 signatures, byte for byte the same')
  t.equal(unverified, 0, 'and each verifies with the public key')
})

t.test("libsodium's form of a key: seed then public key, made once per key object", async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const secret = sodiumSecretKey(privateKey)
  const jwk = privateKey.export({ format: 'jwk' })
  t.equal(secret.length, 64)
  t.same(secret.subarray(0, 32), Buffer.from(String(jwk.d), 'base64url'), 'the seed first')
  t.same(secret.subarray(32), Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url'), 'then the public key')
  t.equal(sodiumSecretKey(privateKey), secret, 'the same buffer the second time')
})

t.test('keys that cannot sign are refused, not used', async (t) => {
  t.throws(() => sodiumSecretKey(generateKeyPairSync('ed25519').publicKey), 'a public key')
  t.throws(() => sodiumSecretKey(generateKeyPairSync('ed448').privateKey), /not an Ed25519 private key/, 'another curve')
  t.throws(() => sodiumSecretKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), /not an Ed25519 private key/, 'an ECDSA key')
  t.throws(() => signEd25519(Buffer.from('x'), Buffer.alloc(32)), 'a secret key of the wrong length')
})
