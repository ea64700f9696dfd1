/*
 * Meetings between associations (contract: "Meetings between associations"): requests, answers, times and
 * places, and who may see them. The lifecycle is meeting-states.ts; the database rules that hold under
 * concurrency (docs/decisions/0082-meeting-claims.md):
 *   - one live meeting per pair and event: unique index meetings_pair_live_key (409 already_requested);
 *   - no association and no place in two meetings at once: exclusion constraint meeting_claims_no_overlap on the
 *     claims a scheduled meeting inserts for both associations and its place (409 slot_taken);
 *   - at most maxPerAssociation accepted/scheduled/held meetings: a conditional update of meeting_counts, which
 *     the row lock serialises (409 meeting_limit).
 * Locks are taken in one order (the meeting row, then counters by association id, then claims by holder), so
 * two transactions never wait on each other in a circle.
 */
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Config } from '../../config.js'
import type { Database, Queryable } from '../../db/client.js'
import { isUniqueViolation, pgError } from '../../db/errors.js'
import {
  associationMembers,
  associations,
  coExhibitors,
  events,
  meetingClaims,
  meetingCounts,
  meetingHistory,
  meetings,
  standBookings,
  stands,
  type EventRow,
  type MeetingRow,
  type MeetingSettings,
} from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { eventEmailFields } from '../../mail/event-fields.js'
import { enqueueEmails, type EmailToQueue } from '../../mail/outbox.js'
import { normaliseLocale, oneLine } from '../../mail/templates.js'
import { contactLanguage } from '../associations/associations.service.js'
import { rankMatches, type MatchReason } from '../associations/matchmaking.js'
import { loadVocabulary } from '../associations/vocabularies.service.js'
import { isEventStaff } from '../events/event-access.js'
import { holdsTime, mayPerform, transition, type MeetingAction, type MeetingActor } from './meeting-states.js'
import { meetingsOpen, slotAt, tableCodes, type Slot } from './slots.js'

type Mail = Pick<Config, 'publicUrl'>
/** An association with the language of emails to its contact (the contact's account's language: decision 0083). */
type AssociationRow = typeof associations.$inferSelect & { language: string }
const withContactLanguage = { ...getTableColumns(associations), language: contactLanguage }
export const REMINDER_MINUTES = 15

export const meetingUrl = (config: Mail, id: string) => `${config.publicUrl}/meetings/${id}`
const holderOf = (associationId: string) => `association:${associationId}`

// ── who exhibits, where ────────────────────────────────────────────────────────────────────────────────────

/**
 * The stand of each association that exhibits at the fair: its approved booking's, or that of the approved
 * booking it is a confirmed co-exhibitor of (co-exhibitors share a stand). Associations absent do not exhibit.
 */
export async function exhibitorStands(db: Queryable, eventId: string, associationIds?: string[]): Promise<Map<string, { standId: string; code: string }>> {
  const own = await db
    .select({ associationId: standBookings.associationId, standId: stands.id, code: stands.code })
    .from(standBookings)
    .innerJoin(stands, eq(stands.id, standBookings.standId))
    .where(and(eq(standBookings.eventId, eventId), eq(standBookings.status, 'approved'), associationIds ? inArray(standBookings.associationId, associationIds) : undefined))
  const shared = await db
    .select({ associationId: coExhibitors.associationId, standId: stands.id, code: stands.code })
    .from(coExhibitors)
    .innerJoin(standBookings, eq(standBookings.id, coExhibitors.bookingId))
    .innerJoin(stands, eq(stands.id, standBookings.standId))
    .where(
      and(
        eq(standBookings.eventId, eventId),
        eq(standBookings.status, 'approved'),
        eq(coExhibitors.status, 'confirmed'),
        associationIds ? inArray(coExhibitors.associationId, associationIds) : undefined,
      ),
    )
  const map = new Map<string, { standId: string; code: string }>()
  for (const r of [...shared, ...own]) map.set(r.associationId, { standId: r.standId, code: r.code })
  return map
}

