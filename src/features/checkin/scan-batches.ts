import { sql } from 'drizzle-orm'
import { rawRows, type Database } from '../../db/client.js'
import { pgError } from '../../db/errors.js'
import { GroupCommit, type Waiting } from '../../db/group-commit.js'
import { passAssociationName } from '../stands/pass-association.js'
import type { SignedCode } from './code-keys.js'
import type { Door } from './door-access.js'
import { admittedStates } from './judge.js'

/**
 * Online scans share commits (issue #14): concurrent scans of one event join a batch (db/group-commit.ts) that is
 * applied in one statement, so one WAL flush serves many doors instead of one each. The statement
 * - locks the batch's tickets in id order (`for update`: two batches, of this process or another, never deadlock,
 *   and each reads the ticket as the last commit left it);
 * - marks the scans whose nonce the device sent before (`replay`: they change nothing);
 * - accepts each scan whose ticket is in a state the judge admits (judge.ts's admittedStates, as one bit per
 *   state) and not dated before the ticket's last accepted scan, records it and moves one counter row by the
 *   batch's total.
 * What it does not accept (a rejection, a replay, a late scan) is answered by the caller from the state it
 * returns, as a scan alone would be. A batch holds one scan per ticket and per device nonce: a second one waits
 * for the next batch, where it sees the first one's outcome, as if it had come a moment later.
 */

/** What the batch saw and did for one scan. `ticket` is null for an id no ticket has. */
export interface BatchedScan {
  ticket: {
    id: string
    eventId: string
    kind: 'visitor' | 'exhibitor'
    holderName: string | null
    admits: number
    revokedAt: Date | null
    inside: boolean
    insidePeople: number
    acceptedScans: number
    lastAcceptedAt: Date | null
    lastAcceptedGate: string | null
    associationName: string | null
  } | null
  /** people moved in or out when accepted; null when not */
  acceptedPeople: number | null
  /** the device sent this nonce before: nothing was done */
  replay: boolean
  /** accepted: the event's counters right after this scan (in the batch's order); otherwise before the batch */
  occupancy: { inside: number; capacity: number }
}

interface Pending extends Waiting {
  door: Door
  signed: SignedCode
  entering: boolean
  at: Date
  nonce: string | null
  attempts: number
  resolve(result: BatchedScan): void
}

/** Largest batch; two in flight per event, so one can wait for its commit while the next is sent. */
const MAX_BATCH = 100
const IN_FLIGHT = 2
/** A batch that collided with another (a nonce both sent at once) runs again; each item at most this often. */
const MAX_ATTEMPTS = 5

/** Rows per event that the occupancy counters are split over; a read sums them, a batch adds to one at random. */
export const OCCUPANCY_SHARDS = 64

const batchers = new WeakMap<Database, GroupCommit<Pending>>()

/** Applies an online scan of a genuine code together with the other scans of its event that arrive meanwhile. */
export function scanTogether(db: Database, door: Door, signed: SignedCode, direction: 'entry' | 'exit', at: Date, nonce: string | null) {
  let batcher = batchers.get(db)
  if (!batcher) batchers.set(db, (batcher = new GroupCommit((eventId, items) => runBatch(db, eventId, items), { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT })))
  const queue = batcher
  return new Promise<BatchedScan>((resolve, reject) =>
    queue.push(door.eventId, { door, signed, entering: direction === 'entry', at, nonce, attempts: 0, resolve, reject }),
  )
}

const deviceNonce = (item: Pending) => item.nonce && `${item.door.scannerId ? `s:${item.door.scannerId}` : `a:${item.door.accountId}`}|${item.nonce}`

