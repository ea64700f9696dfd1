import { hash, randomUUID } from 'node:crypto'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { rawRows, tableRows, type Database, type Transaction } from '../../db/client.js'
import { GroupCommit, type Waiting } from '../../db/group-commit.js'
import { idempotencyKeys, outboxEmails, registrations, type EventRow, type TicketRow } from '../../db/schema.js'
import { Problem } from '../../http/problem.js'
import { enqueueEmails, type EmailToQueue } from '../../mail/outbox.js'
import { newToken } from '../auth/tokens.js'
import { eventVisitorPlaces, firstFit, lockEvent, placesLeft, takePlaces } from '../capacity/places.js'
import { eventKey, signTicketCode } from '../tickets/ticket-codes.js'
import { issueVisitorTickets, withdrawUnplacedTickets } from '../tickets/tickets.store.js'
import {
  confirmationEmail,
  findTicket,
  issueManageToken,
  registrationOpen,
  waitlistEmail,
  waitlistPosition,
  type Mail,
  type RegistrationResult,
  type RegistrationRow,
} from './registrations.service.js'

export interface RegistrationInput {
  email: string
  name: string
  partySize?: number
  language?: string
  accessibilityNeeds?: string
}

/** What a batch decides for one request: created, or "this key was used before" (answered by a replay). */
type Outcome = { created: RegistrationResult } | { replay: true } | { problem: Problem }

interface Pending extends Waiting {
  input: RegistrationInput
  partySize: number
  /** trimmed and lower-cased: the unique index compares lower(email) */
  email: string
  fingerprint: string
  idempotencyKey?: string
  config: Mail
  event: EventRow
  /** made before the batch, by the request itself: no signing or hashing while the event row is locked */
  made: { registrationId: string; token: { token: string; hash: string }; ticketId: string; ticketCode: string }
  resolve(outcome: Outcome): void
}

/** Largest batch: bounds one transaction's size and its statements' bind parameters. */
const MAX_BATCH = 200
/** Batches of one event running at once: one holds the lock while the next writes its rows. */
const IN_FLIGHT = 2

const batchers = new WeakMap<Database, GroupCommit<Pending>>()

function fingerprintOf(input: RegistrationInput): string {
  const canonical = [input.email.trim().toLowerCase(), input.name, input.partySize ?? 1, input.language ?? 'de', input.accessibilityNeeds ?? null]
  return hash('sha256', JSON.stringify(canonical), 'hex')
}

/** A retry with the same Idempotency-Key: the same registration and ticket, with a fresh manage token. */
async function replay(db: Database, eventId: string, key: string, fingerprint: string): Promise<RegistrationResult | null> {
  const [stored] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.eventId, eventId), eq(idempotencyKeys.key, key)))
  if (!stored) return null
  if (stored.fingerprint !== fingerprint) {
    throw Problem.conflict('idempotency_mismatch', 'This Idempotency-Key was used with another request body.')
  }
  const [registration] = await db.select().from(registrations).where(eq(registrations.id, stored.registrationId))
  const manageToken = await issueManageToken(db, registration.id)
  const ticket = await findTicket(db, registration.id)
  const position = registration.status === 'waitlisted' ? await waitlistPosition(db, registration) : undefined
  return { registration, ticket, manageToken, waitlistPosition: position }
}

/**
 * Registers one person (or party). The request joins its event's group commit: see `registerBatch` for how a
 * batch decides, and docs/decisions/0026-registration-group-commit.md for why every guarantee of a single transaction still holds.
 */