async function memberOf(db: Queryable, accountId: string, associationIds: string[]): Promise<Set<string>> {
  const rows = await db
    .select({ id: associationMembers.associationId })
    .from(associationMembers)
    .where(and(eq(associationMembers.accountId, accountId), inArray(associationMembers.associationId, associationIds)))
  return new Set(rows.map((r) => r.id))
}

function accountOf(principal: Principal | null) {
  if (!principal) throw Problem.unauthenticated()
  if (principal.kind !== 'account') throw Problem.forbidden('This route needs an account session.')
  return principal.account
}

/** The caller's side of a meeting; anyone on neither side learns nothing: 404. */
export async function loadMeetingFor(db: Queryable, principal: Principal | null, id: string): Promise<{ meeting: MeetingRow; actor: MeetingActor }> {
  const account = accountOf(principal)
  const [meeting] = await db.select().from(meetings).where(eq(meetings.id, id))
  if (meeting) {
    const sides = await memberOf(db, account.id, [meeting.fromAssociationId, meeting.toAssociationId])
    // a member of both sides answers as the invited one
    if (sides.has(meeting.toAssociationId)) return { meeting, actor: 'invited' }
    if (sides.has(meeting.fromAssociationId)) return { meeting, actor: 'inviter' }
  }
  throw Problem.notFound('meeting')
}

// ── views ──────────────────────────────────────────────────────────────────────────────────────────────────

const place = (m: MeetingRow) => (m.placeKind && m.placeCode ? { place: { kind: m.placeKind, code: m.placeCode } } : {})
const times = (m: MeetingRow) => (m.startsAt && m.endsAt ? { startsAt: m.startsAt.toISOString(), endsAt: m.endsAt.toISOString() } : {})

export async function meetingView(db: Queryable, m: MeetingRow) {
  const names = await db
    .select({ id: associations.id, name: associations.name })
    .from(associations)
    .where(inArray(associations.id, [m.fromAssociationId, m.toAssociationId]))
  const nameOf = new Map(names.map((n) => [n.id, n.name]))
  return {
    id: m.id,
    eventId: m.eventId,
    status: m.status,
    from: { id: m.fromAssociationId, name: nameOf.get(m.fromAssociationId) ?? '' },
    to: { id: m.toAssociationId, name: nameOf.get(m.toAssociationId) ?? '' },
    message: m.message,
    proposedSlots: m.proposedSlots.map((d) => d.toISOString()),
    ...times(m),
    ...place(m),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  }
}

/** The reasons two associations match, as matchmaking gives them (the same weights and words). */
async function pairReasons(db: Queryable, a: AssociationRow, b: AssociationRow, locale: string): Promise<MatchReason[]> {
  const vocabulary = await loadVocabulary(db as Database)
  const [match] = rankMatches(a, [a, b], { locale: normaliseLocale(locale), vocabulary, limit: 1 })
  return match?.reasons ?? []
}

// ── emails ─────────────────────────────────────────────────────────────────────────────────────────────────

type EmailKind = 'requested' | 'accepted' | 'scheduled' | 'declined' | 'rescheduled' | 'cancelled' | 'held' | 'reminder'

function meetingEmail(config: Mail, event: EventRow, m: MeetingRow, to: AssociationRow, other: AssociationRow, kind: EmailKind, extra: Record<string, unknown> = {}): EmailToQueue {
  return {
    to: to.contactEmail,
    template: 'meeting',
    locale: to.language,
    eventId: event.id,
    data: {
      ...eventEmailFields(event),
      associationName: oneLine(to.name),
      otherName: oneLine(other.name),
      kind,
      meetingId: m.id,
      manageUrl: meetingUrl(config, m.id),
      ...(m.startsAt && m.endsAt && holdsTime(m.status) ? { meetingStartsAt: m.startsAt.toISOString(), meetingEndsAt: m.endsAt.toISOString() } : {}),
      ...(m.placeCode && holdsTime(m.status) ? { placeCode: oneLine(m.placeCode) } : {}),
      ...extra,
    },
  }
}