async function runBatch(db: Database, eventId: string, items: Pending[]): Promise<Pending[]> {
  const tickets = new Set<string>()
  const nonces = new Set<string>()
  const now: Pending[] = []
  const later: Pending[] = []
  for (const item of items) {
    const nonce = deviceNonce(item)
    if (tickets.has(item.signed.ticketId) || (nonce && nonces.has(nonce))) {
      later.push(item)
      continue
    }
    tickets.add(item.signed.ticketId)
    if (nonce) nonces.add(nonce)
    now.push(item)
  }
  let rows: StatementRow[]
  try {
    rows = await rawRows<StatementRow>(db, batchStatement(eventId, now))
  } catch (err) {
    // Another batch took one of these nonces first (the unique index waited for its commit, then refused), or two
    // statements met in an order the lock order does not cover: nothing of this batch was written; run it again,
    // where the taken nonce shows as a replay.
    const { code, constraint } = pgError(err)
    const collided = code === '40P01' || (code === '23505' && /^checkins_(scanner|account)_nonce_key$/.test(constraint ?? ''))
    if (!collided || now.some((item) => item.attempts >= MAX_ATTEMPTS)) throw err
    for (const item of now) item.attempts++
    return [...now, ...later]
  }
  settle(now, rows)
  return later
}

interface StatementRow {
  ord: string | number
  id: string | null
  event_id: string | null
  kind: 'visitor' | 'exhibitor' | null
  holder_name: string | null
  admits: number | null
  revoked_at: string | Date | null
  inside: boolean | null
  inside_people: number | null
  accepted_scans: number | null
  last_accepted_at: string | Date | null
  last_accepted_gate: string | null
  association_name: string | null
  replay: boolean
  accepted_people: number | null
  inside_before: number
  capacity: number
}

const asDate = (v: string | Date | null) => (v === null ? null : v instanceof Date ? v : new Date(v))

function settle(items: Pending[], rows: StatementRow[]) {
  let inside = rows[0]?.inside_before ?? 0
  for (const row of [...rows].sort((a, b) => Number(a.ord) - Number(b.ord))) {
    const item = items[Number(row.ord) - 1]
    const accepted = row.accepted_people
    if (accepted !== null) inside += item.entering ? accepted : -accepted
    item.resolve({
      ticket: row.id
        ? {
            id: row.id,
            eventId: row.event_id!,
            kind: row.kind!,
            holderName: row.holder_name,
            admits: row.admits!,
            revokedAt: asDate(row.revoked_at),
            inside: row.inside!,
            insidePeople: row.inside_people!,
            acceptedScans: row.accepted_scans!,
            lastAcceptedAt: asDate(row.last_accepted_at),
            lastAcceptedGate: row.last_accepted_gate,
            associationName: row.association_name,
          }
        : null,
      acceptedPeople: accepted,
      replay: row.replay,
      occupancy: { inside: accepted !== null ? inside : row.inside_before, capacity: row.capacity },
    })
  }
}

// The bit of admittedStates (judge.ts) for the ticket as locked: 4·(of another event) + 2·(revoked) + 1·(inside).
const stateBit = (eventId: string) => sql`((case when b.event_id = ${eventId}::uuid then 0 else 4 end)
  + (case when b.revoked_at is null then 0 else 2 end) + (case when b.was_inside then 1 else 0 end))`

/**
 * One statement for the batch: its scans as one array parameter per column (unnest), so the text is the same for
 * any batch size. Every part sees the snapshot the statement started with, except the locked tickets, which are
 * read as the last commit left them; the counters read are those before the batch.
 */
