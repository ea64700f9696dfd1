/**
 * Every `code` a problem+json answer can carry, with its one status. The OpenAPI document turns each route's
 * list of codes into per-status enums from this table; test/http/problem-codes.test.ts checks that each code
 * here is still raised somewhere in src/, and the test-mode answer check that no route answers one it does
 * not declare.
 */
export const PROBLEM_CODES = {
  invalid_request: { status: 400, description: 'the request does not match its schema; `errors` lists each field (`/body/…`, `/querystring/…`)' },
  unauthenticated: { status: 401, description: 'no token where one is needed, or a token that is malformed, unknown, expired or revoked' },
  forbidden: { status: 403, description: 'the token is valid but may not do this' },
  not_found: { status: 404, description: 'no such thing, or one the caller may not know exists' },
  last_admin: { status: 409, description: 'this is the last active admin: it cannot be demoted, deactivated or erased' },
  last_member: { status: 409, description: 'this is the last member of the association: it keeps at least one' },
  contact_member: { status: 409, description: "this member is the association's contact: transfer the contact role first" },
  not_member: { status: 409, description: 'the account is not a member of this association' },
  already_booked: { status: 409, description: 'the association already has a live stand booking for this event' },
  already_requested: { status: 409, description: 'the two associations already have a live meeting (requested, accepted or scheduled) at this fair' },
  already_member: { status: 409, description: 'the account is already a member of the association' },
  already_reserved: { status: 409, description: 'this registration already holds a reservation for this session' },
  already_registered: { status: 409, description: 'this email is already registered for this event' },
  already_responded: { status: 409, description: 'the co-exhibitor invitation was already answered' },
  booking_closed: { status: 409, description: 'stand booking for this event is not open' },
  capacity_below_confirmed: { status: 409, description: 'more people are already confirmed than the new capacity allows' },
  capacity_exceeded: { status: 409, description: 'not enough room left for a larger party' },
  email_taken: { status: 409, description: 'an account with this email already exists' },
  event_full: { status: 409, description: 'the event is full (and has no waitlist)' },
  idempotency_mismatch: { status: 409, description: 'this Idempotency-Key was used with another request body' },
  invalid_transition: { status: 409, description: 'the thing is in a state that does not allow this (cancelled, erased, draft, already decided)' },
  meeting_limit: { status: 409, description: 'an association of the meeting already has the most meetings the fair allows' },
  meetings_closed: { status: 409, description: "meetings at this fair are not enabled, or the last meeting window has ended" },
  not_an_organizer: { status: 409, description: 'only accounts with the role organizer can be assigned to an event' },
  not_exhibiting: { status: 409, description: 'the association does not exhibit at this fair (no approved booking, not a confirmed co-exhibitor)' },
  pass_revoked: { status: 409, description: 'the pass is revoked' },
  registration_not_confirmed: { status: 409, description: 'only a confirmed registration reserves seats' },
  registration_closed: { status: 409, description: 'registration for this event is not open' },
  reservation_not_needed: { status: 409, description: 'the session takes no reservations (first come at the door)' },
  room_busy: { status: 409, description: 'another session takes this room at an overlapping time' },
  room_in_use: { status: 409, description: 'the room has sessions that need it (or seats above the new capacity)' },
  session_full: { status: 409, description: 'not enough seats left in the session (and no waitlist), or the session is cancelled' },
  session_overlap: { status: 409, description: 'the registration holds a reservation for a session at the same time' },
  slot_taken: { status: 409, description: 'one of the associations already has a meeting then, or no place is free at that time' },
  slug_taken: { status: 409, description: 'another event has this slug' },
  stand_code_taken: { status: 409, description: 'another stand of this event has this code' },
  stand_taken: { status: 409, description: 'the stand is assigned to an approved booking' },
  vocabulary_key_taken: { status: 409, description: 'the vocabulary already has a term with this key' },
  payload_too_large: { status: 413, description: 'the body is larger than this route takes' },
  unsupported_media_type: { status: 415, description: 'the body is not JSON (or, for the stand import, not JSON or CSV)' },
  rate_limited: { status: 429, description: 'too many requests; `Retry-After` says when to try again' },
  internal_error: { status: 500, description: 'a bug on our side; it has been logged under the request id' },
  unavailable: { status: 503, description: 'the database is unavailable or not migrated yet; retry after `Retry-After` seconds' },
} as const satisfies Record<string, { status: number; description: string }>

export type ProblemCode = keyof typeof PROBLEM_CODES