/** Both sides' reminders 15 minutes before, once each: the dedupe key names the meeting's version. */
function reminders(config: Mail, event: EventRow, m: MeetingRow, a: AssociationRow, b: AssociationRow): EmailToQueue[] {
  if (m.status !== 'scheduled' || !m.startsAt) return []
  const sendAfter = new Date(m.startsAt.getTime() - REMINDER_MINUTES * 60_000)
  return [
    [a, b],
    [b, a],
  ].map(([to, other]) => ({ ...meetingEmail(config, event, m, to, other, 'reminder'), sendAfter, dedupeKey: `meeting-reminder:${m.id}:${m.version}:${to.id}` }))
}

/** Takes back the queued, unsent reminders of a meeting (it moved or was cancelled). */
async function withdrawReminders(tx: Queryable, meetingId: string) {
  await tx.execute(
    sql`update outbox_emails set status = 'cancelled', locked_until = null where status = 'queued' and template = 'meeting' and dedupe_key like ${`meeting-reminder:${meetingId}:%`}`,
  )
}

/** Both sides hear of the time the scheduler gave their meeting, with its .ics, and get its reminders. */
export async function scheduledEmails(tx: Queryable, config: Mail, event: EventRow, m: MeetingRow): Promise<EmailToQueue[]> {
  const [from, to] = await associationsOf(tx, m)
  return [meetingEmail(config, event, m, from, to, 'scheduled'), meetingEmail(config, event, m, to, from, 'scheduled'), ...reminders(config, event, m, from, to)]
}

// ── the database rules ─────────────────────────────────────────────────────────────────────────────────────

/** Counts one more accepted meeting for both associations, or 409 meeting_limit; in association id order. */
async function raiseCounts(tx: Queryable, eventId: string, ids: string[], max: number) {
  for (const associationId of [...ids].sort()) {
    await tx.insert(meetingCounts).values({ eventId, associationId }).onConflictDoNothing()
    const raised = await tx
      .update(meetingCounts)
      .set({ active: sql`${meetingCounts.active} + 1` })
      .where(and(eq(meetingCounts.eventId, eventId), eq(meetingCounts.associationId, associationId), sql`${meetingCounts.active} < ${max}`))
      .returning({ active: meetingCounts.active })
    if (!raised.length) throw Problem.conflict('meeting_limit', `An association of this meeting already has ${max} meetings at this fair, the most allowed.`)
  }
}

async function lowerCounts(tx: Queryable, eventId: string, ids: string[]) {
  for (const associationId of [...ids].sort()) {
    await tx
      .update(meetingCounts)
      .set({ active: sql`${meetingCounts.active} - 1` })
      .where(and(eq(meetingCounts.eventId, eventId), eq(meetingCounts.associationId, associationId)))
  }
}

const isOverlap = (err: unknown) => pgError(err).code === '23P01'

/** The places a meeting may use, in order: the inviter's stand, the invited side's, then the tables. */
export function placeCandidates(fromStand: string | undefined, toStand: string | undefined, tables: number) {
  const out: { holder: string; kind: 'stand' | 'table'; code: string }[] = []
  for (const stand of [fromStand, toStand]) {
    if (stand && !out.some((p) => p.holder === `stand:${stand}`)) out.push({ holder: `stand:${stand}`, kind: 'stand', code: stand })
  }
  for (const code of tableCodes(tables)) out.push({ holder: `table:${code}`, kind: 'table', code })
  return out
}

/**
 * Takes `slot` for the meeting: claims for both associations (409 slot_taken when either is busy), then the first
 * free place, each tried under a savepoint so a place taken by a concurrent meeting moves on to the next.
 * Returns null when the associations are free but no place is (the caller answers slot_taken or tries on).
 */
