/**
 * CSV for organizer exports (contract: "Conventions"). Generic on purpose: the stand and booking lists
 * will answer `Accept: text/csv` the same way, and should move this to src/http/ when they do.
 */

/**
 * Byte order mark first: Excel, the tool most organizers open an export with, reads a CSV without it in
 * the Windows code page, and every ä, ş or Arabic name comes out as mojibake. Other readers skip it.
 */
export const CSV_BOM = '\uFEFF'

// Cells a spreadsheet would read as a formula (=, +, -, @) or that start with a tab or carriage return,
// which some of them strip before looking for one (OWASP "CSV Injection").
const FORMULA_START = /^[=+\-@\t\r]/

/** One cell: formula-looking text is neutralised with a leading apostrophe, then quoted as RFC 4180 asks. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One record, CRLF-terminated (RFC 4180). */
export function csvRecord(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}

/**
 * Whether the client asked for CSV rather than JSON: `text/csv` with a weight at least that of an explicit
 * `application/json`. Wildcards never choose CSV, so a browser's or a client library's default gets JSON.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false
  let csv = 0
  let json = 0
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase())
    const qParam = params.find((p) => p.startsWith('q='))
    const q = qParam ? Number(qParam.slice(2)) : 1
    const weight = Number.isFinite(q) ? q : 0
    if (type === 'text/csv') csv = Math.max(csv, weight)
    if (type === 'application/json') json = Math.max(json, weight)
  }
  return csv > 0 && csv >= json
}