export async function createRegistration(
  db: Database,
  config: Mail,
  event: EventRow,
  input: RegistrationInput,
  idempotencyKey?: string,
): Promise<RegistrationResult> {
  const partySize = input.partySize ?? 1
  if (partySize > event.maxPartySize) {
    throw Problem.invalidField('/body/partySize', `must be at most ${event.maxPartySize} for this event`)
  }
  const fingerprint = fingerprintOf(input)
  if (idempotencyKey) {
    const earlier = await replay(db, event.id, idempotencyKey, fingerprint)
    // A retry of a request that succeeded gets its answer even after registration closed.
    if (earlier) return earlier
  }
  if (!registrationOpen(event)) throw Problem.conflict('registration_closed', 'Registration for this event is not open.')
  // Outside any transaction: a key made inside one that rolled back would be cached but never stored.
  const key = await eventKey(db, event.id)
  const ticketId = randomUUID()
  const made = { registrationId: randomUUID(), token: newToken('vmr_'), ticketId, ticketCode: signTicketCode(ticketId, key) }
  let batcher = batchers.get(db)
  if (!batcher) {
    batcher = new GroupCommit((eventId, items) => runBatch(db, eventId, items), { maxBatch: MAX_BATCH, inFlight: IN_FLIGHT })
    batchers.set(db, batcher)
  }
  const queue = batcher
  const outcome = await new Promise<Outcome>((resolve, reject) =>
    queue.push(event.id, { input, partySize, email: input.email.trim().toLowerCase(), fingerprint, idempotencyKey, config, event, made, resolve, reject }),
  )
  if ('created' in outcome) return outcome.created
  if ('problem' in outcome) throw outcome.problem
  const earlier = await replay(db, event.id, idempotencyKey!, fingerprint)
  if (!earlier) throw new Error('an idempotency key seen in the batch has vanished')
  return earlier
}

async function runBatch(db: Database, eventId: string, items: Pending[]): Promise<Pending[]> {
  // Two requests of one batch for the same email or key: the later waits for the next batch, where it sees
  // the earlier one's outcome, exactly as if it had come a moment later.
  const emails = new Set<string>()
  const keys = new Set<string>()
  const now: Pending[] = []
  const later: Pending[] = []
  for (const item of items) {
    if (emails.has(item.email) || (item.idempotencyKey && keys.has(item.idempotencyKey))) {
      later.push(item)
      continue
    }
    emails.add(item.email)
    if (item.idempotencyKey) keys.add(item.idempotencyKey)
    now.push(item)
  }
  const outcomes = await db.transaction((tx) => registerBatch(tx, eventId, now))
  // Only after the commit: a person told "registered" is registered.
  now.forEach((item, i) => item.resolve(outcomes[i]))
  return later
}

const alreadyRegistered = () => Problem.conflict('already_registered', 'This email is already registered for this event.')

/**
 * One transaction for many registrations of one event, in arrival order, in two round trips and the commit:
 *
 * 1. Write every row as if everyone fits (registration, manage token, ticket, key, confirmation email), then
 *    lock the event row: one pipeline. The unique indexes decide who is new: an email with a live registration
 *    or a used Idempotency-Key is skipped by `on conflict do nothing` (waiting, if another transaction is
 *    writing the same email or key, for its commit), and what depends on a skipped row is not written. No lock
 *    is held during the writes, so they overlap with the other batch that holds the lock; the lock's read (FOR
 *    NO KEY UPDATE, READ COMMITTED) sees the latest committed counter and keeps everyone else's change out
 *    until the commit.
 * 2. Decide in arrival order: a used key is answered by a replay, a live email by `already_registered`; the
 *    rest are confirmed if the party fits in what is left, else waitlisted (or `event_full` without a
 *    waitlist), the same first-fit a sequence of single transactions gives. Then take the places with the
 *    conditional counter update (the CHECK constraint still stands behind it) and correct the rows of whoever
 *    was not confirmed. Nothing of step 1 is visible to anyone before the commit.
 */
