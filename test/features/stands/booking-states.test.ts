import t from 'tap'
import {
  ACTION_ACTOR,
  ACTION_RESULT,
  allowedActions,
  BOOKING_ACTIONS,
  BOOKING_STATES,
  deleteAction,
  holdsStand,
  isFinal,
  isLive,
  LIVE_BOOKING_STATES,
  mayPerform,
  transition,
  type BookingAction,
  type BookingState,
} from '../../../src/features/stands/booking-states.js'

// The stand booking workflow, every state against every action, written out here independently of the module's
// table so that a change to either shows up as a failure.

const EXPECTED: Record<BookingState, Record<BookingAction, BookingState | null>> = {
  requested: { approve: 'approved', waitlist: 'waitlisted', reject: 'rejected', withdraw: 'withdrawn', cancel: 'cancelled' },
  waitlisted: { approve: 'approved', waitlist: null, reject: 'rejected', withdraw: 'withdrawn', cancel: 'cancelled' },
  approved: { approve: 'approved', waitlist: null, reject: null, withdraw: 'withdrawn', cancel: 'cancelled' },
  rejected: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
  withdrawn: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
  cancelled: { approve: null, waitlist: null, reject: null, withdraw: null, cancel: null },
}

t.test('the states and actions are the contract’s', async (t) => {
  t.same([...BOOKING_STATES], ['requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled'])
  t.same([...BOOKING_ACTIONS], ['approve', 'waitlist', 'reject', 'withdraw', 'cancel'])
  t.same([...LIVE_BOOKING_STATES], ['requested', 'approved', 'waitlisted'])
})

t.test('every state × every action', async (t) => {
  let allowed = 0
  let refused = 0
  for (const from of BOOKING_STATES) {
    for (const action of BOOKING_ACTIONS) {
      const want = EXPECTED[from][action]
      const result = transition(from, action)
      if (want === null) {
        refused++
        t.equal(result.ok, false, `${from} × ${action}: refused`)
        if (result.ok) continue
        t.equal(result.code, 'invalid_transition', `${from} × ${action}: the 409 code`)
        t.equal(result.from, from)
        t.equal(result.action, action)
        t.same(result.allowed, BOOKING_ACTIONS.filter((a) => EXPECTED[from][a] !== null), `${from} × ${action}: names what ${from} allows`)
      } else {
        allowed++
        t.same(result, { ok: true, from, action, to: want }, `${from} × ${action} → ${want}`)
      }
    }
  }
  t.equal(allowed, 12, '12 allowed')
  t.equal(refused, 18, '18 refused')
})