async function claimSlot(tx: Database, m: MeetingRow, slot: Slot, settings: MeetingSettings): Promise<{ kind: 'stand' | 'table'; code: string } | null> {
  const base = { meetingId: m.id, eventId: m.eventId, startsAt: slot.startsAt, endsAt: slot.endsAt }
  try {
    await tx.transaction(async (sp) => {
      await sp.insert(meetingClaims).values([m.fromAssociationId, m.toAssociationId].sort().map((id) => ({ ...base, holder: holderOf(id) })))
    })
  } catch (err) {
    if (isOverlap(err)) return null
    throw err
  }
  const standsOf = await exhibitorStands(tx, m.eventId, [m.fromAssociationId, m.toAssociationId])
  const candidates = placeCandidates(standsOf.get(m.fromAssociationId)?.standId, standsOf.get(m.toAssociationId)?.standId, settings.tables)
  const busy = new Set(
    (
      await tx
        .select({ holder: meetingClaims.holder })
        .from(meetingClaims)
        .where(
          and(
            eq(meetingClaims.eventId, m.eventId),
            inArray(meetingClaims.holder, candidates.map((c) => c.holder)),
            sql`tstzrange(${meetingClaims.startsAt}, ${meetingClaims.endsAt}) && tstzrange(${slot.startsAt.toISOString()}::timestamptz, ${slot.endsAt.toISOString()}::timestamptz)`,
          ),
        )
    ).map((r) => r.holder),
  )
  for (const c of candidates.filter((c) => !busy.has(c.holder))) {
    try {
      await tx.transaction(async (sp) => {
        await sp.insert(meetingClaims).values({ ...base, holder: c.holder })
      })
    } catch (err) {
      if (isOverlap(err)) continue
      throw err
    }
    const code = c.kind === 'stand' ? (standsOf.get(m.fromAssociationId)?.standId === c.code ? standsOf.get(m.fromAssociationId)!.code : standsOf.get(m.toAssociationId)!.code) : c.code
    return { kind: c.kind, code }
  }
  await tx.delete(meetingClaims).where(eq(meetingClaims.meetingId, m.id))
  return null
}

/** The association claims alone are refused when either side is busy: told apart from no place for the 409's words. */
async function claimOrConflict(tx: Database, m: MeetingRow, slot: Slot, settings: MeetingSettings) {
  const place = await claimSlot(tx, m, slot, settings)
  if (!place) throw Problem.conflict('slot_taken', 'One of the associations already has a meeting then, or no place is free at that time.')
  return place
}

// ── actions ────────────────────────────────────────────────────────────────────────────────────────────────

export interface RequestInput {
  fromAssociationId: string
  toAssociationId: string
  message?: string
  proposedSlots?: string[]
}

