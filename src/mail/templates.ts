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
 * `EMAIL_DATA` is the contract with the code that enqueues an email: `validateEmailData` runs when a row is
 * written to the outbox, so a mistake fails in the request that made it, not minutes later in the worker.
 * The template test reads every file and refuses a placeholder that these keys (plus the variables the
 * renderer derives, see render.ts) do not provide.
 */
import { canonicalTimeZone } from '../shared/time-zones.js'
import { UUID_PATTERN } from '../http/schemas.js'

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
] as const
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

/** What the enqueuer puts into `data` for each template; JSON only, timestamps as ISO 8601 strings. */
export interface EmailData {
  'magic-link': { name?: string; loginUrl: string; expiresMinutes: number }
  reminder: {
    name?: string
    audience: 'visitors' | 'exhibitors'
    eventTitle: string
    startsAt: string
    endsAt: string
    /** IANA time zone of the event: dates in the email are local to the fair, not to the server */
    timezone: string
    venueName: string
    /** may hold line breaks; emails show it on one line, parts joined with ", " */
    venueAddress: string
    /** visitors: their registration (PUBLIC_URL/registrations/{id}?token=…); exhibitors: their stand booking */
    manageUrl?: string
    /** exhibitors only */
    standCode?: string
  }
  announcement: {
    name?: string
    eventTitle: string
    /** one line, written by the organizer */
    subject: string
    /** plain text; blank lines separate paragraphs */
    body: string
  }
  /** a visitor's ticket: sent on registering, on being promoted from the waitlist, and on a resend */
  'registration-confirmed': EventFields & {
    name: string
    /** people the ticket admits */
    partySize: number
    /** PUBLIC_URL/registrations/{id}?token=vmr_… */
    manageUrl: string
    registrationId: string
    ticketId: string
    /** what the QR code holds; the worker renders the QR and the .ics, never the enqueuer */
    ticketCode: string
    /** true when a place freed up for someone on the waitlist */
    promoted?: boolean
  }
  'registration-waitlisted': EventFields & {
    name: string
    partySize: number
    manageUrl: string
    /** 1 = next in line */
    waitlistPosition: number
  }
  /** to everyone holding a ticket when the organizer cancels the fair */
  'event-cancelled': EventFields & { name?: string }
  /** to the first member after an association signs up; the link logs in once and verifies the email */
  'association-welcome': { name: string; associationName: string; verifyUrl: string; expiresMinutes: number }
  /** to a person a member added to the association; the link logs in once */
  'association-invitation': { name: string; inviterName: string; associationName: string; loginUrl: string; expiresMinutes: number }
  /** to an association's contact on every step of its stand booking; the text depends on `status` */
  'booking-status': EventFields & {
    associationName: string
    status: 'requested' | 'approved' | 'waitlisted' | 'rejected' | 'withdrawn' | 'cancelled'
    bookingId: string
    /** PUBLIC_URL/stand-bookings/{id} */
    manageUrl: string
    /** approved: the stand assigned */
    standCode?: string
    /** the organizer's words (rejected, waitlisted) */
    reason?: string
    /** approved again onto another stand */
    reassigned?: boolean
    /** approved: the exhibitor passes; the worker renders their QR codes inline (cid pass-qr-1, -2, …) */
    passes?: { ticketId: string; code: string }[]
  }
  /** to the contact of an association named as co-exhibitor of another's stand booking */
  'co-exhibitor-invitation': EventFields & {
    associationName: string
    hostAssociationName: string
    /** PUBLIC_URL/co-exhibitors/confirm?token=… */
    confirmUrl: string
  }
  /** to each organizer of the event when an association withdraws from its stand: whom to offer the stand next */
  'stand-freed': EventFields & {
    name?: string
    standCode: string
    /** the association that withdrew */
    associationName: string
    /** the waitlisted associations that named this stand among their preferences, first come first, one per line */
    waitlisted?: string
    /** PUBLIC_URL/events/{eventId}/stand-bookings?status=waitlisted */
    bookingsUrl: string
  }
}

