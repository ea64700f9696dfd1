import t from 'tap'
import fc from 'fast-check'
import { schedule, upperBound, type SchedulerInput } from '../../../src/features/meetings/scheduler.js'

/** Checks every rule of a schedule: one meeting per association, place and slot; fixed holders respected. */
function valid(input: SchedulerInput, result: ReturnType<typeof schedule>) {
  const used = new Set<string>()
  for (const [holder, slots] of input.busy) for (const s of slots) used.add(`${holder}@${s}`)
  for (const p of result.placed) {
    const m = input.meetings.find((x) => x.id === p.meetingId)!
    for (const h of [`association:${m.a}`, `association:${m.b}`, p.place]) {
      if (used.has(`${h}@${p.slot}`)) return false
      used.add(`${h}@${p.slot}`)
    }
    if (![...m.places, ...input.tables].includes(p.place)) return false
  }
  return result.placed.length + result.unplaced.length === input.meetings.length
}

const fair = (n: number, pairs: [number, number][], slots: number, tables: number, busy: [number, number][] = []): SchedulerInput => ({
  slots,
  tables: Array.from({ length: tables }, (_, i) => `table:T${i + 1}`),
  busy: new Map(busy.map(([a, s]) => [`association:a${a}`, new Set([s])])),
  meetings: pairs.map(([a, b], i) => ({ id: `m${String(i).padStart(3, '0')}`, a: `a${a}`, b: `a${b}`, bridge: (a + b) % 2 === 1, places: [`stand:${a}`, `stand:${b}`] })),
})

t.test('a triangle in two slots: two of three placed, and the bound says so', async (t) => {
  const input = fair(3, [[0, 1], [1, 2], [0, 2]], 2, 0)
  const result = schedule(input)
  t.ok(valid(input, result))
  t.equal(result.placed.length, 2)
  t.ok(upperBound(input) >= 2, 'a relaxation: never below what a schedule places')
})

t.test('busy time: no common slot is named', async (t) => {
  const input = fair(2, [[0, 1]], 2, 0, [[0, 0], [1, 1]])
  t.same(schedule(input).unplaced, [{ meetingId: 'm000', reason: 'no_common_slot' }])
})

t.test('the inviter’s stand first, then the other’s, then a table', async (t) => {
  const input = fair(2, [[0, 1]], 1, 1)
  t.equal(schedule(input).placed[0].place, 'stand:0')
  input.busy.set('stand:0', new Set([0]))
  t.equal(schedule(input).placed[0].place, 'stand:1')
  input.busy.set('stand:1', new Set([0]))
  t.equal(schedule(input).placed[0].place, 'table:T1')
  input.busy.set('table:T1', new Set([0]))
  t.same(schedule(input).unplaced, [{ meetingId: 'm000', reason: 'no_place' }])
})

t.test('when not all fit, bridges are preferred', async (t) => {
  // a0 meets a1 (bridge) and a2 (not a bridge) in one slot
  const input = fair(3, [[0, 2], [0, 1]], 1, 0)
  const result = schedule(input)
  t.same(result.placed.map((p) => p.meetingId), ['m001'])
})

t.test('property: valid, deterministic, never above the bound', async () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 20 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 2 }),
      (n, raw, slots, tables) => {
        const seen = new Set<string>()
        const pairs = raw
          .map(([a, b]) => [a % n, b % n] as [number, number])
          .filter(([a, b]) => a !== b && !seen.has(`${Math.min(a, b)}-${Math.max(a, b)}`) && seen.add(`${Math.min(a, b)}-${Math.max(a, b)}`))
        const input = fair(n, pairs, slots, tables)
        const result = schedule(input)
        return valid(input, result) && JSON.stringify(schedule(fair(n, pairs, slots, tables))) === JSON.stringify(result) && result.placed.length <= upperBound(input)
      },
    ),
    { numRuns: 200 },
  )
})
