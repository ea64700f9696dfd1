/*
 * The meeting lifecycle as a table (contract: "Meetings between associations").
 *
 *   from \ action   accept               decline    schedule    reschedule   cancel      hold
 *   requested       accepted|scheduled*  declined   —           —            cancelled   —
 *   accepted        —                    —          scheduled   scheduled    cancelled   —
 *   scheduled       —                    —          —           scheduled    cancelled   held**
 *   held, declined, cancelled: final, no action
 *   (* scheduled when a slot is free for both; ** only once the meeting has begun, which the service checks)
 *
 * Who may act: accept and decline are the invited side's; reschedule, cancel and hold either side's; schedule is
 * the organizers' scheduler. The service asks `mayPerform` (403 `forbidden`) before `transition`
 * (409 `invalid_transition`), as for stand bookings.
 */
import { LIVE_MEETING_STATUSES, type MeetingStatus } from '../../db/schema.js'

export { MEETING_STATUSES as MEETING_STATES } from '../../db/schema.js'
export type MeetingState = MeetingStatus

export const MEETING_ACTIONS = ['accept', 'decline', 'schedule', 'reschedule', 'cancel', 'hold'] as const
export type MeetingAction = (typeof MEETING_ACTIONS)[number]

/** The inviting association's members, the invited one's, or the organizers' scheduler. */
export type MeetingActor = 'inviter' | 'invited' | 'organizer'

const ALLOWED: Readonly<Record<MeetingState, readonly MeetingAction[]>> = Object.freeze({
  requested: ['accept', 'decline', 'cancel'],
  accepted: ['schedule', 'reschedule', 'cancel'],
  scheduled: ['reschedule', 'cancel', 'hold'],
  held: [],
  declined: [],
  cancelled: [],
})

const ACTORS: Readonly<Record<MeetingAction, readonly MeetingActor[]>> = Object.freeze({
  accept: ['invited'],
  decline: ['invited'],
  schedule: ['organizer'],
  reschedule: ['inviter', 'invited'],
  cancel: ['inviter', 'invited'],
  hold: ['inviter', 'invited'],
})

/** Where an action leads; accept leads to accepted or, with a time, scheduled (`withTime`). */
export function actionResult(action: MeetingAction, withTime = false): MeetingState {
  switch (action) {
    case 'accept':
      return withTime ? 'scheduled' : 'accepted'
    case 'decline':
      return 'declined'
    case 'schedule':
    case 'reschedule':
      return 'scheduled'
    case 'cancel':
      return 'cancelled'
    case 'hold':
      return 'held'
  }
}

export type TransitionResult =
  | { ok: true; from: MeetingState; action: MeetingAction }
  | { ok: false; code: 'invalid_transition'; from: MeetingState; action: MeetingAction; allowed: readonly MeetingAction[]; detail: string }

export function transition(from: MeetingState, action: MeetingAction): TransitionResult {
  const allowed = ALLOWED[from]
  if (allowed.includes(action)) return { ok: true, from, action }
  const detail = isFinal(from)
    ? `The meeting is ${from}, which is final; it cannot be changed.`
    : `A meeting that is ${from} cannot be ${action === 'hold' ? 'marked held' : `${action}ed`.replace('ee', 'e')}; it can be ${allowed.join(', ')}.`
  return { ok: false, code: 'invalid_transition', from, action, allowed: [...allowed], detail }
}

export function mayPerform(actor: MeetingActor, action: MeetingAction): boolean {
  return ACTORS[action].includes(actor)
}

export function allowedActions(from: MeetingState, actor?: MeetingActor): MeetingAction[] {
  return ALLOWED[from].filter((a) => actor === undefined || mayPerform(actor, a))
}

export function isFinal(state: MeetingState): boolean {
  return ALLOWED[state].length === 0
}

/** requested, accepted, scheduled: one per pair and event (`meetings_pair_live_key`). */
export function isLive(state: MeetingState): boolean {
  return (LIVE_MEETING_STATUSES as readonly MeetingState[]).includes(state)
}

/** accepted, scheduled, held: what `maxPerAssociation` counts (`meeting_counts`). */
export function countsTowardLimit(state: MeetingState): boolean {
  return state === 'accepted' || state === 'scheduled' || state === 'held'
}

/** scheduled and held meetings hold their time and place (`meeting_claims`). */
export function holdsTime(state: MeetingState): boolean {
  return state === 'scheduled' || state === 'held'
}
