import { Problem } from './problem.js'
import { UUID_PATTERN } from './schemas.js'

/**
 * Keyset pagination: the cursor is the sort key of the last item, opaque to clients (base64url JSON),
 * so pages stay stable when rows are inserted before the cursor.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const ISO_UTC_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/

/** What each part of a cursor key may be; anything else would reach SQL as a bad uuid or timestamp (a 500). */
const CURSOR_PARTS = {
  string: (v: unknown) => typeof v === 'string' && v.length <= 400,
  // Lower case, as this service writes ids into the cursors it gives out.
  uuid: (v: unknown) => typeof v === 'string' && UUID_PATTERN.test(v) && v === v.toLowerCase(),
  timestamp: (v: unknown) => typeof v === 'string' && ISO_UTC.test(v) && new Date(v).toISOString() === v,
  // For columns PostgreSQL fills (now()): microseconds, which a JS Date would cut, skipping rows on the page edge.
  // The round trip refuses what Date rolls over (February 30) but PostgreSQL would reject.
  timestampMicros: (v: unknown) =>
    typeof v === 'string' && ISO_UTC_MICROS.test(v) && Date.parse(v) > 0 && new Date(v).toISOString() === `${v.slice(0, 23)}Z`,
}
export type CursorPart = keyof typeof CURSOR_PARTS

/** Accepts only keys this service gave out; everything else is the client's 400. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => CURSOR_PARTS[shape[i]](v))) return key
  } catch {
    // fall through: a cursor that does not parse is the client's mistake, not ours
  }
  throw Problem.invalidField('/querystring/cursor', 'is not a cursor this list gave out')
}

/** Callers fetch `limit + 1` rows; the extra one only tells whether another page exists. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => (string | number)[],
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit)
  const last = pageRows[pageRows.length - 1]
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null,
  }
}
