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
/** Batches of one event running at once: one holds the lock while the next does its reads. */
const IN_FLIGHT = 2
/** A batch that lost a race to another batch (same email or key committed meanwhile) is run again, this often. */
const MAX_ATTEMPTS = 5

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

/** Another process committed the same email or Idempotency-Key while this batch ran: run the batch again. */
class LostRace extends Error {}

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
  for (let attempt = 1; ; attempt++) {
    try {
      const known = await alreadyKnown(db, eventId, now)
      const outcomes = await db.transaction((tx) => registerBatch(tx, eventId, now, known))
      // Only after the commit: a person told "registered" is registered.
      now.forEach((item, i) => item.resolve(outcomes[i]))
      return later
    } catch (err) {
      if (!(err instanceof LostRace) || attempt === MAX_ATTEMPTS) throw err
    }
  }
}

/**
 * Requests already decided by what is committed: a stored Idempotency-Key (answered by a replay) or an email
 * with a live registration. Read before the transaction, without any lock; a registration or key committed
 * after this read is caught by the unique indexes in `writeRegistrations`, and the batch runs again.
 */
async function alreadyKnown(db: Database, eventId: string, items: Pending[]): Promise<Map<Pending, Outcome>> {
  const outcomes = new Map<Pending, Outcome>()
  const keyed = items.filter((i) => i.idempotencyKey)
  if (keyed.length > 0) {
    const used = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.eventId, eventId), inArray(idempotencyKeys.key, keyed.map((i) => i.idempotencyKey!))))
    const usedKeys = new Set(used.map((u) => u.key))
    for (const item of keyed) if (usedKeys.has(item.idempotencyKey!)) outcomes.set(item, { replay: true })
  }
  const live = await db
    .select({ email: sql<string>`lower(${registrations.email})` })
    .from(registrations)
    .where(
      and(
        eq(registrations.eventId, eventId),
        sql`lower(${registrations.email}) in ${items.map((i) => i.email)}`,
        sql`${registrations.status} <> 'cancelled'`,
      ),
    )
  const taken = new Set(live.map((r) => r.email))
  for (const item of items) {
    if (!outcomes.has(item) && taken.has(item.email)) {
      outcomes.set(item, { problem: Problem.conflict('already_registered', 'This email is already registered for this event.') })
    }
  }
  return outcomes
}

/**
 * One transaction for many registrations of one event, in arrival order, in three steps of one round trip each:
 *
 * 1. Write every row as if everyone fits (registration, manage token, ticket, key, confirmation email). No
 *    lock is held yet, so this, the bulk of the work, overlaps with the other batch that holds the lock.
 * 2. Lock the event row (FOR UPDATE, READ COMMITTED: the latest committed counter, and nobody else's change
 *    until commit) and decide in order: confirmed if the party fits in what is left, else waitlisted (or
 *    `event_full` without a waitlist) — the same first-fit a sequence of single transactions gives.
 * 3. Take the places with the conditional counter update (the CHECK constraint still stands behind it) and
 *    correct the rows of whoever did not fit. Nothing of step 1 is visible to anyone before the commit.
 */
async function registerBatch(tx: Transaction, eventId: string, items: Pending[], known: Map<Pending, Outcome>): Promise<Outcome[]> {
  const outcomes = new Map(known)
  const toWrite = items.filter((i) => !outcomes.has(i))
  if (toWrite.length === 0) return items.map((i) => outcomes.get(i)!)
  const written = await writeAsConfirmed(tx, toWrite)

  const { event, waiting } = await lockEventCountingWaitlist(tx, eventId)
  let confirmed: Pending[] = []
  const waitlisted: Pending[] = []
  const refused: Pending[] = []
  if (!registrationOpen(event)) {
    for (const item of toWrite) {
      outcomes.set(item, { problem: Problem.conflict('registration_closed', 'Registration for this event is not open.') })
      refused.push(item)
    }
  } else {
    const fit = firstFit(placesLeft(eventVisitorPlaces, event), toWrite, (item) => item.partySize)
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
    correctTheUnplaced(tx, event, written, waitlisted, refused, waiting),
    people === 0 || takePlaces(tx, eventVisitorPlaces, eventId, people),
  ])
  // Impossible while the event row is locked: if it ever happens, nothing of this batch is written.
  if (!placesTaken) throw new Error('the place counter refused a batch decided under its lock')

  for (const item of confirmed) {
    const { registration, ticket } = written.get(item)!
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
  registration: RegistrationRow
  ticket: TicketRow
  emailId: string
}

/**
 * Step 1. The statements are sent at once and run back to back on the transaction's connection (pipelined).
 * A row skipped by a unique index (an email or key committed by another batch after our read) fails the batch
 * with LostRace; the statements after it then fail on their foreign keys, which is not the cause to report.
 */
