import type { ApiText, OperationExample } from './openapi-docs.js'
// Real requests and answers recorded by the test suite (see test/openapi-examples.test.ts), so they stay true.
import recordedExamples from './openapi-examples.json' with { type: 'json' }

const GUIDE = `Registration, tickets, door check-in and stand bookings for an association fair (Vereinsmesse).
A typed TypeScript client generated from this document lives in the repository under \`clients/typescript/\`.

## Tokens

Send \`Authorization: Bearer <token>\`. Each token's prefix says what it is, and each is its own security scheme here:

| prefix | scheme | what | how you get it |
|---|---|---|---|
| \`vms_\` | \`sessionToken\` | an account session (admin, organizer, exhibitor) | \`loginWithPassword\`, \`verifyMagicLink\` |
| \`vmd_\` | \`scannerToken\` | a door scanner, bound to one event | \`createScanner\` (shown once) |
| \`vmr_\` | \`manageToken\` | one visitor registration | \`createRegistration\` (shown once) and the links in its emails |

An operation whose security lists several schemes takes any one of them; an empty alternative (\`{}\`) means it also
works without a token, usually answering less. A token that is present but malformed, unknown, expired or revoked is
refused with 401 everywhere, also on public operations: a client holding a dead token should learn it.

## Errors

Every error is \`application/problem+json\` (RFC 9457): \`{ type, title, status, detail, code, instance, errors? }\`.
Switch on \`code\`: each operation lists, per status, exactly the codes it can answer (an enum, so a generated client
can check a \`switch\` for exhaustiveness). \`detail\` is for people, not for code. A 400's \`errors\` lists
\`{ path, message }\` per invalid field, with paths like \`/body/email\` or \`/querystring/limit\`. \`instance\` is
\`urn:uuid:<request id>\`, the same id as the \`X-Request-Id\` header of every answer: quote it when reporting a problem.
429 and 503 carry \`Retry-After\` (seconds). A 5xx other than 503 is a bug on our side.

## Lists and pagination

Lists take \`?limit=\` (1–200, default 50) and answer \`{ items, nextCursor }\`. While \`nextCursor\` is not null, pass it
as \`?cursor=\` for the next page. Cursors are opaque and stay valid when items are added meanwhile (keyset pagination).

## Retries and idempotency

\`createRegistration\` takes an \`Idempotency-Key\` header (any printable ASCII, up to 200 characters). Repeating the
request with the same key and body answers the first result again instead of registering twice; the same key with
another body is 409 \`idempotency_mismatch\`. Use one fresh key per form submission, and keep it for its retries.

## Caching

\`getCheckinSnapshot\`, \`listExhibitors\` and the ticket QR images send a strong \`ETag\`; send it back as
\`If-None-Match\` and a 304 without a body says your copy is current.

## CSV

\`listRegistrations\` answers \`text/csv\` (UTF-8, header row, RFC 4180 quoting, cells that look like formulas
neutralised) when asked with \`Accept: text/csv\`. \`importStands\` takes the stand plan as a JSON array of stands or as
\`text/csv\` with a header row; on any error nothing is imported and the 400 lists every error.

## Dates and languages

Timestamps are ISO 8601 in UTC (\`2027-03-20T10:00:00.000Z\`); each event has an IANA \`timezone\` used for its
emails and calendar entries. Languages: \`de\` (default), \`en\`, \`tr\`, \`ar\`.`

const TAGS: Record<string, string> = {
  health: 'Liveness and readiness probes for the platform that runs the service.',
  auth: 'Logging in with a password or an emailed link, logging out, and your own account: profile, password, sessions, personal data and erasure.',
  accounts: 'Accounts of admins, organizers and exhibitors (admins manage them: role, deactivation, erasure).',
  events: 'The fair itself: created as a draft by an admin, changed and published by its organizers.',
  email: "Announcements to an event's visitors and exhibitors, and the outbox of every email the event sent.",
  registrations: "Visitors registering to attend and managing their registration with its manage token; the organizers' list and CSV export; personal data export and erasure.",
  tickets: 'The QR code of a ticket, as an image.',
  'check-in': 'The door: scanner devices, scanning tickets online or in offline batches, the offline snapshot, occupancy and the numbers.',
  associations: "Associations (the exhibitors): signing up, profiles, members, the public directory and its vocabularies, the fair's exhibitors, partners and co-exhibitors.",
  stands: 'The stand plan of an event: stands, their sizes and features, created one by one or imported.',
  'stand bookings': 'Associations asking for a stand, organizers deciding, and the exhibitor passes of approved bookings.',
  program: "The fair's program: rooms, forums, talks and workshops with seats, and visitors' seat reservations with waitlists.",
  meetings: 'Meetings between associations at a fair: requests and answers, slots and places, the scheduler, agendas and stats.',
}

const ID_OF: Record<string, string> = {
  registrations: 'registration',
  scanners: 'scanner device',
  associations: 'association',
  'stand-bookings': 'stand booking',
  accounts: 'account',
}

const PARAMETERS: Record<string, string> = {
  'query:limit': 'How many items per page (1–200).',
  'query:cursor': "The previous page's `nextCursor`; absent for the first page.",
  'path:accountId': "The account's id (UUID).",
  'path:loginId': "The id (UUID) of one of the account's login sessions, from `GET /v1/me/sessions`.",
  'path:ticketId': "The ticket's id (UUID), as in the registration's `ticket` or a pass.",
  'path:standId': "The stand's id (UUID).",
  'path:roomId': "The room's id (UUID).",
  'path:sessionId': "The session's id (UUID).",
  'query:topic': 'Only sessions on this field of activity (a key of GET /v1/vocabularies).',
  'query:language': 'Only sessions held in this language.',
  'query:kind': 'Only sessions of this kind.',
  'query:roomId': 'Only sessions in this room.',
  'query:day': "Only sessions starting on this day (YYYY-MM-DD) in the event's time zone.",
  'path:kind': 'Which vocabulary.',
  'query:role': 'Only accounts with this role.',
  'query:associationId': 'The association whose partners to rank (one the caller is a member of; organizers and admins: any exhibitor).',
  'header:idempotency-key': 'Makes a retry safe: the same key with the same body answers the first result again (see the guide).',
}

function parameterText(name: string, where: string, path: string): string | undefined {
  if (where === 'path' && name === 'id') return `The ${ID_OF[path.split('/')[2]] ?? 'resource'}'s id (UUID).`
  if (where === 'query' && name === 'status') return 'Only items in this status.'
  if (where === 'query' && name === 'q') return 'Search text, case-insensitive.'
  return PARAMETERS[`${where}:${name}`]
}

export const apiText: ApiText = {
  guide: GUIDE,
  tags: TAGS,
  parameters: parameterText,
  examples: recordedExamples as Record<string, OperationExample>,
  servers: [
    // Relative: the server that serves this document (http://localhost:3000 when run with `npm start`).
    { url: '/', description: 'The server that serves this document' },
  ],
}
