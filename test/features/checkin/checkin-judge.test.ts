import t from 'tap'
import { admittedStates, judgeScan, placeOnTimeline, type AcceptedScan, type ScanOnTimeline, type TicketAtDoor } from '../../../src/features/checkin/judge.js'
import type { ScanDirection, ScanReason } from '../../../src/db/schema.js'

// The door's decisions as pure functions: the whole decision table of judgeScan, and where late scans land on a
// ticket's timeline. The HTTP tests (checkin*.test.ts) check that the service reads and writes what these decide.

const HERE = 'event-here'
const THERE = 'event-there'

t.test('judgeScan: every combination, in the contract order', async (t) => {
  // The expected reason, written out as the contract orders the checks.
  function expected(signedFor: string | null, ticket: TicketAtDoor | null, direction: ScanDirection): ScanReason | 'ok' {
    if (signedFor === null) return 'invalid_code'
    if (ticket === null) return 'unknown_ticket'
    if (signedFor !== HERE || ticket.eventId !== HERE) return 'wrong_event'
    if (ticket.revoked && !(direction === 'exit' && ticket.inside)) return 'revoked'
    if (direction === 'entry' && ticket.inside) return 'already_checked_in'
    if (direction === 'exit' && !ticket.inside) return 'not_checked_in'
    return 'ok'
  }
  const tickets: (TicketAtDoor | null)[] = [null]
  for (const eventId of [HERE, THERE]) for (const revoked of [false, true]) for (const inside of [false, true]) tickets.push({ eventId, revoked, inside })
  let cases = 0
  const seen = new Set<string>()
  for (const signedFor of [null, HERE, THERE]) {
    for (const ticket of tickets) {
      for (const direction of ['entry', 'exit'] as const) {
        const verdict = judgeScan(ticket, { eventId: HERE, direction, signedFor })
        const want = expected(signedFor, ticket, direction)
        const got = verdict.status === 'ok' ? 'ok' : verdict.reason
        t.equal(got, want, `signed for ${signedFor}, ticket ${JSON.stringify(ticket)}, ${direction}`)
        seen.add(got)
        cases++
      }
    }
  }
  t.equal(cases, 54)
  t.same([...seen].sort(), ['already_checked_in', 'invalid_code', 'not_checked_in', 'ok', 'revoked', 'unknown_ticket', 'wrong_event'], 'every outcome occurs')
})

t.test('judgeScan: the rows that matter, spelled out', async (t) => {
  const valid = { eventId: HERE, revoked: false, inside: false }
  const scan = (direction: ScanDirection, signedFor: string | null = HERE) => ({ eventId: HERE, direction, signedFor })
  t.same(judgeScan(valid, scan('entry')), { status: 'ok' }, 'a valid ticket enters')
  t.same(judgeScan({ ...valid, inside: true }, scan('exit')), { status: 'ok' }, 'and leaves')
  t.same(judgeScan({ ...valid, inside: true }, scan('entry')), { status: 'rejected', reason: 'already_checked_in' })
  t.same(judgeScan(valid, scan('exit')), { status: 'rejected', reason: 'not_checked_in' })
  t.same(judgeScan({ ...valid, revoked: true }, scan('entry')), { status: 'rejected', reason: 'revoked' })
  t.same(judgeScan({ ...valid, revoked: true, inside: true }, scan('entry')), { status: 'rejected', reason: 'revoked' }, 'revoked before already_checked_in')
  t.same(judgeScan({ ...valid, revoked: true, inside: true }, scan('exit')), { status: 'ok' }, 'a revoked ticket inside may leave')
  t.same(judgeScan({ ...valid, revoked: true }, scan('exit')), { status: 'rejected', reason: 'revoked' }, 'revoked before not_checked_in')
  t.same(judgeScan({ ...valid, eventId: THERE, revoked: true }, scan('entry', THERE)), { status: 'rejected', reason: 'wrong_event' }, 'wrong_event before revoked')
  t.same(judgeScan(valid, scan('entry', THERE)), { status: 'rejected', reason: 'wrong_event' }, "signed with another event's key")
  t.same(judgeScan(null, scan('entry', THERE)), { status: 'rejected', reason: 'unknown_ticket' }, 'unknown_ticket before wrong_event')
  t.same(judgeScan(valid, scan('entry', null)), { status: 'rejected', reason: 'invalid_code' }, 'invalid_code first')
})

t.test('admittedStates: the states an online scan may be applied in (the SQL maps a row to one of these bits)', async (t) => {
  // bit 4·(of another event) + 2·(revoked) + 1·(inside), written out by hand
  const OURS_OUT = 1 << 0
  const OURS_INSIDE = 1 << 1
  const OURS_REVOKED_INSIDE = 1 << 3
  t.equal(admittedStates({ eventId: HERE, direction: 'entry', signedFor: HERE }), OURS_OUT, 'an entry: our ticket, outside, not revoked')
  t.equal(admittedStates({ eventId: HERE, direction: 'exit', signedFor: HERE }), OURS_INSIDE | OURS_REVOKED_INSIDE, 'an exit: our ticket inside, revoked or not')
  t.equal(admittedStates({ eventId: HERE, direction: 'entry', signedFor: THERE }), 0, 'signed for another event: never')
  t.equal(admittedStates({ eventId: HERE, direction: 'exit', signedFor: null }), 0, 'an invalid code: never')
})