/** When and where the fair is, as every email about it carries. */
interface EventFields {
  eventTitle: string
  /** ISO 8601 */
  startsAt: string
  endsAt: string
  /** IANA time zone of the event: dates in the email are local to the fair, not to the server */
  timezone: string
  venueName: string
  /** may hold line breaks; emails show it on one line, parts joined with ", " */
  venueAddress: string
}

const MAX_PASSES = 50
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

type FieldKind =
  | 'line' // one line of text
  | 'text' // text that may span lines
  | 'url' // an absolute http(s) URL
  | 'instant' // an ISO 8601 timestamp with offset
  | 'timezone' // an IANA time zone name
  | 'minutes' // a positive whole number of minutes
  | 'count' // a positive whole number (people, a place in a queue)
  | 'uuid' // an id
  | 'code' // printable ASCII without spaces (a ticket code)
  | 'boolean'
  | 'passes' // exhibitor passes: 1 to 50 of {ticketId: uuid, code}
  | readonly string[] // one of these values

export interface FieldSpec {
  kind: FieldKind
  optional?: true
}

const line: FieldSpec = { kind: 'line' }
const optionalLine: FieldSpec = { kind: 'line', optional: true }
const eventFields = {
  eventTitle: line,
  startsAt: { kind: 'instant' },
  endsAt: { kind: 'instant' },
  timezone: { kind: 'timezone' },
  venueName: line,
  venueAddress: { kind: 'text' },
} as const satisfies Record<keyof EventFields, FieldSpec>

export const EMAIL_DATA = {
  'magic-link': {
    name: optionalLine,
    loginUrl: { kind: 'url' },
    expiresMinutes: { kind: 'minutes' },
  },
  reminder: {
    name: optionalLine,
    audience: { kind: ['visitors', 'exhibitors'] },
    eventTitle: line,
    startsAt: { kind: 'instant' },
    endsAt: { kind: 'instant' },
    timezone: { kind: 'timezone' },
    venueName: line,
    venueAddress: { kind: 'text' },
    manageUrl: { kind: 'url', optional: true },
    standCode: optionalLine,
  },
  announcement: {
    name: optionalLine,
    eventTitle: line,
    subject: line,
    body: { kind: 'text' },
  },
  'registration-confirmed': {
    name: line,
    ...eventFields,
    partySize: { kind: 'count' },
    manageUrl: { kind: 'url' },
    registrationId: { kind: 'uuid' },
    ticketId: { kind: 'uuid' },
    ticketCode: { kind: 'code' },
    promoted: { kind: 'boolean', optional: true },
  },
  'registration-waitlisted': {
    name: line,
    ...eventFields,
    partySize: { kind: 'count' },
    manageUrl: { kind: 'url' },
    waitlistPosition: { kind: 'count' },
  },
  'event-cancelled': {
    name: optionalLine,
    ...eventFields,
  },
  'association-welcome': {
    name: line,
    associationName: line,
    verifyUrl: { kind: 'url' },
    expiresMinutes: { kind: 'minutes' },
  },
  'association-invitation': {
    name: line,
    inviterName: line,
    associationName: line,
    loginUrl: { kind: 'url' },
    expiresMinutes: { kind: 'minutes' },
  },
  'booking-status': {
    associationName: line,
    ...eventFields,
    status: { kind: ['requested', 'approved', 'waitlisted', 'rejected', 'withdrawn', 'cancelled'] },
    bookingId: { kind: 'uuid' },
    manageUrl: { kind: 'url' },
    standCode: optionalLine,
    reason: { kind: 'text', optional: true },
    reassigned: { kind: 'boolean', optional: true },
    passes: { kind: 'passes', optional: true },
  },
  'co-exhibitor-invitation': {
    associationName: line,
    hostAssociationName: line,
    ...eventFields,
    confirmUrl: { kind: 'url' },
  },
  'stand-freed': {
    name: optionalLine,
    ...eventFields,
    standCode: line,
    associationName: line,
    waitlisted: { kind: 'text', optional: true },
    bookingsUrl: { kind: 'url' },
  },
} as const satisfies { [T in TemplateName]: { [K in keyof EmailData[T]]-?: FieldSpec } }