async function registerBatch(tx: Transaction, eventId: string, items: Pending[]): Promise<Outcome[]> {
  // Sent in this order: the lock after the writes, so the writes (the bulk of the work) run while the other
  // batch in flight holds the lock, and the lock is held only for the decision, the corrections and the commit.
  const [written, { event, waiting }] = await Promise.all([writeAsConfirmed(tx, items), lockEventCountingWaitlist(tx, eventId)])
  const outcomes = new Map<Pending, Outcome>()
  /** answered without a registration of their own: their rows, where written, go again */
  const answered: Pending[] = []
  for (const item of items) {
    const holder = item.idempotencyKey === undefined ? undefined : written.keyHolders.get(item.idempotencyKey)
    if (holder !== undefined && holder !== item.made.registrationId) outcomes.set(item, { replay: true })
    else if (!written.rows.has(item)) outcomes.set(item, { problem: alreadyRegistered() })
    else if (item.idempotencyKey !== undefined && holder === undefined) throw new Error('a written registration has no Idempotency-Key row')
    else continue
    answered.push(item)
  }
  const toDecide = items.filter((item) => !outcomes.has(item))
  let confirmed: Pending[] = []
  const waitlisted: Pending[] = []
  const refused: Pending[] = []
  if (!registrationOpen(event)) {
    for (const item of toDecide) {
      outcomes.set(item, { problem: Problem.conflict('registration_closed', 'Registration for this event is not open.') })
      refused.push(item)
    }
  } else {
    const fit = firstFit(placesLeft(eventVisitorPlaces, event), toDecide, (item) => item.partySize)
    confirmed = fit.placed
    for (const item of fit.unplaced) {
      if (event.waitlist) waitlisted.push(item)
      else {
        outcomes.set(item, { problem: Problem.conflict('event_full', 'The event is full.') })
        refused.push(item)
      }
    }
  }
  const people = confirmed.reduce((n, item) => n + item.partySize, 0)
  // Pipelined in this order: the corrections' statements go out first, then the counter's update.
  const [moved, placesTaken] = await Promise.all([
    correctTheUnconfirmed(tx, event, written, waitlisted, refused.concat(answered), waiting),
    people === 0 || takePlaces(tx, eventVisitorPlaces, eventId, people),
  ])
  // Impossible while the event row is locked: if it ever happens, nothing of this batch is written.
  if (!placesTaken) throw new Error('the place counter refused a batch decided under its lock')

  for (const item of confirmed) {
    const { registration, ticket } = written.rows.get(item)!
    outcomes.set(item, { created: { registration, ticket, manageToken: item.made.token.token } })
  }
  waitlisted.forEach((item, i) => {
    const registration = moved[i]
    outcomes.set(item, { created: { registration, ticket: null, manageToken: item.made.token.token, waitlistPosition: waiting + i + 1 } })
  })
  return items.map((i) => outcomes.get(i)!)
}

/** The event row, locked, and how many are on its waitlist (nobody can add to it while the row is locked). */
async function lockEventCountingWaitlist(tx: Transaction, eventId: string): Promise<{ event: EventRow; waiting: number }> {
  const { waiting, ...event } = (await lockEvent(tx, eventId, {
    waiting: sql<number>`(select count(*) from ${registrations} where ${registrations.eventId} = ${eventId} and ${registrations.status} = 'waitlisted')`.mapWith(Number),
  }))!
  return { event, waiting }
}

interface Written {
  /** the registrations written, with their tickets: everyone but those whose email has a live registration */
  rows: Map<Pending, { registration: RegistrationRow; ticket: TicketRow }>
  /** every item's confirmation email: written for all, removed again for whoever is not confirmed */
  emailIds: Map<Pending, string>
  /** who holds each Idempotency-Key of the batch after the writes (a registration id): this batch's, or an earlier one's */
  keyHolders: Map<string, string>
}

/**
 * Step 1's writes, sent at once and run back to back on the transaction's connection (pipelined). Tokens,
 * tickets and keys are written only for registrations that were written (`where exists`): the statement after
 * an insert sees what it wrote. Rows go in one order in every batch (by email, keys by key), so two batches
 * that wait for each other's rows cannot wait in a circle.
 */
