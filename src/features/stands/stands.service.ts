import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database, Queryable } from '../../db/client.js'
import { pgError, isUniqueViolation } from '../../db/errors.js'
import { stands } from '../../db/schema.js'
import { Problem, type FieldIssue } from '../../http/problem.js'
import { parseStandsCsv, parseStandsJson, type ImportIssue, type StandInput } from './stand-import.js'

export type StandRow = typeof stands.$inferSelect

export function toStand(row: StandRow, available: boolean) {
  return {
    id: row.id,
    eventId: row.eventId,
    code: row.code,
    area: row.area,
    widthM: row.widthM,
    depthM: row.depthM,
    priceCents: row.priceCents,
    currency: row.currency,
    features: row.features,
    position: row.position ?? null,
    available,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** True while an approved booking holds the stand (the partial unique index's condition). Qualified by hand: drizzle writes a bare "id" in select lists, which the subquery would read as its own. */
const heldSql = sql<boolean>`exists (select 1 from stand_bookings b where b.stand_id = "stands"."id" and b.status = 'approved')`

export async function findStand(db: Queryable, standId: string): Promise<StandRow | undefined> {
  const [row] = await db.select().from(stands).where(eq(stands.id, standId))
  return row
}

export async function listStands(db: Queryable, eventId: string) {
  const rows = await db
    .select({ stand: stands, held: heldSql })
    .from(stands)
    .where(eq(stands.eventId, eventId))
    .orderBy(asc(sql`lower(${stands.code})`), asc(stands.id))
  return { items: rows.map((r) => toStand(r.stand, !r.held)) }
}

function codeTaken(err: unknown): never {
  if (isUniqueViolation(err, 'stands_event_code_key')) throw Problem.conflict('stand_code_taken', 'Another stand of this event has this code.')
  throw err
}

/** An import issue as a field issue of the request: `/rows/3/position/x` (JSON) or `/rows/3/width` (CSV column). */
function rowIssue(issue: ImportIssue): FieldIssue {
  const path = issue.path === '' ? '' : issue.path.startsWith('/') ? issue.path : `/${issue.path.replace(/~/g, '~0').replace(/\//g, '~1')}`
  return { path: issue.row === 0 ? '/rows' : `/rows/${issue.row}${path}`, message: issue.message }
}

/** One stand judged by the import's rules, so a single stand and a plan are held to the same ones. */
function checkOne(input: Record<string, unknown>, existingCodes: string[]): StandInput {
  const result = parseStandsJson([input], { existingCodes })
  if (result.ok) return result.stands[0]
  const issues = result.errors.map((e) => ({ path: `/body${e.path}`, message: e.message }))
  if (result.errors.some((e) => e.message.includes('already exists'))) throw Problem.conflict('stand_code_taken', 'Another stand of this event has this code.')
  throw Problem.badRequest(`${issues[0].path} ${issues[0].message}`, issues)
}

const values = (eventId: string, s: StandInput) => ({
  eventId,
  code: s.code,
  area: s.area ?? null,
  widthM: s.widthM ?? null,
  depthM: s.depthM ?? null,
  priceCents: s.priceCents ?? 0,
  features: s.features ?? {},
  position: s.position ?? null,
})

async function codesOf(db: Queryable, eventId: string, exceptStandId?: string): Promise<string[]> {
  const rows = await db.select({ id: stands.id, code: stands.code }).from(stands).where(eq(stands.eventId, eventId))
  return rows.filter((r) => r.id !== exceptStandId).map((r) => r.code)
}

export async function createStand(db: Database, eventId: string, input: Record<string, unknown>) {
  const stand = checkOne(input, await codesOf(db, eventId))
  const [row] = await db.insert(stands).values(values(eventId, stand)).returning().catch(codeTaken)
  return toStand(row, true)
}

/**
 * A whole plan, all or nothing: every row is judged before anything is written, and the rows go in with one
 * statement in one transaction, so a bad row, or a code taken meanwhile by another import, changes nothing.
 */
export async function importStands(db: Database, eventId: string, body: unknown, format: 'json' | 'csv') {
  return db.transaction(async (tx) => {
    const existingCodes = await codesOf(tx, eventId)
    const result = format === 'csv' ? parseStandsCsv(String(body ?? ''), { existingCodes }) : parseStandsJson(body, { existingCodes })
    if (!result.ok) {
      const errors = result.errors.map(rowIssue)
      const more = result.errorCount > errors.length ? ` (the first ${errors.length} of ${result.errorCount} are listed)` : ''
      throw Problem.badRequest(`The import has ${result.errorCount} error${result.errorCount === 1 ? '' : 's'}; nothing was imported${more}. First: ${errors[0].path} ${errors[0].message}`, errors)
    }
    const rows: StandRow[] = []
    // Chunks keep each statement under PostgreSQL's 65,535 bind parameters.
    for (let i = 0; i < result.stands.length; i += 1000) {
      rows.push(...(await tx.insert(stands).values(result.stands.slice(i, i + 1000).map((s) => values(eventId, s))).returning().catch(codeTaken)))
    }
    return { items: rows.map((row) => toStand(row, true)) }
  })
}

type StandPatchInput = {
  code?: string
  area?: string | null
  widthM?: number | null
  depthM?: number | null
  priceCents?: number
  features?: StandInput['features']
  position?: StandInput['position'] | null
}

export async function patchStand(db: Database, stand: StandRow, patch: StandPatchInput) {
  const merged: Record<string, unknown> = {
    code: stand.code,
    ...(stand.area !== null ? { area: stand.area } : {}),
    ...(stand.widthM !== null ? { widthM: stand.widthM } : {}),
    ...(stand.depthM !== null ? { depthM: stand.depthM } : {}),
    priceCents: stand.priceCents,
    features: stand.features,
    ...(stand.position ? { position: stand.position } : {}),
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key]
    else if (value !== undefined) merged[key] = value
  }
  const checked = checkOne(merged, await codesOf(db, stand.eventId, stand.id))
  const [row] = await db
    .update(stands)
    .set({ ...values(stand.eventId, checked), updatedAt: new Date() })
    .where(eq(stands.id, stand.id))
    .returning()
    .catch(codeTaken)
  if (!row) throw Problem.notFound('stand')
  const [{ held }] = await db.select({ held: heldSql }).from(stands).where(eq(stands.id, row.id))
  return toStand(row, !held)
}

/**
 * An assigned stand cannot be deleted. The conditional delete decides, and the foreign key (ON DELETE RESTRICT)
 * catches an approval that commits in between: both answer 409 stand_taken.
 */
export async function deleteStand(db: Database, stand: StandRow) {
  const taken = () => Problem.conflict('stand_taken', `Stand ${stand.code} is assigned to an approved booking; withdraw, cancel or move that booking first.`)
  const deleted = await db
    .delete(stands)
    .where(and(eq(stands.id, stand.id), sql`not exists (select 1 from stand_bookings b where b.stand_id = "stands"."id" and b.status = 'approved')`))
    .returning({ id: stands.id })
    .catch((err) => {
      if (pgError(err).code === '23503') throw taken()
      throw err
    })
  if (deleted.length === 0) {
    if (await findStand(db, stand.id)) throw taken()
    throw Problem.notFound('stand')
  }
}
