/*
 * Email templates: which exist, in which languages, and what data each one needs.
 *
 * The texts live outside the code, one file per template, language and part:
 *
 *   templates/_layout.html              the one HTML frame (inline styles, tables, 600px) around every body
 *   templates/<name>/<locale>.html      the HTML body, Mustache, HTML-escaped when rendered
 *   templates/<name>/<locale>.txt       "Subject: …", a blank line, then the plain-text body, not escaped
 *
 * Why a file per language rather than one file per template holding every language: translators work
 * one language at a time, and a file that holds only their language is what they can open, edit and
 * send back without touching the others; a review diff then shows one language's change in one file.
 * Subject and text body share a file because they are translated together and the subject is one line.
 * German is the fallback: a template must exist in German, and a language whose files are missing
 * (say a new template not yet translated) is sent in German rather than not at all.
 * templates/README.md gives translators the rules (placeholders, inline styles, Arabic direction marks).
 *
 * `EMAIL_DATA` is the contract with the code that enqueues an email, one TypeBox schema per template: the type
 * `EmailData` is derived from it and the checks run against it. `validateEmailData` runs when a row is
 * written to the outbox, so a mistake fails in the request that made it, not minutes later in the worker.
 * The template test reads every file and refuses a placeholder that these keys (plus the variables the
 * renderer derives, see render.ts) do not provide.
 */
