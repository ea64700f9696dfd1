import { Problem } from './problem.js'

/**
 * Keyset pagination: the cursor is the sort key of the last item, opaque to clients (base64url JSON),
 * so pages stay stable when rows are inserted before the cursor.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key
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
