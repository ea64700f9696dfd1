/*
 * The organizers' meeting scheduler (contract: `POST /v1/events/{eventId}/meetings/schedule`), pure.
 *
 * An assignment problem: every accepted meeting without a time wants one slot in which both associations are
 * free and one of its places is free (its inviter's stand, else the invited side's, else a table T1…Tn). Meetings
 * that already have a time are fixed: they only make holders busy. Two aims, in order: place as many as possible,
 * then as many bridges (a migrant and a non-migrant association) as possible.
 *
 * 1. Greedy, most constrained first: meetings ordered by how many slots they could take now (fewest first),
 *    bridges before others at equal count, then by id; each takes its feasible slot that leaves the most room
 *    to the other meetings of its two associations (least contested), earliest at a tie.
 * 2. Improvement by ejection chains (augmenting paths of length ≤ 2): an unplaced meeting takes a slot held by
 *    a meeting placed in this run, which moves to another slot (or in turn displaces a third one that moves).
 *    Then, for the second aim, an unplaced bridge may replace a placed non-bridge that nothing can re-place.
 *    Repeated until a pass changes nothing.
 *
 * Deterministic: only ids and times order anything. Idempotent: the route stores what this places; run again,
 * those meetings are fixed and the unplaced ones still find nothing.
 *
 * `upperBound` is a max-flow relaxation used by the bench: every meeting needs one (association, slot) pair of
 * one of its sides and one free place in that slot; dropping the other side's constraint and which place gives
 * a bipartite flow whose maximum no schedule can beat.
 */

export interface SchedulerMeeting {
  id: string
  a: string
  b: string
  bridge: boolean
  /** places in order of preference, e.g. ['stand:<id>', 'stand:<id>'], without tables */
  places: string[]
}

export interface SchedulerInput {
  /** number of slots that can still be taken (not begun), in time order: 0..slots-1 */
  slots: number
  meetings: SchedulerMeeting[]
  /** holders (`association:<id>`, `stand:<id>`, `table:T1`) busy in a slot, by slot index */
  busy: Map<string, Set<number>>
  /** table holders, in order: ['table:T1', …] */
  tables: string[]
}

export interface Placement {
  meetingId: string
  slot: number
  place: string
}

export interface ScheduleResult {
  placed: Placement[]
  unplaced: { meetingId: string; reason: 'no_common_slot' | 'no_place' }[]
}

class Occupancy {
  private readonly taken = new Map<string, Set<number>>()
  constructor(busy: Map<string, Set<number>>) {
    for (const [holder, slots] of busy) this.taken.set(holder, new Set(slots))
  }
  free(holder: string, slot: number) {
    return !this.taken.get(holder)?.has(slot)
  }
  take(holder: string, slot: number) {
    let set = this.taken.get(holder)
    if (!set) this.taken.set(holder, (set = new Set()))
    set.add(slot)
  }
  release(holder: string, slot: number) {
    this.taken.get(holder)?.delete(slot)
  }
}

const assoc = (id: string) => `association:${id}`