const MAX_LINE = 500
const MAX_TEXT = 20_000
const MAX_MINUTES = 7 * 24 * 60
const MAX_COUNT = 100_000
// The API promises at most 200 characters; a QR code of that still scans on a cheap phone.
const MAX_CODE = 200
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

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
  const fields: Record<string, FieldSpec> = EMAIL_DATA[template]
  const unknownKeys = Object.keys(data).filter((key) => !Object.hasOwn(fields, key))
  return [...problems, ...unknownKeys.map((key) => `${key} is not a field of the "${template}" email`)]
}

/**
 * What would stop `data` from rendering: a missing or malformed field. Unlike validateEmailData it
 * ignores unknown keys, so an email queued by an older version with a field since dropped still goes out.
 */
export function renderProblems(template: TemplateName, data: unknown): string[] {
  if (!isTemplateName(template)) return [`unknown email template "${String(template)}"`]
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return ['data must be an object']
  const fields: Record<string, FieldSpec> = EMAIL_DATA[template]
  const record = data as Record<string, unknown>
  const problems: string[] = []
  for (const [key, spec] of Object.entries(fields)) {
    const value = record[key]
    if (value === undefined || value === null || value === '') {
      if (!spec.optional) problems.push(`${key} is required`)
      continue
    }
    const problem = fieldProblem(spec.kind, value)
    if (problem) problems.push(`${key} ${problem}`)
  }
  if (problems.length === 0 && 'startsAt' in fields && 'endsAt' in fields) {
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

function fieldProblem(kind: FieldKind, value: unknown): string | null {
  if (Array.isArray(kind)) {
    return kind.includes(value as string) ? null : `must be one of ${kind.map((k) => `"${k}"`).join(', ')}`
  }
  if (kind === 'minutes') {
    return Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_MINUTES
      ? null
      : `must be a whole number of minutes from 1 to ${MAX_MINUTES}`
  }
  if (kind === 'count') {
    return Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_COUNT
      ? null
      : `must be a whole number from 1 to ${MAX_COUNT}`
  }
  if (kind === 'boolean') return typeof value === 'boolean' ? null : 'must be true or false'
  if (kind === 'passes') {
    const ok =
      Array.isArray(value) &&
      value.length >= 1 &&
      value.length <= MAX_PASSES &&
      value.every((p) => typeof p === 'object' && p !== null && UUID_PATTERN.test(String(p.ticketId)) && fieldProblem('code', p.code) === null)
    return ok ? null : `must be 1 to ${MAX_PASSES} passes, each {ticketId, code}`
  }
  if (typeof value !== 'string') return 'must be a string'
  if (value.trim() === '') return 'must not be blank'
  switch (kind) {
    case 'line':
      if (/[\r\n]/.test(value)) return 'must be a single line'
      return value.length > MAX_LINE ? `must be at most ${MAX_LINE} characters` : null
    case 'text':
      return value.length > MAX_TEXT ? `must be at most ${MAX_TEXT} characters` : null
    case 'url':
      // Only http(s): anything else in an href (javascript:, data:) is a hole, whatever the escaping.
      return /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value) ? null : 'must be an absolute http(s) URL'
    case 'instant':
      return INSTANT.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : 'must be an ISO 8601 timestamp with offset, such as 2027-03-20T09:00:00.000Z (Date#toISOString())'
    case 'timezone':
      return canonicalTimeZone(value) === null ? 'is not an IANA time zone such as Europe/Berlin' : null
    case 'uuid':
      return UUID_PATTERN.test(value) ? null : 'must be a UUID'
    case 'code':
      return /^[\x21-\x7E]+$/.test(value) && value.length <= MAX_CODE
        ? null
        : `must be printable ASCII without spaces, at most ${MAX_CODE} characters`
  }
  return null
}

/** Names and titles typed by people may hold line breaks; the one-line fields of a template may not. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
