import type { KeyObject } from 'node:crypto'
import { createRequire } from 'node:module'
import sodium from 'sodium-native'

/**
 * Ed25519 signing through libsodium (sodium-native): ~13 µs a signature here, where node:crypto (OpenSSL 3) takes
 * ~28 µs. Every ticket issued and every code checked at a door is one signature (decision 0090). RFC 8032
 * signatures are deterministic, so both give the same bytes for the same key and message (ed25519.test.ts
 * compares them; ticket-codes.test.ts verifies every code it makes with node:crypto), and verifying stays with node:crypto and the phones' own code.
 * Keys are still made, stored and exported as node:crypto KeyObjects; libsodium only gets their secret form.
 */

export const SIGNATURE_BYTES = 64

/** Where sodium-native is, for the code-check thread (an eval'd worker resolves nothing from this file). */
export const SODIUM_NATIVE_PATH = createRequire(import.meta.url).resolve('sodium-native')

const secretKeys = new WeakMap<KeyObject, Buffer>()

/** libsodium's form of an Ed25519 private key: its 32-byte seed, then the public key. Made once per key object. */
export function sodiumSecretKey(privateKey: KeyObject): Buffer {
  let secret = secretKeys.get(privateKey)
  if (!secret) {
    const jwk = privateKey.export({ format: 'jwk' })
    if (jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 private key')
    // Buffer.alloc, not a slice of Node's shared pool: the secret gets memory of its own.
    secret = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
    secret.write(jwk.d, 0, 'base64url')
    secret.write(jwk.x, 32, 'base64url')
    secretKeys.set(privateKey, secret)
  }
  return secret
}

/**
 * The Ed25519 signature of `message` with a key in libsodium's form (the same bytes as node:crypto's
 * `sign(null, message, privateKey)`). Throws for a secret key that is not 64 bytes.
 */
export function signEd25519(message: Buffer, secretKey: Buffer): Buffer {
  const signature = Buffer.allocUnsafe(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, message, secretKey)
  return signature
}