export async function requestMeeting(db: Database, config: Mail, principal: Principal | null, event: EventRow, input: RequestInput) {
  const account = accountOf(principal)
  if (!(await memberOf(db, account.id, [input.fromAssociationId])).has(input.fromAssociationId)) {
    throw Problem.forbidden('Only members of the inviting association may ask for a meeting.')
  }
  if (input.fromAssociationId === input.toAssociationId) throw Problem.invalidField('/body/toAssociationId', 'must be another association')
  const settings = event.meetings
  if (!meetingsOpen(settings)) throw Problem.conflict('meetings_closed', 'Meetings at this fair are not enabled, or their last window has ended.')
  const proposed = [...new Set(input.proposedSlots ?? [])].map((s, i) => {
    const slot = slotAt(settings, s)
    if (!slot) throw Problem.invalidField(`/body/proposedSlots/${i}`, 'is not the start of a meeting slot')
    return slot.startsAt
  })
  const pair = [input.fromAssociationId, input.toAssociationId]
  const standsOf = await exhibitorStands(db, event.id, pair)
  const rows = await db.select(withContactLanguage).from(associations).where(inArray(associations.id, pair))
  const from = rows.find((r) => r.id === input.fromAssociationId)
  const to = rows.find((r) => r.id === input.toAssociationId)
  if (!to) throw Problem.invalidField('/body/toAssociationId', 'is not an association')
  if (!from || !standsOf.has(from.id) || !standsOf.has(to.id)) throw Problem.conflict('not_exhibiting', 'Both associations must exhibit at this fair.')
  const reasons = await pairReasons(db, to, from, to.language)
  return db.transaction(async (tx) => {
    const [m] = await tx
      .insert(meetings)
      .values({
        eventId: event.id,
        fromAssociationId: from.id,
        toAssociationId: to.id,
        message: input.message?.trim() || null,
        proposedSlots: proposed.sort((a, b) => a.getTime() - b.getTime()),
        createdBy: account.id,
      })
      .returning()
      .catch((err) => {
        if (isUniqueViolation(err, 'meetings_pair_live_key')) throw Problem.conflict('already_requested', 'These two associations already have a live meeting at this fair.')
        throw err
      })
    await tx.insert(meetingHistory).values({ meetingId: m.id, fromStatus: null, toStatus: 'requested', actorAccountId: account.id })
    await enqueueEmails(tx, [
      meetingEmail(config, event, m, to, from, 'requested', {
        ...(m.message ? { message: m.message } : {}),
        ...(reasons.length ? { reasons: reasons.map((r) => r.text).join('\n') } : {}),
      }),
    ])
    return meetingView(tx, m)
  })
}

interface ActionInput {
  startsAt?: string
  reason?: string
}

/**
 * One function walks every action, its checks in order: the caller's side (403), the state (409
 * invalid_transition), the fair's window (409 meetings_closed), the time asked for (400), then the database rules.
 */
