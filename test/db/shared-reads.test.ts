import t from 'tap'
import { sharedRead } from '../../src/db/shared-reads.js'

// Concurrent reads of one key share the read in flight; nothing outlives it.

/** A read that settles when told to, counting how often it was started. */
function controlledRead<T>() {
  let started = 0
  let settle: { resolve(v: T): void; reject(e: unknown): void } | undefined
  const read = () => {
    started++
    return new Promise<T>((resolve, reject) => (settle = { resolve, reject }))
  }
  return { read, started: () => started, resolve: (v: T) => settle!.resolve(v), reject: (e: unknown) => settle!.reject(e) }
}

t.test('callers while a read runs get its answer; a caller after it settles reads again', async (t) => {
  const db = {}
  const r = controlledRead<{ n: number }>()
  const callers = Array.from({ length: 10 }, () => sharedRead(db, 'event:a', r.read))
  t.equal(r.started(), 1, 'ten concurrent callers, one read')
  r.resolve({ n: 1 })
  const answers = await Promise.all(callers)
  t.ok(answers.every((a) => a === answers[0] && a.n === 1), 'all got the one answer')
  t.ok(Object.isFrozen(answers[0]), 'frozen: no caller can change what the others see')
  t.throws(() => {
    ;(answers[0] as { n: number }).n = 2
  }, TypeError)

  const later = sharedRead(db, 'event:a', r.read)
  t.equal(r.started(), 2, 'after it settled, the next caller starts a new read')
  r.resolve({ n: 3 })
  t.equal((await later).n, 3, 'and gets the new answer')
})

t.test('keys and databases are apart', async (t) => {
  const one = {}
  const other = {}
  const r = controlledRead<{ k: string }>()
  const a = sharedRead(one, 'event:a', r.read)
  const b = sharedRead(one, 'event:b', r.read)
  const c = sharedRead(other, 'event:a', r.read)
  t.equal(r.started(), 3, 'another key or another database is another read')
  r.resolve({ k: 'last' })
  t.equal((await c).k, 'last')
  void a
  void b
})

t.test('a failed read fails its callers and is forgotten', async (t) => {
  const db = {}
  const r = controlledRead<{ n: number }>()
  const first = sharedRead(db, 'k', r.read)
  const second = sharedRead(db, 'k', r.read)
  r.reject(new Error('connection lost'))
  await t.rejects(first, /connection lost/)
  await t.rejects(second, /connection lost/)
  const retry = sharedRead(db, 'k', r.read)
  t.equal(r.started(), 2, 'the next caller tries again')
  r.resolve({ n: 1 })
  t.equal((await retry).n, 1)
})

t.test('a missing row is shared as undefined', async (t) => {
  const db = {}
  const r = controlledRead<undefined>()
  const both = [sharedRead(db, 'k', r.read), sharedRead(db, 'k', r.read)]
  r.resolve(undefined)
  t.same(await Promise.all(both), [undefined, undefined])
  t.equal(r.started(), 1)
})