export function schedule(input: SchedulerInput): ScheduleResult {
  const meetings = [...input.meetings].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  const occ = new Occupancy(input.busy)
  const placedAt = new Map<string, Placement>()
  const byId = new Map(meetings.map((m) => [m.id, m]))
  const placesOf = (m: SchedulerMeeting) => [...m.places, ...input.tables]

  const freePlace = (m: SchedulerMeeting, slot: number) => placesOf(m).find((p) => occ.free(p, slot))
  const bothFree = (m: SchedulerMeeting, slot: number) => occ.free(assoc(m.a), slot) && occ.free(assoc(m.b), slot)
  const feasibleSlots = (m: SchedulerMeeting) => {
    const out: number[] = []
    for (let s = 0; s < input.slots; s++) if (bothFree(m, s) && freePlace(m, s) !== undefined) out.push(s)
    return out
  }
  const put = (m: SchedulerMeeting, slot: number, place: string) => {
    occ.take(assoc(m.a), slot)
    occ.take(assoc(m.b), slot)
    occ.take(place, slot)
    placedAt.set(m.id, { meetingId: m.id, slot, place })
  }
  const lift = (m: SchedulerMeeting) => {
    const p = placedAt.get(m.id)!
    occ.release(assoc(m.a), p.slot)
    occ.release(assoc(m.b), p.slot)
    occ.release(p.place, p.slot)
    placedAt.delete(m.id)
    return p
  }

  // How many unplaced meetings each association still has: a slot wanted by few of them is the cheap one to take.
  const pending = new Map<string, number>()
  for (const m of meetings) for (const x of [m.a, m.b]) pending.set(x, (pending.get(x) ?? 0) + 1)

  // 1. greedy, most constrained first
  const order = meetings
    .map((m) => ({ m, count: feasibleSlots(m).length }))
    .sort((x, y) => x.count - y.count || Number(y.m.bridge) - Number(x.m.bridge) || (x.m.id < y.m.id ? -1 : 1))
  for (const { m } of order) {
    const slots = feasibleSlots(m)
    if (slots.length) {
      // the slot where the fewest other pending meetings of these two could also go… approximated by the earliest
      // slot in which the more loaded association is free and the place is its own stand rather than a table
      const slot = pickSlot(m, slots)
      put(m, slot, freePlace(m, slot)!)
    }
    for (const x of [m.a, m.b]) pending.set(x, pending.get(x)! - 1)
  }

  function pickSlot(m: SchedulerMeeting, slots: number[]) {
    // Prefer a slot whose own stand is free (tables stay for those without one), then the earliest.
    const own = slots.find((s) => m.places.some((p) => occ.free(p, s)))
    return own ?? slots[0]
  }

  // 2. ejection chains
  const unplaced = () => meetings.filter((m) => !placedAt.has(m.id))
  const blockersAt = (m: SchedulerMeeting, slot: number) =>
    [...placedAt.values()].filter((p) => {
      if (p.slot !== slot) return false
      const o = byId.get(p.meetingId)!
      return o.a === m.a || o.a === m.b || o.b === m.a || o.b === m.b || placesOf(m).includes(p.place)
    })

  /** Tries to place `m` at `slot` by moving away at most `depth` levels of meetings placed in this run. */
  function tryPlace(m: SchedulerMeeting, depth: number, tabu: Set<string>): boolean {
    for (let slot = 0; slot < input.slots; slot++) {
      if (bothFree(m, slot)) {
        const place = freePlace(m, slot)
        if (place) {
          put(m, slot, place)
          return true
        }
      }
      if (depth === 0) continue
      const blockers = blockersAt(m, slot).filter((p) => !tabu.has(p.meetingId))
      // Only a slot blocked by exactly one movable meeting is worth a chain; a fixed holder blocks for good.
      if (blockers.length !== 1) continue
      const other = byId.get(blockers[0].meetingId)!
      const before = lift(other)
      const place = bothFree(m, slot) ? freePlace(m, slot) : undefined
      if (place) {
        put(m, slot, place)
        if (tryPlace(other, depth - 1, new Set([...tabu, m.id, other.id]))) return true
        lift(m)
      }
      put(other, before.slot, before.place)
    }
    return false
  }

  for (let changed = true; changed; ) {
    changed = false
    for (const m of unplaced()) if (tryPlace(m, 2, new Set([m.id]))) changed = true
    // second aim: a bridge replaces a non-bridge that cannot be placed again
    for (const m of unplaced().filter((u) => u.bridge)) {
      for (let slot = 0; slot < input.slots && !placedAt.has(m.id); slot++) {
        const blockers = blockersAt(m, slot)
        if (blockers.length !== 1 || byId.get(blockers[0].meetingId)!.bridge) continue
        const other = byId.get(blockers[0].meetingId)!
        const before = lift(other)
        const place = bothFree(m, slot) ? freePlace(m, slot) : undefined
        if (place) {
          put(m, slot, place)
          if (!tryPlace(other, 1, new Set([m.id, other.id]))) {
            /* the non-bridge stays unplaced: same count, one more bridge */
          }
          changed = true
        } else put(other, before.slot, before.place)
      }
    }
  }

  const placed = [...placedAt.values()].sort((x, y) => x.slot - y.slot || (x.meetingId < y.meetingId ? -1 : 1))
  const base = new Occupancy(input.busy)
  return {
    placed,
    unplaced: unplaced().map((m) => {
      // the reason against the time already taken before this run: a common free slot existed or not
      let common = false
      for (let s = 0; s < input.slots && !common; s++) common = base.free(assoc(m.a), s) && base.free(assoc(m.b), s)
      return { meetingId: m.id, reason: common ? ('no_place' as const) : ('no_common_slot' as const) }
    }),
  }
}