async function writeAsConfirmed(tx: Transaction, items: Pending[]): Promise<Written> {
  const { config, event } = items[0]
  const consentAt = new Date()
  const values = items.map((item) => ({
    id: item.made.registrationId,
    eventId: event.id,
    email: item.input.email.trim(),
    name: item.input.name.trim(),
    partySize: item.partySize,
    language: item.input.language ?? 'de',
    accessibilityNeeds: item.input.accessibilityNeeds?.trim() || null,
    status: 'confirmed' as const,
    consentPrivacyAt: consentAt,
    createdAt: consentAt,
    updatedAt: consentAt,
    cancelledAt: null,
    erasedAt: null,
  }))
  const byEmail = items.map((_, i) => i).sort((a, b) => (items[a].email < items[b].email ? -1 : items[a].email > items[b].email ? 1 : 0))
  const column = <T>(pick: (i: number) => T) => sql.param(byEmail.map(pick))
  const withKey = items.filter((item) => item.idempotencyKey !== undefined).sort((a, b) => (a.idempotencyKey! < b.idempotencyKey! ? -1 : 1))
  const keys = withKey.map((item) => item.idempotencyKey!)
  const emailIds = items.map(() => randomUUID())
  const emails = items.map((item, i) => confirmationEmail(config, event, values[i], { id: item.made.ticketId, code: item.made.ticketCode }, item.made.token.token))
  const registrationWritten = sql`exists (select from registrations w where w.id = x.registration_id)`
  // Each table's rows go as one array parameter per column (unnest): the statements' texts do not depend on the
  // batch's size, so they are prepared once, and nothing builds thousands of placeholders per batch.
  const settled = await settleAll({
    // The waitlist goes by created_at: one microsecond apart keeps the batch's arrival order.
    registrations: tableRows(
      tx,
      registrations,
      sql`insert into registrations (id, event_id, email, name, party_size, language, accessibility_needs, status, consent_privacy_at, created_at)
          select r.id, ${event.id}::uuid, r.email, r.name, r.party_size, r.language, r.needs, 'confirmed', ${consentAt.toISOString()}::timestamptz,
                 clock_timestamp() + r.arrival * interval '1 microsecond'
          from unnest(${column((i) => values[i].id)}::uuid[], ${column((i) => values[i].email)}::text[], ${column((i) => values[i].name)}::text[],
                      ${column((i) => values[i].partySize)}::int[], ${column((i) => values[i].language)}::text[],
                      ${column((i) => values[i].accessibilityNeeds)}::text[], ${column((i) => i)}::int[])
               with ordinality as r(id, email, name, party_size, language, needs, arrival, position)
          order by r.position
          on conflict do nothing
          returning *`,
    ),
    tokens: rawRows(
      tx,
      sql`insert into registration_tokens (token_hash, registration_id)
          select x.token_hash, x.registration_id from unnest(${sql.param(items.map((item) => item.made.token.hash))}::text[],
                                        ${sql.param(items.map((item) => item.made.registrationId))}::uuid[]) as x(token_hash, registration_id)
          where ${registrationWritten}`,
    ),
    keys:
      withKey.length === 0
        ? []
        : rawRows(
            tx,
            sql`insert into idempotency_keys (event_id, key, fingerprint, registration_id)
                select ${event.id}::uuid, x.key, x.fingerprint, x.registration_id
                from unnest(${sql.param(keys)}::text[], ${sql.param(withKey.map((item) => item.fingerprint))}::text[],
                            ${sql.param(withKey.map((item) => item.made.registrationId))}::uuid[]) with ordinality as x(key, fingerprint, registration_id, position)
                where ${registrationWritten}
                order by x.position
                on conflict do nothing`,
          ),
    tickets: issueVisitorTickets(
      tx,
      items.map((item, i) => ({
        id: item.made.ticketId,
        eventId: event.id,
        registrationId: item.made.registrationId,
        holderName: values[i].name,
        admits: item.partySize,
        code: item.made.ticketCode,
      })),
    ),
    emails: enqueueEmails(tx, emails.map((email, i) => ({ ...email, id: emailIds[i] }))),
    // After the key insert, which waited for any other transaction writing one of these keys: who holds each.
    keyHolders:
      withKey.length === 0
        ? []
        : rawRows<{ key: string; registration_id: string }>(
            tx,
            sql`select key, registration_id from idempotency_keys where event_id = ${event.id}::uuid and key = any(${sql.param(keys)}::text[])`,
          ),
  })
  for (const done of Object.values(settled)) if (done.status === 'rejected') throw done.reason
  const registrationsById = new Map(fulfilled(settled.registrations).map((r) => [r.id, r]))
  const ticketsById = new Map(fulfilled(settled.tickets).map((t) => [t.id, t]))
  const rows: Written['rows'] = new Map()
  for (const item of items) {
    const registration = registrationsById.get(item.made.registrationId)
    if (registration) rows.set(item, { registration, ticket: ticketsById.get(item.made.ticketId)! })
  }
  return {
    rows,
    emailIds: new Map(items.map((item, i) => [item, emailIds[i]])),
    keyHolders: new Map(fulfilled(settled.keyHolders).map((k) => [k.key, k.registration_id])),
  }
}

