import { CODE_BYTES, PAYLOAD_BYTES, type ParsedCode } from '../tickets/ticket-codes.js'

const SLOT_BYTES = CODE_BYTES

/**
 * Codes whose signature a known key refused, remembered so that a phone stuck on one fake QR, or a forgery sent
 * again, costs a lookup instead of a signature. Oldest forgotten first, at `capacity`. The codes are kept as their
 * bytes in one buffer allocated up front (a ring of slots), found through a map from a 32-bit fingerprint to the
 * slot: strings in a Set were one heap object per code, each living through the young generation into the old one,
 * which under a flood of new forgeries showed as garbage-collector work on the event loop and its helper threads.
 * Two codes sharing a fingerprint only mean that the older is forgotten early (signed again if it comes back).
 */
export function refusedCodes(capacity: number) {
  const slots = Buffer.alloc(capacity * SLOT_BYTES)
  const fingerprints = new Int32Array(capacity)
  const slotOf = new Map<number, number>()
  let next = 0
  let filled = 0

  // Attacker-chosen bytes, so not trusted to be unique: a match is confirmed on all 86 bytes.
  const fingerprint = (code: ParsedCode) => code.signature.readInt32LE(0) ^ code.signature.readInt32LE(32) ^ code.payload.readInt32LE(0)

  function holds(slot: number, code: ParsedCode): boolean {
    const at = slot * SLOT_BYTES
    return code.payload.compare(slots, at, at + PAYLOAD_BYTES) === 0 && code.signature.compare(slots, at + PAYLOAD_BYTES, at + SLOT_BYTES) === 0
  }

  return {
    has(code: ParsedCode): boolean {
      const slot = slotOf.get(fingerprint(code))
      return slot !== undefined && holds(slot, code)
    },
    add(code: ParsedCode): void {
      const key = fingerprint(code)
      if (filled === capacity) {
        // Forget the oldest, unless its fingerprint was taken over by a newer code since.
        if (slotOf.get(fingerprints[next]) === next) slotOf.delete(fingerprints[next])
      } else filled++
      const at = next * SLOT_BYTES
      code.payload.copy(slots, at)
      code.signature.copy(slots, at + PAYLOAD_BYTES)
      fingerprints[next] = key
      slotOf.set(key, next)
      next = (next + 1) % capacity
    },
    get size(): number {
      return slotOf.size
    },
  }
}