/** `now` is the clock the rules read (slots not begun, held once begun): the routes' is the real one. */
export async function performMeetingAction(
  db: Database,
  config: Mail,
  principal: Principal | null,
  id: string,
  action: Exclude<MeetingAction, 'schedule'>,
  input: ActionInput = {},
  now = new Date(),
) {
  const account = accountOf(principal)
  const { actor } = await loadMeetingFor(db, principal, id)
  if (!mayPerform(actor, action)) {
    throw Problem.forbidden(action === 'decline' ? 'Only the invited association declines; the inviting side cancels instead.' : 'Only the invited association may do this.')
  }
  return db.transaction(async (tx) => {
    const [m] = await tx.select().from(meetings).where(eq(meetings.id, id)).for('update')
    const [event] = await tx.select().from(events).where(eq(events.id, m.eventId))
    const step = transition(m.status, action)
    if (!step.ok) throw Problem.conflict('invalid_transition', step.detail)
    const settings = event.meetings
    if ((action === 'accept' || action === 'reschedule') && !meetingsOpen(settings, now)) {
      throw Problem.conflict('meetings_closed', 'Meetings at this fair are not enabled, or their last window has ended.')
    }
    let wanted: Slot | undefined
    if (input.startsAt !== undefined) {
      wanted = slotAt(settings, input.startsAt)
      if (!wanted || wanted.startsAt <= now) throw Problem.invalidField('/body/startsAt', 'is not the start of a meeting slot that has not begun')
    }
    if (action === 'hold' && (!m.startsAt || m.startsAt > now)) throw Problem.conflict('invalid_transition', 'A meeting is marked held only once it has begun.')

    const pair = [m.fromAssociationId, m.toAssociationId]
    let next: Partial<MeetingRow> = {}
    let kind: EmailKind
    if (action === 'accept') {
      await raiseCounts(tx, m.eventId, pair, settings.maxPerAssociation)
      let scheduled: { slot: Slot; place: { kind: 'stand' | 'table'; code: string } } | undefined
      if (wanted) scheduled = { slot: wanted, place: await claimOrConflict(tx, m, wanted, settings) }
      else {
        for (const at of m.proposedSlots) {
          const slot = slotAt(settings, at)
          if (!slot || slot.startsAt <= now) continue
          const place = await claimSlot(tx, m, slot, settings)
          if (place) {
            scheduled = { slot, place }
            break
          }
        }
      }
      next = scheduled
        ? { status: 'scheduled', startsAt: scheduled.slot.startsAt, endsAt: scheduled.slot.endsAt, placeKind: scheduled.place.kind, placeCode: scheduled.place.code }
        : { status: 'accepted' }
      kind = scheduled ? 'scheduled' : 'accepted'
    } else if (action === 'reschedule') {
      if (!wanted) throw Problem.invalidField('/body/startsAt', 'is required')
      await tx.delete(meetingClaims).where(eq(meetingClaims.meetingId, m.id))
      const place = await claimOrConflict(tx, m, wanted, settings)
      next = { status: 'scheduled', startsAt: wanted.startsAt, endsAt: wanted.endsAt, placeKind: place.kind, placeCode: place.code }
      kind = m.status === 'scheduled' ? 'rescheduled' : 'scheduled'
    } else if (action === 'cancel') {
      if (m.status === 'accepted' || m.status === 'scheduled') await lowerCounts(tx, m.eventId, pair)
      await tx.delete(meetingClaims).where(eq(meetingClaims.meetingId, m.id))
      next = { status: 'cancelled', startsAt: null, endsAt: null, placeKind: null, placeCode: null }
      kind = 'cancelled'
    } else if (action === 'decline') {
      next = { status: 'declined' }
      kind = 'declined'
    } else {
      next = { status: 'held' }
      kind = 'held'
    }
    const [updated] = await tx
      .update(meetings)
      .set({ ...next, version: sql`${meetings.version} + 1`, updatedAt: now })
      .where(eq(meetings.id, m.id))
      .returning()
    await tx.insert(meetingHistory).values({
      meetingId: m.id,
      fromStatus: m.status,
      toStatus: updated.status,
      startsAt: updated.startsAt,
      actorAccountId: account.id,
      reason: input.reason?.trim() || null,
    })
    await withdrawReminders(tx, m.id)
    const [from, to] = await associationsOf(tx, m)
    // the other side hears of it; a scheduled meeting's both sides get its time (accept with a time, the scheduler)
    const mine = actor === 'invited' ? to : from
    const other = actor === 'invited' ? from : to
    const extra = action === 'decline' && input.reason?.trim() ? { reason: input.reason.trim() } : {}
    const emails = [meetingEmail(config, event, updated, other, mine, kind, extra)]
    if (kind === 'scheduled' || kind === 'rescheduled') emails.push(meetingEmail(config, event, updated, mine, other, kind))
    emails.push(...reminders(config, event, updated, from, to))
    await enqueueEmails(tx, emails)
    return meetingView(tx, updated)
  })
}

async function associationsOf(db: Queryable, m: MeetingRow): Promise<[AssociationRow, AssociationRow]> {
  const rows = await db.select(withContactLanguage).from(associations).where(inArray(associations.id, [m.fromAssociationId, m.toAssociationId]))
  return [rows.find((r) => r.id === m.fromAssociationId)!, rows.find((r) => r.id === m.toAssociationId)!]
}

export async function assertExhibitor(db: Queryable, principal: Principal | null, eventId: string) {
  const account = accountOf(principal)
  if (await isEventStaff(db, principal, eventId)) return
  const own = await db.select({ id: associationMembers.associationId }).from(associationMembers).where(eq(associationMembers.accountId, account.id))
  const standsOf = await exhibitorStands(db, eventId, own.map((o) => o.id))
  if (own.length === 0 || standsOf.size === 0) throw Problem.forbidden('Only exhibitors of this fair and its organizers may see its meeting slots.')
}