import { canonicalTimeZone } from '../shared/time-zones.js'
import { Type, type Static, type TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { UUID_PATTERN } from '../shared/uuid.js'

export const LOCALES = ['de', 'en', 'tr', 'ar'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'de'

export const TEMPLATE_NAMES = [
  'magic-link',
  'reminder',
  'announcement',
  'registration-confirmed',
  'registration-waitlisted',
  'event-cancelled',
  'association-welcome',
  'association-invitation',
  'booking-status',
  'co-exhibitor-invitation',
  'stand-freed',
  'session-reservation',
  'meeting',
  'account-erase',
] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

const MAX_LINE = 500
const MAX_TEXT = 20_000
const MAX_MINUTES = 7 * 24 * 60
const MAX_COUNT = 100_000
// The API promises at most 200 characters; a QR code of that still scans on a cheap phone.
const MAX_CODE = 200
const MAX_PASSES = 50
// A registration's reservations never overlap in time, so even a week-long fair stays far below this.
const MAX_RESERVATIONS = 200
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/*
 * The kinds of field an email's data holds. `problem` is what a value of the wrong type (or out of range) is told;
 * each refinement says what it checks. The refinements run in order, after the type, so the first problem of a
 * value is the one reported. `kind` names the kind for the template tests (which placeholders hold URLs).
 */
type Check<T> = [check: (value: T) => boolean, problem: string]
function text<Kind extends string>(kind: Kind, ...checks: Check<string>[]) {
  let schema = Type.String({ kind, problem: 'must be a string' })
  for (const [check, problem] of [[(v: string) => v.trim() !== '', 'must not be blank'] as Check<string>, ...checks]) {
    schema = Type.Refine(schema, check, () => problem)
  }
  return schema
}
const Line = text('line', [(v) => !/[\r\n]/.test(v), 'must be a single line'], [(v) => v.length <= MAX_LINE, `must be at most ${MAX_LINE} characters`])
/** may span lines */
const Text = text('text', [(v) => v.length <= MAX_TEXT, `must be at most ${MAX_TEXT} characters`])
// Only http(s): anything else in an href (javascript:, data:) is a hole, whatever the escaping.
const Url = text('url', [(v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'must be an absolute http(s) URL'])
const Instant = text('instant', [
  (v) => INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
  'must be an ISO 8601 timestamp with offset, such as 2027-03-20T09:00:00.000Z (Date#toISOString())',
])
const TimeZone = text('timezone', [(v) => canonicalTimeZone(v) !== null, 'is not an IANA time zone such as Europe/Berlin'])
const Id = text('uuid', [(v) => UUID_PATTERN.test(v), 'must be a UUID'])
/** printable ASCII without spaces (a ticket code) */
const Code = text('code', [
  (v) => /^[\x21-\x7E]+$/.test(v) && v.length <= MAX_CODE,
  `must be printable ASCII without spaces, at most ${MAX_CODE} characters`,
])
const Minutes = Type.Integer({ minimum: 1, maximum: MAX_MINUTES, kind: 'minutes', problem: `must be a whole number of minutes from 1 to ${MAX_MINUTES}` })
/** people, a place in a queue */
const Count = Type.Integer({ minimum: 1, maximum: MAX_COUNT, kind: 'count', problem: `must be a whole number from 1 to ${MAX_COUNT}` })
const Flag = Type.Boolean({ kind: 'boolean', problem: 'must be true or false' })
const oneOf = <const Values extends readonly string[]>(values: Values) =>
  Type.Unsafe<Values[number]>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      { kind: 'enum', problem: `must be one of ${values.map((v) => `"${v}"`).join(', ')}` },
    ),
  )
/** exhibitor passes: the worker renders their QR codes inline (cid pass-qr-1, -2, …) */
const Passes = Type.Array(Type.Object({ ticketId: Id, code: Code }), {
  minItems: 1,
  maxItems: MAX_PASSES,
  kind: 'passes',
  problem: `must be 1 to ${MAX_PASSES} passes, each {ticketId, code}`,
})
const Optional = Type.Optional
/** a registration's live reservations, as its confirmation email lists them (render.ts formats the times) */
const Reservations = Type.Array(
  Type.Object({
    sessionTitle: Line,
    startsAt: Instant,
    endsAt: Instant,
    roomName: Line,
    /** present when waitlisted: 1 = next in line */
    waitlistPosition: Optional(Count),
  }),
  {
    maxItems: MAX_RESERVATIONS,
    kind: 'reservations',
    problem: `must be at most ${MAX_RESERVATIONS} reservations, each {sessionTitle, startsAt, endsAt, roomName, waitlistPosition?}`,
  },
)

/** When and where the fair is, as every email about it carries. */
const eventFields = {
  eventTitle: Line,
  startsAt: Instant,
  endsAt: Instant,
  /** IANA time zone of the event: dates in the email are local to the fair, not to the server */
  timezone: TimeZone,
  venueName: Line,
  /** may hold line breaks; emails show it on one line, parts joined with ", " */
  venueAddress: Text,
}

/** What the enqueuer puts into `data` for each template; JSON only, timestamps as ISO 8601 strings. */
export const EMAIL_DATA = {
  'magic-link': Type.Object({ name: Optional(Line), loginUrl: Url, expiresMinutes: Minutes }),
  /** the confirmation of an account's own erasure request (PUBLIC_URL/account/erase?token=…) */
  'account-erase': Type.Object({ name: Optional(Line), confirmUrl: Url, expiresMinutes: Minutes }),
  reminder: Type.Object({
    name: Optional(Line),
    audience: oneOf(['visitors', 'exhibitors']),
    ...eventFields,
    /** visitors: their registration (PUBLIC_URL/registrations/{id}?token=…); exhibitors: their stand booking */
    manageUrl: Optional(Url),
    /** exhibitors only */
    standCode: Optional(Line),
  }),
  announcement: Type.Object({
    name: Optional(Line),
    eventTitle: Line,
    /** one line, written by the organizer */
    subject: Line,
    /** plain text; blank lines separate paragraphs */
    body: Text,
  }),
  /** a visitor's ticket: sent on registering, on being promoted from the waitlist, and on a resend */
  'registration-confirmed': Type.Object({
    name: Line,
    ...eventFields,
    /** people the ticket admits */
    partySize: Count,
    /** PUBLIC_URL/registrations/{id}?token=vmr_… */
    manageUrl: Url,
    registrationId: Id,
    ticketId: Id,
    /** what the QR code holds; the worker renders the QR and the .ics, never the enqueuer */
    ticketCode: Code,
    /** true when a place freed up for someone on the waitlist */
    promoted: Optional(Flag),
    /** the seats the registration holds in the program (reserved or waitlisted), by the sessions' start */
    reservations: Optional(Reservations),
  }),
  'registration-waitlisted': Type.Object({
    name: Line,
    ...eventFields,
    partySize: Count,
    manageUrl: Url,
    /** 1 = next in line */
    waitlistPosition: Count,
  }),
  /** to everyone holding a ticket when the organizer cancels the fair */
  'event-cancelled': Type.Object({ name: Optional(Line), ...eventFields }),
  /** to the first member after an association signs up; the link logs in once and verifies the email */
  'association-welcome': Type.Object({ name: Line, associationName: Line, verifyUrl: Url, expiresMinutes: Minutes }),
  /** to a person a member added to the association; the link logs in once */
  'association-invitation': Type.Object({ name: Line, inviterName: Line, associationName: Line, loginUrl: Url, expiresMinutes: Minutes }),
  /** to an association's contact on every step of its stand booking; the text depends on `status` */
  'booking-status': Type.Object({
    associationName: Line,
    ...eventFields,
    status: oneOf(['requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled']),
    bookingId: Id,
    /** PUBLIC_URL/stand-bookings/{id} */
    manageUrl: Url,
    /** approved: the stand assigned */
    standCode: Optional(Line),
    /** the organizer's words (rejected, waitlisted) */
    reason: Optional(Text),
    /** approved again onto another stand */
    reassigned: Optional(Flag),
    /** approved: the exhibitor passes */
    passes: Optional(Passes),
  }),
  /** to the contact of an association named as co-exhibitor of another's stand booking */
  'co-exhibitor-invitation': Type.Object({
    associationName: Line,
    hostAssociationName: Line,
    ...eventFields,
    /** PUBLIC_URL/co-exhibitors/confirm?token=… */
    confirmUrl: Url,
  }),
  /** to each organizer of the event when an association withdraws from its stand: whom to offer the stand next */
  'stand-freed': Type.Object({
    name: Optional(Line),
    ...eventFields,
    standCode: Line,
    /** the association that withdrew */
    associationName: Line,
    /** the waitlisted associations that named this stand among their preferences, first come first, one per line */
    waitlisted: Optional(Text),
    /** PUBLIC_URL/events/{eventId}/stand-bookings?status=waitlisted */
    bookingsUrl: Url,
  }),
  /**
   * to a visitor about a seat in a session of the program: reserved or waitlisted, promoted from the waitlist,
   * the session moved (time or room) or cancelled, or the reminder before it. Times are the session's.
   */
  'session-reservation': Type.Object({
    name: Line,
    update: oneOf(['reserved', 'waitlisted', 'promoted', 'changed', 'cancelled', 'reminder']),
    eventTitle: Line,
    timezone: TimeZone,
    venueName: Line,
    venueAddress: Text,
    sessionTitle: Line,
    /** the session's start and end */
    startsAt: Instant,
    endsAt: Instant,
    roomName: Line,
    people: Count,
    /** waitlisted: 1 = next in line */
    waitlistPosition: Optional(Count),
    sessionId: Id,
    registrationId: Id,
    /** PUBLIC_URL/registrations/{id}: the registration's page, where the visitor manages reservations */
    manageUrl: Url,
  }),
  /** to an association's contact on each step of a meeting with another association; the text depends on `kind` */
  meeting: Type.Object({
    /** the recipient */
    associationName: Line,
    /** the other side */
    otherName: Line,
    ...eventFields,
    kind: oneOf(['requested', 'accepted', 'scheduled', 'declined', 'rescheduled', 'cancelled', 'held', 'reminder']),
    meetingId: Id,
    /** PUBLIC_URL/meetings/{id} */
    manageUrl: Url,
    /** the inviter's words (requested) */
    message: Optional(Text),
    /** why the pair matches, one per line, in the recipient's language (requested) */
    reasons: Optional(Text),
    /** the meeting's time and place, when it has one: the worker attaches an .ics */
    meetingStartsAt: Optional(Instant),
    meetingEndsAt: Optional(Instant),
    placeCode: Optional(Line),
    /** the decline's reason */
    reason: Optional(Text),
  }),
} satisfies Record<TemplateName, TSchema>

export type EmailData = { [T in TemplateName]: Static<(typeof EMAIL_DATA)[T]> }

/** The Content-ID the registration-confirmed templates show with `<img src="cid:ticket-qr">`. */
export const TICKET_QR_CID = 'ticket-qr'
/** The Content-ID of the QR code of the i-th pass (from 0) in a booking-status email. */
export const passQrCid = (i: number) => `pass-qr-${i + 1}`

/**
 * Images an email carries as inline attachments (see features/email/attachments.ts), by Content-ID: its HTML may show them
 * with `<img src="cid:…" alt="…">`, the only image a template may use (remote images are blocked by clients).
 */
export const INLINE_IMAGES: Partial<Record<TemplateName, readonly string[]>> = {
  'registration-confirmed': [TICKET_QR_CID],
  // one per exhibitor pass (stand_bookings.staff_passes is at most 50)
  'booking-status': Array.from({ length: MAX_PASSES }, (_, i) => passQrCid(i)),
}

export function isTemplateName(x: string): x is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(x)
}