/**
 * Step 2's corrections for those not confirmed: the waitlisted lose the ticket and the confirmation and get
 * the waitlist email (their created_at is set anew, under the lock, so the waitlist order is the order decided
 * here); the refused and those answered otherwise lose every row this batch wrote for them.
 */
async function correctTheUnconfirmed(
  tx: Transaction,
  event: EventRow,
  written: Written,
  waitlisted: Pending[],
  removed: Pending[],
  waiting: number,
): Promise<RegistrationRow[]> {
  const unconfirmed = [...waitlisted, ...removed]
  if (unconfirmed.length === 0) return []
  const ids = (list: Pending[]) => list.map((item) => item.made.registrationId)
  const { config } = unconfirmed[0]
  const [moved] = await Promise.all([
    waitlisted.length === 0
      ? []
      : tx
          .update(registrations)
          .set({
            status: 'waitlisted',
            createdAt: sql`clock_timestamp() + array_position(array[${sql.join(ids(waitlisted).map((id) => sql`${id}`), sql`, `)}]::uuid[], ${registrations.id}) * interval '1 microsecond'`,
          })
          .where(inArray(registrations.id, ids(waitlisted)))
          .returning(),
    waitlisted.length === 0 ? [] : withdrawUnplacedTickets(tx, ids(waitlisted)),
    tx.delete(outboxEmails).where(inArray(outboxEmails.id, unconfirmed.map((item) => written.emailIds.get(item)!))),
    // Their tokens, tickets and keys go with them (on delete cascade).
    removed.length === 0 ? [] : tx.delete(registrations).where(inArray(registrations.id, ids(removed))),
    enqueueEmails(
      tx,
      waitlisted.map((item, i) => waitlistEmail(config, event, written.rows.get(item)!.registration, item.made.token.token, waiting + i + 1)),
    ),
  ])
  const byId = new Map(moved.map((r) => [r.id, r]))
  return waitlisted.map((item) => byId.get(item.made.registrationId)!)
}

type Settled<T extends Record<string, unknown>> = { [K in keyof T]: PromiseSettledResult<Awaited<T[K]>> }

/**
 * Promise.allSettled over named statements, answered by name. Pass started statements (`rawRows`, `tableRows`,
 * or an async function that awaits its query at once): each reaches the driver two microtasks after it is
 * started, so the pipeline sends them in the order they are written. An unstarted drizzle query would only start
 * here, after all of them.
 */
async function settleAll<T extends Record<string, unknown>>(statements: T): Promise<Settled<T>> {
  const names = Object.keys(statements) as (keyof T)[]
  const results = await Promise.allSettled(names.map((name) => statements[name]))
  return Object.fromEntries(names.map((name, i) => [name, results[i]])) as Settled<T>
}

function fulfilled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason
  return result.value
}
