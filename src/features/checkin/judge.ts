import type { ScanDirection, ScanReason } from '../../db/schema.js'

/** What the door knows about a ticket at the moment of a scan (visitor tickets and exhibitor passes alike). */
export interface TicketAtDoor {
  eventId: string
  /** revoked at or before the moment of the scan */
  revoked: boolean
  /** counted inside at the moment of the scan */
  inside: boolean
}

export interface ScanToJudge {
  /** the event whose door this is */
  eventId: string
  direction: ScanDirection
  /**
   * The event whose key signed the code, or, for a ticket picked by staff from the door search, the door's event.
   * Null when the code's format or signature is wrong.
   */
  signedFor: string | null
}

export type Verdict = { status: 'ok' } | { status: 'rejected'; reason: ScanReason }

const rejected = (reason: ScanReason): Verdict => ({ status: 'rejected', reason })

/**
 * The door's decision, checks in the contract's order: the first that fails names the reason. `ticket` is null
 * when no ticket has the signed id. Pure: the caller reads the state and writes the result, and makes the write
 * conditional on the state it judged (see checkins.service.ts).
 *
 * One deliberate exception to the order: a revoked ticket that is inside may still leave. Its holder walks out
 * whatever the screen says, and a head count that kept them inside would be wrong for the rest of the day.
 */
export function judgeScan(ticket: TicketAtDoor | null, scan: ScanToJudge): Verdict {
  if (scan.signedFor === null) return rejected('invalid_code')
  if (ticket === null) return rejected('unknown_ticket')
  if (scan.signedFor !== scan.eventId || ticket.eventId !== scan.eventId) return rejected('wrong_event')
  const leaving = scan.direction === 'exit' && ticket.inside
  if (ticket.revoked && !leaving) return rejected('revoked')
  if (scan.direction === 'entry' && ticket.inside) return rejected('already_checked_in')
  if (scan.direction === 'exit' && !ticket.inside) return rejected('not_checked_in')
  return { status: 'ok' }
}

/** Stands for any event but the door's in the states below. */
const ANOTHER_EVENT = 'another event'

/**
 * The states of a ticket in which the judge admits `scan`, as a bit set over the eight states the judge tells
 * apart: bit 4·(of another event) + 2·(revoked) + 1·(inside). The online scan is one statement that reads the
 * ticket and applies the scan in the same round trip, so it cannot ask judgeScan in between: it is handed this set
 * and applies the scan only when the state it read is in it (checkins.service.ts maps a row to its bit). The rule
 * is written once, here; the SQL restates none of it. A missing ticket has no row, so nothing is applied.
 */
export function admittedStates(scan: ScanToJudge): number {
  let admitted = 0
  for (let state = 0; state < 8; state++) {
    const ticket = { eventId: state & 4 ? ANOTHER_EVENT : scan.eventId, revoked: (state & 2) !== 0, inside: (state & 1) !== 0 }
    if (judgeScan(ticket, scan).status === 'ok') admitted |= 1 << state
  }
  return admitted
}

/** An accepted scan already recorded for a ticket: a fact that later placements do not change. */
export interface AcceptedScan {
  direction: ScanDirection
  people: number
  at: Date
  gate: string | null
}

/** A scan to place on a ticket's timeline, in `at` order (ties: in the order given). */
export interface ScanOnTimeline extends ScanToJudge {
  at: Date
  gate: string | null
}

export interface TimelineTicket {
  eventId: string
  admits: number
  revokedAt: Date | null
}

export interface Placed {
  verdict: Verdict
  /** people this scan moves: the ticket's admits on entry, the people counted in on exit; 0 when rejected */
  people: number
  /** the accepted scan before it on the timeline */
  previous: { at: Date; gate: string | null } | null
}

/**
 * Judges scans that arrive late (an offline device's batch, in the order they were scanned) where they belong:
 * among the ticket's accepted scans by time, each judged against the state at its moment, revoked only if revoked
 * by then. Accepted scans already recorded stay as they are, so the scans placed between two of them must leave
 * the ticket as they found it: an exit and a re-entry made offline at 10:00 and 10:05 between an entry at 9:00 and
 * an exit at 11:00 recorded online are both accepted. Where an odd number would be accepted (an entry offline at
 * 10:00 before an entry recorded online at 10:05: the same ticket used twice), the last of them is refused as the
 * next recorded scan would refuse it (`already_checked_in` / `not_checked_in`), and those between are judged
 * again without it. So accepted scans always alternate entry, exit, entry…, and a ticket's state is that at the
 * end of its timeline. `scans` must be sorted by `at`.
 */
export function placeOnTimeline(ticket: TimelineTicket | null, accepted: AcceptedScan[], scans: ScanOnTimeline[]) {
  let inside = false
  let insidePeople = 0
  let last = null as Placed['previous']
  const apply = (scan: AcceptedScan) => {
    inside = scan.direction === 'entry'
    insidePeople = inside ? scan.people : 0
    last = { at: scan.at, gate: scan.gate }
  }
  const placed: Placed[] = []
  let next = 0
  let first = 0
  while (first < scans.length) {
    // What was recorded at the same moment counts as earlier.
    while (next < accepted.length && accepted[next].at <= scans[first].at) apply(accepted[next++])
    const bound = accepted[next]
    let end = first
    while (end < scans.length && (!bound || scans[end].at < bound.at)) end++
    // scans[first..end) lie between two recorded scans (or after the last): judged until they fit.
    const refused = new Set<number>()
    const start: { inside: boolean; insidePeople: number; last: Placed['previous'] } = { inside, insidePeople, last }
    for (;;) {
      ;({ inside, insidePeople, last } = start)
      const acceptedHere: number[] = []
      for (let i = first; i < end; i++) {
        const scan = scans[i]
        if (refused.has(i)) {
          placed[i] = { verdict: rejected(scan.direction === 'entry' ? 'already_checked_in' : 'not_checked_in'), people: 0, previous: { at: bound.at, gate: bound.gate } }
          continue
        }
        const atDoor = ticket && { eventId: ticket.eventId, inside, revoked: ticket.revokedAt !== null && ticket.revokedAt <= scan.at }
        const verdict = judgeScan(atDoor, scan)
        const people = verdict.status === 'rejected' || !ticket ? 0 : scan.direction === 'entry' ? ticket.admits : insidePeople
        placed[i] = { verdict, people, previous: last }
        if (verdict.status === 'ok') {
          apply({ direction: scan.direction, people, at: scan.at, gate: scan.gate })
          acceptedHere.push(i)
        }
      }
      if (!bound || acceptedHere.length % 2 === 0) break
      refused.add(acceptedHere[acceptedHere.length - 1])
    }
    first = end
  }
  while (next < accepted.length) apply(accepted[next++])
  return { placed, final: { inside, insidePeople, last } }
}