async function writeAsConfirmed(tx: Transaction, items: Pending[]): Promise<Map<Pending, Written>> {
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
  const column = <T>(pick: (item: Pending, i: number) => T) => sql.param(items.map(pick))
  const withKey = items.filter((item) => item.idempotencyKey)
  const emailIds = items.map(() => randomUUID())
  const emails = items.map((item, i) => confirmationEmail(config, event, values[i], { id: item.made.ticketId, code: item.made.ticketCode }, item.made.token.token))
  // Each table's rows go as one array parameter per column (unnest): the statements' texts do not depend on the
  // batch's size, so they are prepared once, and nothing builds thousands of placeholders per batch.
  const settled = await settleAll({
    // The waitlist goes by created_at: one microsecond apart keeps the batch's arrival order.
    registrations: tableRows(
      tx,
      registrations,
      sql`insert into registrations (id, event_id, email, name, party_size, language, accessibility_needs, status, consent_privacy_at, created_at)
          select r.id, ${event.id}::uuid, r.email, r.name, r.party_size, r.language, r.needs, 'confirmed', ${consentAt.toISOString()}::timestamptz,
                 clock_timestamp() + (r.ord - 1) * interval '1 microsecond'
          from unnest(${column((_, i) => values[i].id)}::uuid[], ${column((_, i) => values[i].email)}::text[], ${column((_, i) => values[i].name)}::text[],
                      ${column((item) => item.partySize)}::int[], ${column((_, i) => values[i].language)}::text[],
                      ${column((_, i) => values[i].accessibilityNeeds)}::text[]) with ordinality as r(id, email, name, party_size, language, needs, ord)
          on conflict do nothing
          returning *`,
    ),
    tokens: tx.execute(
      sql`insert into registration_tokens (token_hash, registration_id)
          select * from unnest(${column((item) => item.made.token.hash)}::text[], ${column((item) => item.made.registrationId)}::uuid[])`,
    ),
    keys:
      withKey.length === 0
        ? []
        : rawRows<{ key: string }>(
            tx,
            sql`insert into idempotency_keys (event_id, key, fingerprint, registration_id)
                select ${event.id}::uuid, k.key, k.fingerprint, k.registration_id
                from unnest(${sql.param(withKey.map((item) => item.idempotencyKey!))}::text[], ${sql.param(withKey.map((item) => item.fingerprint))}::text[],
                            ${sql.param(withKey.map((item) => item.made.registrationId))}::uuid[]) as k(key, fingerprint, registration_id)
                on conflict do nothing
                returning key`,
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
  })
  if (settled.registrations.status === 'fulfilled' && settled.registrations.value.length !== items.length) throw new LostRace()
  if (settled.keys.status === 'fulfilled' && settled.keys.value.length !== withKey.length) throw new LostRace()
  for (const done of Object.values(settled)) if (done.status === 'rejected') throw done.reason
  const registrationsById = new Map(fulfilled(settled.registrations).map((r) => [r.id, r]))
  const ticketsById = new Map(fulfilled(settled.tickets).map((t) => [t.id, t]))
  return new Map(
    items.map((item, i) => [item, { registration: registrationsById.get(item.made.registrationId)!, ticket: ticketsById.get(item.made.ticketId)!, emailId: emailIds[i] }]),
  )
}

/**
 * Step 3 for those who did not fit: the waitlisted lose the ticket and the confirmation and get the waitlist
 * email (their created_at is set anew, under the lock, so the waitlist order is the order decided here);
 * the refused are deleted with all their rows.
 */
async function correctTheUnplaced(
  tx: Transaction,
  event: EventRow,
  written: Map<Pending, Written>,
  waitlisted: Pending[],
  refused: Pending[],
  waiting: number,
): Promise<RegistrationRow[]> {
  const unplaced = [...waitlisted, ...refused]
  if (unplaced.length === 0) return []
  const ids = (list: Pending[]) => list.map((item) => item.made.registrationId)
  const { config } = unplaced[0]
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
    withdrawUnplacedTickets(tx, ids(waitlisted).concat(ids(refused))),
    tx.delete(outboxEmails).where(inArray(outboxEmails.id, unplaced.map((item) => written.get(item)!.emailId))),
    refused.length === 0 ? [] : tx.delete(registrations).where(inArray(registrations.id, ids(refused))),
    enqueueEmails(
      tx,
      waitlisted.map((item, i) => waitlistEmail(config, event, written.get(item)!.registration, item.made.token.token, waiting + i + 1)),
    ),
  ])
  const byId = new Map(moved.map((r) => [r.id, r]))
  return waitlisted.map((item) => byId.get(item.made.registrationId)!)
}

type Settled<T extends Record<string, unknown>> = { [K in keyof T]: PromiseSettledResult<Awaited<T[K]>> }

/**
 * Promise.allSettled over named statements, answered by name. Unstarted drizzle queries start in the order they
 * are written (object keys keep it), and the pipeline sends them so: a row before the rows referencing it.
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