function batchStatement(eventId: string, items: Pending[]) {
  const column = <T>(pick: (item: Pending) => T) => sql.param(items.map(pick))
  const admitted = (item: Pending) => admittedStates({ eventId, direction: item.entering ? 'entry' : 'exit', signedFor: item.signed.eventId })
  const shard = Math.floor(Math.random() * OCCUPANCY_SHARDS)
  return sql`
    with input as (
      -- booleans and times travel as text: postgres.js has no array serializer for them
      select i.ticket_id, i.entering::boolean as entering, i.at::timestamptz as at, i.gate, i.scanner_id, i.account_id, i.nonce, i.admitted, i.ord
      from unnest(${column((i) => i.signed.ticketId)}::uuid[], ${column((i) => String(i.entering))}::text[],
                  ${column((i) => i.at.toISOString())}::text[], ${column((i) => i.door.gate)}::text[],
                  ${column((i) => i.door.scannerId)}::uuid[], ${column((i) => i.door.accountId)}::uuid[],
                  ${column((i) => i.nonce)}::text[], ${column(admitted)}::int[])
        with ordinality as i(ticket_id, entering, at, gate, scanner_id, account_id, nonce, admitted, ord)
    ),
    locked as (
      select id, event_id, kind, holder_name, admits, revoked_at, inside, inside_people, accepted_scans, last_accepted_at,
             last_accepted_gate, ${passAssociationName(sql`tickets.booking_id`)} as association_name
      from tickets where id in (select ticket_id from input) order by id for update
    ),
    b as (
      select i.*, l.id, l.event_id, l.kind, l.holder_name, l.admits, l.revoked_at, l.inside as was_inside, l.inside_people,
             l.accepted_scans, l.last_accepted_at, l.last_accepted_gate, l.association_name,
             coalesce(i.nonce is not null and case
               when i.scanner_id is not null then exists (select 1 from checkins c where c.scanner_id = i.scanner_id and c.nonce = i.nonce)
               else exists (select 1 from checkins c where c.event_id = ${eventId}::uuid and c.account_id = i.account_id
                                                        and c.nonce = i.nonce and c.scanner_id is null)
             end, false) as replay
      from input i left join locked l on l.id = i.ticket_id
    ),
    accepted as (
      update tickets t
      set inside = b.entering, inside_people = case when b.entering then t.admits else 0 end,
          accepted_scans = t.accepted_scans + 1, last_accepted_at = b.at, last_accepted_gate = b.gate
      from b
      where t.id = b.id and t.accepted_scans = b.accepted_scans and not b.replay
        and (b.admitted >> ${stateBit(eventId)}) & 1 = 1
        and (b.last_accepted_at is null or b.last_accepted_at <= b.at)
      returning b.ord, case when b.entering then t.admits else b.inside_people end as people
    ),
    logged as (
      insert into checkins (event_id, ticket_id, scanner_id, account_id, gate, direction, result, people, scanned_at, nonce, previous_at, previous_gate)
      select ${eventId}::uuid, b.id, b.scanner_id, b.account_id, b.gate, case when b.entering then 'entry' else 'exit' end, 'ok',
             a.people, b.at, b.nonce, b.last_accepted_at, b.last_accepted_gate
      from accepted a join b on b.ord = a.ord
      order by b.ord
      returning direction, people
    ),
    counted as (
      insert into occupancy_shards as o (event_id, shard, inside, entries, exits)
      select ${eventId}::uuid, ${shard}::smallint,
             sum(case when direction = 'entry' then people else -people end),
             sum(case when direction = 'entry' then people else 0 end),
             sum(case when direction = 'entry' then 0 else people end)
      from logged having count(*) > 0
      on conflict (event_id, shard) do update
      set inside = o.inside + excluded.inside, entries = o.entries + excluded.entries, exits = o.exits + excluded.exits
      returning shard
    )
    select b.ord, b.id, b.event_id, b.kind, b.holder_name, b.admits, b.revoked_at, b.was_inside as inside, b.inside_people,
           b.accepted_scans, b.last_accepted_at, b.last_accepted_gate, b.association_name, b.replay, a.people as accepted_people,
           (select coalesce(sum(inside), 0)::int from occupancy_shards where event_id = ${eventId}::uuid) as inside_before,
           (select visitor_capacity from events where id = ${eventId}::uuid) as capacity,
           (select count(*) from counted) as counted
    from b left join accepted a on a.ord = b.ord
    order by b.ord`
}
