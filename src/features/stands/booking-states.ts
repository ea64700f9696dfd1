/*
 * The stand booking workflow as a table (contract: "Associations, stands and stand bookings").
 *
 *   from \ action     approve     waitlist    reject     withdraw    cancel
 *   requested         approved    waitlisted  rejected   withdrawn   cancelled
 *   waitlisted        approved    —           rejected   withdrawn   cancelled
 *   approved          approved*   —           —          withdrawn   cancelled
 *   rejected, withdrawn, cancelled: final, no action
 *   (* onto another stand)
 *
 * Every action is named after the state it leads to, so the table only says which actions each state allows.
 *
 * Final states: rejected, withdrawn and cancelled. Rejected is final too: the association has had an email
 * with the organizer's reason, and a booking that came back to life after it would contradict that email. A
 * rejected association that wants to try again files a new booking, which the one-live-booking rule allows
 * because a rejected booking is not live. The same holds after withdrawing or being cancelled.
 *
 * Approving an approved booking moves it to another stand (the "reassignment"): the state stays
 * approved, the old stand is freed, and the passes stay valid. Approving onto the stand it already holds is
 * for the service to answer as a no-op.
 *
 * Who may act is a separate question from what the state allows: the service asks `mayPerform` first
 * (403 `forbidden`), then `transition` (409 `invalid_transition`), so a caller is never told about the state of
 * a booking it may not touch.
 */

import { LIVE_BOOKING_STATUSES, type BookingStatus } from '../../db/schema.js'

// The states are the database's (its CHECK constraint lists the same): one list, declared with the table.
export { BOOKING_STATUSES as BOOKING_STATES, LIVE_BOOKING_STATUSES as LIVE_BOOKING_STATES } from '../../db/schema.js'
export type BookingState = BookingStatus

/** The states that hold a place in the workflow: one per association and event (`409 already_booked`). */
export type LiveBookingState = (typeof LIVE_BOOKING_STATUSES)[number]

export const BOOKING_ACTIONS = ['approve', 'waitlist', 'reject', 'withdraw', 'cancel'] as const
export type BookingAction = (typeof BOOKING_ACTIONS)[number]

/** A member of the booking's association, or an organizer of the event (an admin acts as one). */
export type BookingActor = 'association' | 'organizer'

/** Where each action leads. */
export const ACTION_RESULT: Readonly<Record<BookingAction, BookingState>> = Object.freeze({
  approve: 'approved',
  waitlist: 'waitlisted',
  reject: 'rejected',
  withdraw: 'withdrawn',
  cancel: 'cancelled',
})

/** Who may perform each action. Withdrawing is the association's word, cancelling the organizers'. */
export const ACTION_ACTOR: Readonly<Record<BookingAction, BookingActor>> = Object.freeze({
  approve: 'organizer',
  waitlist: 'organizer',
  reject: 'organizer',
  withdraw: 'association',
  cancel: 'organizer',
})

const ALLOWED: Readonly<Record<BookingState, readonly BookingAction[]>> = Object.freeze({
  requested: ['approve', 'waitlist', 'reject', 'withdraw', 'cancel'],
  waitlisted: ['approve', 'reject', 'withdraw', 'cancel'],
  approved: ['approve', 'withdraw', 'cancel'],
  rejected: [],
  withdrawn: [],
  cancelled: [],
})

export type TransitionResult =
  | { ok: true; from: BookingState; action: BookingAction; to: BookingState }
  /** `detail` is the problem's English detail; `allowed` lists what the state does allow (empty when final). */
  | { ok: false; code: 'invalid_transition'; from: BookingState; action: BookingAction; allowed: readonly BookingAction[]; detail: string }

/** The state `action` leads to from `from`, or why it may not be taken. */
export function transition(from: BookingState, action: BookingAction): TransitionResult {
  const allowed = ALLOWED[from]
  if (allowed.includes(action)) return { ok: true, from, action, to: ACTION_RESULT[action] }
  const target = ACTION_RESULT[action]
  const detail = isFinal(from)
    ? `The booking is ${from}, which is final; it cannot be ${target}.`
    : `${/^[aeiou]/.test(from) ? 'An' : 'A'} ${from} booking cannot be ${target}${from === target ? ' again' : ''}; it can be ${allowed.map((a) => ACTION_RESULT[a]).join(', ')}.`
  return { ok: false, code: 'invalid_transition', from, action, allowed: [...allowed], detail }
}

/** The actions the state allows, optionally only those `actor` may perform (for the buttons a client shows). */
export function allowedActions(from: BookingState, actor?: BookingActor): BookingAction[] {
  return ALLOWED[from].filter((action) => actor === undefined || ACTION_ACTOR[action] === actor)
}

export function mayPerform(actor: BookingActor, action: BookingAction): boolean {
  return ACTION_ACTOR[action] === actor
}

/**
 * `DELETE /v1/stand-bookings/{id}` is one endpoint for two actions: a member of the association withdraws, an
 * organizer cancels. Someone who is both (an admin who is also a member) is acting as an organizer.
 */
export function deleteAction(actor: BookingActor): 'withdraw' | 'cancel' {
  return actor === 'association' ? 'withdraw' : 'cancel'
}

export function isLive(state: BookingState): state is LiveBookingState {
  return (LIVE_BOOKING_STATUSES as readonly BookingState[]).includes(state)
}

export function isFinal(state: BookingState): boolean {
  return ALLOWED[state].length === 0
}

/** Only an approved booking holds a stand (the partial unique index: `WHERE status = 'approved'`). */
export function holdsStand(state: BookingState): boolean {
  return state === 'approved'
}