t.test('the refusal explains itself', async (t) => {
  const detail = (from: BookingState, action: BookingAction) => {
    const result = transition(from, action)
    return result.ok ? 'allowed' : result.detail
  }
  t.equal(detail('rejected', 'approve'), 'The booking is rejected, which is final; it cannot be approved.')
  t.equal(detail('withdrawn', 'withdraw'), 'The booking is withdrawn, which is final; it cannot be withdrawn.')
  t.equal(detail('cancelled', 'cancel'), 'The booking is cancelled, which is final; it cannot be cancelled.')
  t.equal(detail('waitlisted', 'waitlist'), 'A waitlisted booking cannot be waitlisted again; it can be approved, rejected, withdrawn, cancelled.')
  t.equal(detail('approved', 'reject'), 'An approved booking cannot be rejected; it can be approved, withdrawn, cancelled.')
  t.equal(detail('requested', 'approve'), 'allowed')
  t.equal(detail('approved', 'waitlist'), 'An approved booking cannot be waitlisted; it can be approved, withdrawn, cancelled.')
  for (const from of BOOKING_STATES) {
    for (const action of BOOKING_ACTIONS) {
      const result = transition(from, action)
      if (!result.ok) t.notMatch(result.detail, /undefined|null|\[object/, `${from} × ${action}: a clean sentence`)
    }
  }
})

t.test('a refusal hands out a copy of the allowed actions', async (t) => {
  const first = transition('approved', 'reject')
  if (first.ok) return t.fail('approved × reject must be refused')
  ;(first.allowed as BookingAction[]).push('reject')
  const second = transition('approved', 'reject')
  t.equal(second.ok, false, 'still refused after the caller mutated an earlier answer')
  if (!second.ok) t.same(second.allowed, ['approve', 'withdraw', 'cancel'])
})

t.test('every action leads to the state named after it', async (t) => {
  t.same(ACTION_RESULT, { approve: 'approved', waitlist: 'waitlisted', reject: 'rejected', withdraw: 'withdrawn', cancel: 'cancelled' })
  for (const from of BOOKING_STATES) {
    for (const action of BOOKING_ACTIONS) {
      const result = transition(from, action)
      if (result.ok) t.equal(result.to, ACTION_RESULT[action], `${from} × ${action}`)
    }
  }
})

t.test('live, final and holding a stand', async (t) => {
  t.same(BOOKING_STATES.filter(isLive), ['requested', 'approved', 'waitlisted'])
  t.same(BOOKING_STATES.filter(isFinal), ['rejected', 'withdrawn', 'cancelled'])
  t.same(BOOKING_STATES.filter(holdsStand), ['approved'])
  for (const state of BOOKING_STATES) t.equal(isLive(state), !isFinal(state), `${state}: live exactly when not final`)
})

t.test('every state is reachable from requested, and nothing leaves a final one', async (t) => {
  const reached = new Set<BookingState>(['requested'])
  const queue: BookingState[] = ['requested']
  while (queue.length > 0) {
    const from = queue.shift()!
    for (const action of BOOKING_ACTIONS) {
      const result = transition(from, action)
      if (result.ok && !reached.has(result.to)) {
        reached.add(result.to)
        queue.push(result.to)
      }
    }
  }
  t.same([...reached].sort(), [...BOOKING_STATES].sort())
  for (const state of ['rejected', 'withdrawn', 'cancelled'] as const) {
    t.same(allowedActions(state), [], `${state} allows nothing`)
  }
  t.ok(
    BOOKING_ACTIONS.every((action) => {
      const r = transition('approved', action)
      return !r.ok || r.to !== 'requested'
    }),
    'nothing goes back to requested',
  )
})

t.test('who may do what', async (t) => {
  t.same(ACTION_ACTOR, { approve: 'organizer', waitlist: 'organizer', reject: 'organizer', withdraw: 'association', cancel: 'organizer' })
  const matrix = BOOKING_ACTIONS.map((action) => [action, mayPerform('association', action), mayPerform('organizer', action)])
  t.same(matrix, [
    ['approve', false, true],
    ['waitlist', false, true],
    ['reject', false, true],
    ['withdraw', true, false],
    ['cancel', false, true],
  ])
})

t.test('allowedActions: what the state allows, for an actor', async (t) => {
  t.same(allowedActions('requested'), ['approve', 'waitlist', 'reject', 'withdraw', 'cancel'])
  t.same(allowedActions('requested', 'association'), ['withdraw'])
  t.same(allowedActions('requested', 'organizer'), ['approve', 'waitlist', 'reject', 'cancel'])
  t.same(allowedActions('waitlisted', 'organizer'), ['approve', 'reject', 'cancel'])
  t.same(allowedActions('approved', 'organizer'), ['approve', 'cancel'], 'reassign or cancel')
  t.same(allowedActions('approved', 'association'), ['withdraw'])
  t.same(allowedActions('rejected', 'association'), [])
  for (const state of BOOKING_STATES) {
    for (const actor of ['association', 'organizer'] as const) {
      const mine = allowedActions(state, actor)
      t.ok(
        mine.every((a) => transition(state, a).ok && mayPerform(actor, a)),
        `${state}/${actor}: each listed action is allowed and theirs`,
      )
      t.equal(mine.length, BOOKING_ACTIONS.filter((a) => transition(state, a).ok && mayPerform(actor, a)).length, `${state}/${actor}: none missing`)
    }
  }
})

t.test('DELETE withdraws for the association and cancels for an organizer', async (t) => {
  t.equal(deleteAction('association'), 'withdraw')
  t.equal(deleteAction('organizer'), 'cancel')
  for (const actor of ['association', 'organizer'] as const) t.ok(mayPerform(actor, deleteAction(actor)), `${actor} may do what DELETE means for them`)
})