/** 'de-DE', 'DE', 'ar_SY' → their language; anything we do not write in → German. */
export function normaliseLocale(x: string | null | undefined): Locale {
  const language = (x ?? '').trim().split(/[-_]/)[0].toLowerCase()
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : DEFAULT_LOCALE
}

/** Human-readable problems with `data` for `template`, checked when an email is queued; [] when all is well. */
export function validateEmailData(template: TemplateName, data: unknown): string[] {
  const problems = renderProblems(template, data)
  if (!isTemplateName(template) || typeof data !== 'object' || data === null || Array.isArray(data)) return problems
  // An unknown key is most often a misspelt optional one, which would otherwise vanish silently.
  const fields = EMAIL_DATA[template].properties
  const unknownKeys = Object.keys(data).filter((key) => !Object.hasOwn(fields, key))
  return [...problems, ...unknownKeys.map((key) => `${key} is not a field of the "${template}" email`)]
}

/**
 * What would stop `data` from rendering: a missing or malformed field. Unlike validateEmailData it
 * ignores unknown keys, so an email queued by an older version with a field since dropped still goes out.
 * Null and '' count as absent (so an optional field may be either), which is why each field is checked on its own.
 */
export function renderProblems(template: TemplateName, data: unknown): string[] {
  if (!isTemplateName(template)) return [`unknown email template "${String(template)}"`]
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return ['data must be an object']
  const schema = EMAIL_DATA[template]
  const required = new Set<string>(schema.required ?? [])
  const record = data as Record<string, unknown>
  const problems: string[] = []
  for (const [key, field] of Object.entries<TSchema>(schema.properties)) {
    const value = record[key]
    if (value === undefined || value === null || value === '') {
      if (required.has(key)) problems.push(`${key} is required`)
      continue
    }
    const problem = fieldProblem(field, value)
    if (problem) problems.push(`${key} ${problem}`)
  }
  if (problems.length === 0 && 'startsAt' in schema.properties && 'endsAt' in schema.properties) {
    if (Date.parse(record.endsAt as string) < Date.parse(record.startsAt as string)) {
      problems.push('endsAt must not be before startsAt')
    }
  }
  if (template === 'reminder' && problems.length === 0) {
    // The templates show a stand to whoever has one; a visitor has none.
    if (record.standCode && record.audience !== 'exhibitors') problems.push('standCode is only for exhibitors')
  }
  return problems
}

const validators = new Map<TSchema, Validator>()

/** The first problem of `value` as a `field`: a refinement's own words, else the kind's `problem`. */
function fieldProblem(field: TSchema, value: unknown): string | null {
  let validator = validators.get(field)
  if (!validator) validators.set(field, (validator = Compile(field)))
  if (validator.Check(value)) return null
  const [first] = validator.Errors(value)
  return first?.keyword === '~refine' ? first.message : (field as { problem: string }).problem
}

/** Names and titles typed by people may hold line breaks; the one-line fields of a template may not. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
