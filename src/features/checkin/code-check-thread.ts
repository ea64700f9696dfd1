import { Worker } from 'node:worker_threads'
import { SIGNATURE_BYTES, SODIUM_NATIVE_PATH } from '../tickets/ed25519.js'
import { CODE_BYTES, CODE_VERSION, PAYLOAD_BYTES, isIssuedCode, type ParsedCode } from '../tickets/ticket-codes.js'

/** A check as sent to the thread: the key's number (4 bytes), then the code's bytes. */
const RECORD_BYTES = 4 + CODE_BYTES

/**
 * The thread's whole program (CommonJS, run with `eval`: no file to find in src/ or dist/, no loader to inherit).
 * Messages are a list of keys in libsodium's form (numbered in the order sent) or a batch: one buffer, moved rather
 * than copied, of records. It answers a batch, in order, with one byte per code: 1 if the code is the one the service
 * issued (its payload signed again with libsodium and compared in constant time, as isIssuedCode does).
 */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { timingSafeEqual } = require('node:crypto')
const sodium = require(${JSON.stringify(SODIUM_NATIVE_PATH)})
const keys = []
const message = Buffer.alloc(${CODE_VERSION.length + PAYLOAD_BYTES})
message.write(${JSON.stringify(CODE_VERSION)})
const expected = Buffer.alloc(${SIGNATURE_BYTES})
parentPort.on('message', (data) => {
  if (Array.isArray(data)) return keys.push(...data.map((key) => Buffer.from(key.buffer, key.byteOffset, key.byteLength)))
  const records = Buffer.from(data)
  const ok = new Uint8Array(records.length / ${RECORD_BYTES})
  for (let i = 0; i < ok.length; i++) {
    const at = i * ${RECORD_BYTES}
    records.copy(message, ${CODE_VERSION.length}, at + 4, at + ${4 + PAYLOAD_BYTES})
    sodium.crypto_sign_detached(expected, message, keys[records.readUInt32LE(at)])
    ok[i] = timingSafeEqual(expected, records.subarray(at + ${4 + PAYLOAD_BYTES}, at + ${RECORD_BYTES})) ? 1 : 0
  }
  parentPort.postMessage(ok.buffer, [ok.buffer])
})
`

interface Check {
  parsed: ParsedCode
  key: Buffer
  resolve(issued: boolean): void
  reject(err: unknown): void
}

/**
 * Checks codes on a thread of their own, so that the signature (~13 µs, the largest part of a forged code's cost)
 * runs on another core than the requests' event loop. One batch at a time: the checks of one turn of the event
 * loop go as one message, and those that come while the thread works go together when it answers. Every message
 * wakes a thread (a system call each way, the cost that showed next in the profile), so under load the batches
 * grow instead of the messages. If the thread fails or is gone, its open checks are done here, and the next batch
 * starts a new thread.
 */
export function codeCheckThread() {
  let worker: Worker | null = null
  let closed = false
  /** the keys the thread has, by their number there */
  let keyNumbers = new Map<Buffer, number>()
  /** the batch the thread is working on */
  let open: Check[] | null = null
  let queue: Check[] = []
  let flushing = false

  function checkHere(checks: Check[]) {
    for (const check of checks) {
      try {
        check.resolve(isIssuedCode(check.parsed, check.key))
      } catch (err) {
        check.reject(err) // a key that cannot sign: what the thread died of, if it died
      }
    }
  }

  function lost(thread: Worker) {
    if (worker !== thread) return
    worker = null
    keyNumbers = new Map()
    const stranded = open ?? []
    open = null
    checkHere(stranded)
    if (queue.length > 0) flushSoon()
  }

  function start(): Worker {
    const thread = new Worker(THREAD_SOURCE, { eval: true })
    thread.unref()
    thread.on('message', (answer: ArrayBuffer) => {
      const ok = new Uint8Array(answer)
      const checks = open ?? []
      open = null
      checks.forEach((check, i) => check.resolve(ok[i] === 1))
      if (queue.length > 0) flush()
    })
    thread.on('error', () => lost(thread))
    thread.on('exit', () => lost(thread))
    return thread
  }

  function flushSoon() {
    if (flushing) return
    flushing = true
    setImmediate(flush)
  }

  function flush() {
    flushing = false
    if (open || queue.length === 0) return
    const checks = queue
    queue = []
    if (closed) return checkHere(checks)
    const thread = (worker ??= start())
    const newKeys: Buffer[] = []
    const records = Buffer.alloc(checks.length * RECORD_BYTES)
    checks.forEach((check, i) => {
      let number = keyNumbers.get(check.key)
      if (number === undefined) {
        keyNumbers.set(check.key, (number = keyNumbers.size))
        newKeys.push(check.key)
      }
      records.writeUInt32LE(number, i * RECORD_BYTES)
      check.parsed.payload.copy(records, i * RECORD_BYTES + 4)
      check.parsed.signature.copy(records, i * RECORD_BYTES + 4 + PAYLOAD_BYTES)
    })
    if (newKeys.length > 0) thread.postMessage(newKeys)
    open = checks
    thread.postMessage(records.buffer, [records.buffer])
  }
  return {
    /** Is this the code the service issued with `key` (libsodium's form)? (isIssuedCode, on the thread.) */
    isIssued(parsed: ParsedCode, key: Buffer): Promise<boolean> {
      return new Promise((resolve, reject) => {
        queue.push({ parsed, key, resolve, reject })
        if (!open) flushSoon()
      })
    },
    /** Ends the thread; checks still open are done here. */
    async close(): Promise<void> {
      closed = true
      const thread = worker
      if (thread) {
        await thread.terminate()
        lost(thread)
      }
    },
  }
}

export type CodeCheckThread = ReturnType<typeof codeCheckThread>