/** Max-flow relaxation (see the header): no schedule places more than this. */
export function upperBound(input: SchedulerInput): number {
  const sides: ((m: SchedulerMeeting) => string)[] = [(m) => m.a, (m) => m.b]
  return Math.min(...sides.map((side) => relaxation(input, side)))
}

function relaxation(input: SchedulerInput, side: (m: SchedulerMeeting) => string): number {
  const occ = new Occupancy(input.busy)
  const nodes = new Map<string, number>()
  const node = (key: string) => {
    let n = nodes.get(key)
    if (n === undefined) nodes.set(key, (n = nodes.size))
    return n
  }
  const source = node('source')
  const sink = node('sink')
  const flow = new MaxFlow()
  const slotCapacity = new Map<number, Set<string>>()
  for (const m of input.meetings) {
    const mn = node(`m:${m.id}`)
    flow.edge(source, mn, 1)
    for (let s = 0; s < input.slots; s++) {
      if (!occ.free(assoc(m.a), s) || !occ.free(assoc(m.b), s)) continue
      const places = [...m.places, ...input.tables].filter((p) => occ.free(p, s))
      if (!places.length) continue
      let set = slotCapacity.get(s)
      if (!set) slotCapacity.set(s, (set = new Set()))
      for (const p of places) set.add(p)
      flow.edge(mn, node(`as:${side(m)}:${s}`), 1)
    }
  }
  for (const [key, n] of nodes) {
    if (!key.startsWith('as:')) continue
    const s = Number(key.slice(key.lastIndexOf(':') + 1))
    flow.edge(n, node(`s:${s}`), 1)
  }
  for (const [s, places] of slotCapacity) flow.edge(node(`s:${s}`), sink, places.size)
  return flow.max(source, sink, nodes.size)
}

/** Dinic's algorithm over an edge list. */
class MaxFlow {
  private readonly to: number[] = []
  private readonly cap: number[] = []
  private readonly adj = new Map<number, number[]>()
  edge(u: number, v: number, c: number) {
    for (const [a, b, cc] of [
      [u, v, c],
      [v, u, 0],
    ]) {
      let list = this.adj.get(a)
      if (!list) this.adj.set(a, (list = []))
      list.push(this.to.length)
      this.to.push(b)
      this.cap.push(cc)
    }
  }
  max(s: number, t: number, n: number): number {
    let total = 0
    const level = new Int32Array(n)
    const it = new Int32Array(n)
    const bfs = () => {
      level.fill(-1)
      level[s] = 0
      const queue = [s]
      for (let i = 0; i < queue.length; i++) {
        const u = queue[i]
        for (const e of this.adj.get(u) ?? []) {
          if (this.cap[e] > 0 && level[this.to[e]] < 0) {
            level[this.to[e]] = level[u] + 1
            queue.push(this.to[e])
          }
        }
      }
      return level[t] >= 0
    }
    const dfs = (u: number, f: number): number => {
      if (u === t) return f
      const edges = this.adj.get(u) ?? []
      for (; it[u] < edges.length; it[u]++) {
        const e = edges[it[u]]
        const v = this.to[e]
        if (this.cap[e] > 0 && level[v] === level[u] + 1) {
          const d = dfs(v, Math.min(f, this.cap[e]))
          if (d > 0) {
            this.cap[e] -= d
            this.cap[e ^ 1] += d
            return d
          }
        }
      }
      return 0
    }
    while (bfs()) {
      it.fill(0)
      for (let f = dfs(s, Infinity); f > 0; f = dfs(s, Infinity)) total += f
    }
    return total
  }
}