t.test('placeOnTimeline', async (t) => {
  const ticket = { eventId: HERE, admits: 2, revokedAt: null }
  const at = (hhmm: string) => new Date(`2027-03-20T${hhmm}:00.000Z`)
  const fact = (direction: ScanDirection, hhmm: string, people = 2, gate: string | null = 'online'): AcceptedScan => ({ direction, people, at: at(hhmm), gate })
  const scan = (direction: ScanDirection, hhmm: string): ScanOnTimeline => ({ eventId: HERE, direction, signedFor: HERE, at: at(hhmm), gate: 'offline' })
  const outcomes = (r: ReturnType<typeof placeOnTimeline>) => r.placed.map((p) => (p.verdict.status === 'ok' ? 'ok' : p.verdict.reason))

  t.test('no history: like judging one after the other', async (t) => {
    const r = placeOnTimeline(ticket, [], [scan('entry', '09:00'), scan('entry', '09:05'), scan('exit', '09:10'), scan('exit', '09:20'), scan('entry', '09:30')])
    t.same(outcomes(r), ['ok', 'already_checked_in', 'ok', 'not_checked_in', 'ok'])
    t.same(r.placed.map((p) => p.people), [2, 0, 2, 0, 2])
    t.same(r.final, { inside: true, insidePeople: 2, last: { at: at('09:30'), gate: 'offline' } })
    t.same(r.placed[1].previous, { at: at('09:00'), gate: 'offline' }, 'previous: the accepted entry before it')
  })

  t.test('an offline exit and re-entry between an online entry and an online exit', async (t) => {
    const r = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '11:00')], [scan('exit', '10:00'), scan('entry', '10:05')])
    t.same(outcomes(r), ['ok', 'ok'], 'both accepted where they belong')
    t.same(r.final.inside, false, 'the ticket ends outside: the online exit came last')
    t.same(r.final.last, { at: at('11:00'), gate: 'online' })
    t.same(r.placed[0].previous, { at: at('09:00'), gate: 'online' })
    t.same(r.placed[1].previous, { at: at('10:00'), gate: 'offline' })
  })

  t.test('an offline entry before an online exit that was accepted', async (t) => {
    // entry 09:00 online, exit 10:00 offline (uploaded later), entry 10:30 offline, exit 12:00 online
    const r = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '12:00')], [scan('entry', '10:30'), scan('exit', '10:00')].sort((a, b) => a.at.getTime() - b.at.getTime()))
    t.same(outcomes(r), ['ok', 'ok'])
    t.equal(r.final.inside, false)
  })

  t.test('a late entry while the ticket was inside is a duplicate', async (t) => {
    const r = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '11:00')], [scan('entry', '10:00')])
    t.same(outcomes(r), ['already_checked_in'])
    t.same(r.placed[0].previous, { at: at('09:00'), gate: 'online' })
    t.equal(r.final.inside, false)
  })

  t.test('between two recorded scans, an odd number cannot all be accepted', async (t) => {
    // An offline entry at 10:00 before an entry recorded online at 10:05: one ticket, two people.
    const twice = placeOnTimeline(ticket, [fact('entry', '10:05')], [scan('entry', '10:00')])
    t.same(outcomes(twice), ['already_checked_in'], 'refused as the recorded entry would refuse it')
    t.same(twice.placed[0].previous, { at: at('10:05'), gate: 'online' }, 'previous: the recorded entry')
    t.equal(twice.final.inside, true)
    // An offline exit at 10:00 between an entry at 9:00 and an exit at 11:00, without the re-entry.
    const lone = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '11:00')], [scan('exit', '10:00')])
    t.same(outcomes(lone), ['not_checked_in'])
    // Three between: the last refused, the other two fit.
    const three = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '11:00')], [scan('exit', '10:00'), scan('entry', '10:05'), scan('exit', '10:30')])
    t.same(outcomes(three), ['ok', 'ok', 'not_checked_in'])
    // Refusing one changes how the others are judged: both entries end refused.
    const again = placeOnTimeline(ticket, [fact('entry', '10:05')], [scan('entry', '09:00'), scan('entry', '09:30')])
    t.same(outcomes(again), ['already_checked_in', 'already_checked_in'])
    t.same(again.placed.map((p) => p.people), [0, 0])
    // After the last recorded scan there is nothing to fit: judged as they come.
    const open = placeOnTimeline(ticket, [fact('entry', '09:00'), fact('exit', '10:00')], [scan('entry', '10:30')])
    t.same(outcomes(open), ['ok'])
    t.equal(open.final.inside, true)
  })

  t.test('scans after every recorded one continue from the current state', async (t) => {
    const r = placeOnTimeline(ticket, [fact('entry', '09:00', 3)], [scan('exit', '09:30'), scan('exit', '09:40')])
    t.same(outcomes(r), ['ok', 'not_checked_in'])
    t.same(r.placed[0].people, 3, 'an exit takes out the people its entry brought in')
  })

  t.test('recorded at the same moment counts as earlier', async (t) => {
    const r = placeOnTimeline(ticket, [fact('entry', '09:00')], [scan('entry', '09:00')])
    t.same(outcomes(r), ['already_checked_in'])
  })

  t.test('revoked only from the moment it was revoked', async (t) => {
    const revoked = { ...ticket, revokedAt: at('10:00') }
    const r = placeOnTimeline(revoked, [], [scan('entry', '09:00'), scan('exit', '09:30'), scan('entry', '10:30')])
    t.same(outcomes(r), ['ok', 'ok', 'revoked'], 'offline scans made before the revocation stand')
  })

  t.test('unknown tickets and other events', async (t) => {
    t.same(outcomes(placeOnTimeline(null, [], [scan('entry', '09:00')])), ['unknown_ticket'])
    t.same(outcomes(placeOnTimeline({ ...ticket, eventId: THERE }, [], [scan('entry', '09:00')])), ['wrong_event'])
    t.same(placeOnTimeline(null, [], [scan('entry', '09:00')]).placed[0].people, 0)
  })
})
