/*
 * A stand plan import (contract: `POST /v1/events/{eventId}/stands/import`, JSON array or CSV, all or nothing):
 * text in, either every stand or every error out. No database: the service inserts `stands` in one
 * transaction only when `ok` is true, so a bad row changes nothing.
 *
 * JSON: an array of objects shaped like the body of `POST /v1/events/{eventId}/stands`, as strict as that body
 *   (a number is a number, not "2.5"; no unknown fields; null is not "absent"). `row` is the element's position
 *   counted from 1; `path` a JSON pointer inside the element (`/position/x`), '' for the element itself.
 *
 * CSV: RFC 4180 (quotes, doubled quotes, line breaks inside quoted cells, CRLF or LF), UTF-8 with or without a
 *   byte order mark, a header row naming the columns (any order, case ignored):
 *     code, area, widthM, depthM, priceCents, currency, power, tables, chairs, x, y, w, h
 *   `power`/`tables`/`chairs` are the contract's `features`, `x`/`y`/`w`/`h` its `position` (all four or none).
 *   The contract's features are an object of named values, so they get a column each rather than a list in one
 *   cell. An empty cell means "not given". Numbers may use a decimal comma (2,5), and a header row with
 *   semicolons and no commas makes the semicolon the delimiter: that is what a spreadsheet in German saves.
 *   `currency` is optional and must be EUR (the contract's only currency) when present; it is not stored.
 *   `row` is the row number a spreadsheet shows: the header is row 1, the first stand row 2 (a record with a
 *   line break inside a quoted cell is still one row); `path` is the column's name as written in the header.
 *   Rows whose cells are all empty are skipped but still counted, so later row numbers stay right.
 *
 * `row: 0` is an error about the whole file (not an array, empty, too many rows).
 *
 * Limits: at most MAX_IMPORT_ROWS stands per import; the first MAX_REPORTED_ERRORS errors are listed and
 * `errorCount` says how many there were. A stand's code is unique within the file, compared ignoring case and
 * surrounding spaces (`standCodeKey`); the service should compare codes already in the database the same way,
 * and can pass them as `existingCodes` to get the clash reported on its row.
 */
import { CsvError, parse } from 'csv-parse/sync'
import type { Static } from 'typebox'
import { Compile } from 'typebox/compile'

import type { StandFeatures, StandPosition } from '../../db/schema.js'
import { STAND_LIMITS, StandCreate } from './stands.schemas.js'

export type { StandFeatures, StandPosition }
export { STAND_LIMITS }

/** A stand as `POST /v1/events/{eventId}/stands` takes it: the type of that route's body schema. */
export type StandInput = Static<typeof StandCreate>

/*
 * The body schema is the authority on what a stand is. The rules below read cells and say what is wrong in a
 * planner's words (with CSV's decimal commas and yes/no cells); a stand they let through is checked against the
 * schema once more, so the two can never disagree about what is stored.
 */
const standSchema = Compile(StandCreate)

export interface ImportIssue {
  row: number
  path: string
  message: string
}

export type StandImportResult = { ok: true; stands: StandInput[] } | { ok: false; errors: ImportIssue[]; errorCount: number }

export interface StandImportOptions {
  /** codes of the event's stands already in the database: importing one again is an error on its row */
  existingCodes?: Iterable<string>
}

export const MAX_IMPORT_ROWS = 2000
export const MAX_REPORTED_ERRORS = 100


/** What makes two stand codes the same: " a-1 " and "A-1" are one stand. */
export function standCodeKey(code: string): string {
  return code.trim().normalize('NFC').toLowerCase()
}

const FIELDS = ['code', 'area', 'widthM', 'depthM', 'priceCents', 'currency', 'power', 'tables', 'chairs', 'x', 'y', 'w', 'h'] as const
type Field = (typeof FIELDS)[number]
type Value = string | number | boolean
/** A value of the wrong type: its reader has reported it, and the rules say nothing more about it. */
const INVALID = Symbol('invalid')
/** A coordinate left out of a JSON `position` object: required there, though absent. */
const MISSING = Symbol('missing')
type Values = Partial<Record<Field, Value | typeof INVALID | typeof MISSING>>
type Report = (field: Field | '', message: string) => void

const POSITION = ['x', 'y', 'w', 'h'] as const
const FEATURES = ['power', 'tables', 'chairs'] as const
const CONTROL = /[\u0000-\u001f\u007f]/

// Parsing

/** A JSON body: an array of stand objects. */
export function parseStandsJson(body: unknown, options: StandImportOptions = {}): StandImportResult {
  if (!Array.isArray(body)) return fileError('Expected a JSON array of stands.')
  if (body.length === 0) return fileError('The import holds no stands.')
  if (body.length > MAX_IMPORT_ROWS) return fileError(`At most ${MAX_IMPORT_ROWS} stands per import; this one has ${body.length}.`)
  const issues = new Issues()
  const rows = body.map((element, i) => {
    const row = i + 1
    const report: Report = (field, message) => issues.add(row, jsonPath(field), message, jsonOrder(jsonPath(field)))
    const values = readJsonStand(element, (path, message) => issues.add(row, path, message, jsonOrder(path)))
    return values ? { row, ...buildStand(values, report) } : { row, code: null, stand: null }
  })
  return finish(rows, issues, options, jsonPath('code'), jsonOrder(jsonPath('code')))
}

/** A CSV text (the body as a string; a BOM at its start is skipped). */
export function parseStandsCsv(text: string, options: StandImportOptions = {}): StandImportResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  let records: string[][]
  try {
    records = parse(body, { delimiter: delimiterOf(body), relax_column_count: true, skip_empty_lines: false, max_record_size: 100_000 })
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    // `records` counts the records read before the bad one, the header among them.
    const row = (typeof error.records === 'number' ? error.records : 0) + 1
    return { ok: false, errors: [{ row, path: '', message: csvErrorMessage(error) }], errorCount: 1 }
  }
  if (records.length === 0 || records[0].every((cell) => cell.trim() === '')) return fileError('The file is empty: expected a header row naming the columns.')

  const issues = new Issues()
  const columns = readHeader(records[0], records.slice(1), issues)
  const stands = records.slice(1).map((cells, i) => ({ row: i + 2, cells })).filter(({ cells }) => cells.some((cell) => cell.trim() !== ''))
  if (stands.length === 0) return fileError('The file holds a header row but no stands.')
  if (stands.length > MAX_IMPORT_ROWS) return fileError(`At most ${MAX_IMPORT_ROWS} stands per import; this file has ${stands.length}.`)
  if (!columns) return issues.result()

  const header = records[0]
  const pathOf = (field: Field | '') => (field === '' ? '' : columns.names.get(field) ?? field)
  // A row's errors in the order of its columns; those of a column the file lacks after them.
  const orderOf = (field: Field | '') => {
    if (field === '') return 0
    const column = columns.fields.indexOf(field)
    return column >= 0 ? column + 1 : header.length + FIELDS.indexOf(field) + 1
  }
  const rows = stands.map(({ row, cells }) => {
    const report: Report = (field, message) => issues.add(row, pathOf(field), message, orderOf(field))
    // Cells past the header's columns are allowed when empty: spreadsheets save trailing delimiters.
    if (cells.length < header.length || cells.slice(header.length).some((cell) => cell.trim() !== '')) {
      report('', `Has ${cells.length} cells; the header has ${header.length} columns.`)
      return { row, code: null, stand: null }
    }
    return { row, ...buildStand(readCsvStand(cells, columns.fields, report), report) }
  })
  return finish(rows, issues, options, pathOf('code'), orderOf('code'))
}

function fileError(message: string): StandImportResult {
  return { ok: false, errors: [{ row: 0, path: '', message }], errorCount: 1 }
}

interface ReadRow {
  row: number
  /** the row's code when the code itself is valid, even if other cells are not: a clash is reported at once */
  code: string | null
  stand: StandInput | null
}

/** Duplicate codes (within the file, then against the database), then the verdict. */
function finish(rows: ReadRow[], issues: Issues, options: StandImportOptions, codePath: string, codeOrder: number): StandImportResult {
  const firstRow = new Map<string, number>()
  const existing = new Set([...(options.existingCodes ?? [])].map(standCodeKey))
  for (const { row, code } of rows) {
    if (code === null) continue
    const key = standCodeKey(code)
    const earlier = firstRow.get(key)
    if (earlier !== undefined) issues.add(row, codePath, `Duplicate code "${code}": also in row ${earlier}.`, codeOrder)
    else firstRow.set(key, row)
    if (existing.has(key)) issues.add(row, codePath, `A stand with code "${code}" already exists at this event.`, codeOrder)
  }
  if (issues.count > 0) return issues.result()
  return { ok: true, stands: rows.map((r) => r.stand as StandInput) }
}

class Issues {
  private list: (ImportIssue & { order: number })[] = []
  count = 0
  /** `order` places the issue within its row: 0 for the row as a whole, then by column or field. */
  add(row: number, path: string, message: string, order = 0) {
    this.count++
    this.list.push({ row, path, message, order })
  }
  result(): StandImportResult {
    // Rows are read in passes (cells, rules, then duplicates across rows); people read a row left to right. Stable.
    const errors = [...this.list]
      .sort((a, b) => a.row - b.row || a.order - b.order)
      .slice(0, MAX_REPORTED_ERRORS)
      .map(({ row, path, message }) => ({ row, path, message }))
    return { ok: false, errors, errorCount: this.count }
  }
}

// JSON

function jsonPath(field: Field | ''): string {
  if (field === '') return ''
  if ((POSITION as readonly string[]).includes(field)) return `/position/${field}`
  if ((FEATURES as readonly string[]).includes(field)) return `/features/${field}`
  return `/${field}`
}

/** A JSON error's place within its element: by the field it is about, in the order of FIELDS; others first. */
function jsonOrder(path: string): number {
  const name = path.split('/').pop() as string
  const field = name === 'features' ? 'power' : name === 'position' ? 'x' : name
  return FIELDS.indexOf(field as Field) + 1
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The element's values, or null when it is not an object at all (reported). */
function readJsonStand(element: unknown, report: (path: string, message: string) => void): Values | null {
  const values: Values = {}
  if (!isObject(element)) {
    report('', 'Must be an object.')
    return null
  }
  const take = (source: Record<string, unknown>, field: Field, type: 'string' | 'number' | 'boolean') => {
    const value = source[field]
    if (value === undefined) return
    if (typeof value === type) {
      values[field] = value as Value
    } else {
      values[field] = INVALID
      report(jsonPath(field), `Must be a ${type}.`)
    }
  }
  for (const key of Object.keys(element)) {
    // `currency` is the import's own column (checked, not stored); every other field is the body schema's.
    if (key !== 'currency' && !Object.hasOwn(StandCreate.properties, key)) report(`/${key}`, 'Is not a field of a stand.')
  }
  for (const field of ['code', 'area', 'currency'] as const) take(element, field, 'string')
  for (const field of ['widthM', 'depthM', 'priceCents'] as const) take(element, field, 'number')
  for (const [name, fields] of [['features', FEATURES], ['position', POSITION]] as const) {
    const object = element[name]
    if (object === undefined) continue
    if (!isObject(object)) {
      report(`/${name}`, 'Must be an object.')
      for (const field of fields) values[field] = INVALID
      continue
    }
    for (const key of Object.keys(object)) if (!(fields as readonly string[]).includes(key)) report(`/${name}/${key}`, `Is not a field of a stand's ${name}.`)
    for (const field of fields) take(object, field, field === 'power' ? 'boolean' : 'number')
    if (name === 'position') for (const field of fields) values[field] ??= MISSING
  }
  return values
}

// CSV

function delimiterOf(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\r|\n|$/))
  return header.includes(';') && !header.includes(',') ? ';' : ','
}

function csvErrorMessage(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'A quoted cell is not closed: a " is missing.'
    case 'INVALID_OPENING_QUOTE':
      return 'A " inside a cell that does not start with one: quote the whole cell and double the " inside it.'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'Text follows the closing " of a quoted cell: quote the whole cell and double the " inside it.'
    case 'CSV_MAX_RECORD_SIZE':
      return 'A row is far too long: is a quote left open, or is the delimiter wrong?'
    default:
      return `Not readable as CSV: ${error.message}`
  }
}

/** Column index → field, and field → the column's name as the file spells it. Null when the header is unusable. */
function readHeader(header: string[], rows: string[][], issues: Issues) {
  const fields: (Field | null)[] = []
  const names = new Map<Field, string>()
  const byLowerName = new Map(FIELDS.map((f) => [f.toLowerCase(), f]))
  header.forEach((cell, index) => {
    const name = cell.trim()
    const field = byLowerName.get(name.toLowerCase())
    fields.push(null)
    if (name === '') {
      // Spreadsheets save trailing empty columns; a nameless column with something in it is a mistake.
      if (rows.some((cells) => (cells[index] ?? '').trim() !== '')) issues.add(1, '', `Column ${index + 1} has no name but holds values.`)
    } else if (!field) {
      issues.add(1, name, `Unknown column; the columns are ${FIELDS.join(', ')}.`)
    } else if (names.has(field)) {
      issues.add(1, name, 'This column appears twice.')
    } else {
      fields[index] = field
      names.set(field, name)
    }
  })
  if (!names.has('code')) issues.add(1, 'code', 'The code column is required.')
  return issues.count > 0 ? null : { fields, names }
}

const DECIMAL = /^-?\d+(?:[.,]\d+)?$/
const INTEGER = /^-?\d+$/
const TRUE = ['true', 'yes', 'ja', '1']
const FALSE = ['false', 'no', 'nein', '0']

function readCsvStand(cells: string[], fields: (Field | null)[], report: Report): Values {
  const values: Values = {}
  fields.forEach((field, index) => {
    const cell = cells[index].trim()
    if (!field || cell === '') return
    const invalid = (message: string) => {
      values[field] = INVALID
      report(field, message)
    }
    if (cell.includes('\uFFFD')) return invalid('Is not valid UTF-8 text: save the file as "CSV UTF-8".')
    switch (field) {
      case 'code':
      case 'area':
      case 'currency':
        values[field] = cell
        return
      case 'power':
        if (TRUE.includes(cell.toLowerCase())) values.power = true
        else if (FALSE.includes(cell.toLowerCase())) values.power = false
        else invalid('Must be yes or no (true/false, ja/nein, 1/0).')
        return
      case 'priceCents':
        if (INTEGER.test(cell)) values[field] = Number(cell)
        else invalid('Must be a whole number of cents, e.g. 2500 for 25 €.')
        return
      case 'tables':
      case 'chairs':
        if (INTEGER.test(cell)) values[field] = Number(cell)
        else invalid('Must be a whole number.')
        return
      default:
        if (DECIMAL.test(cell)) values[field] = Number(cell.replace(',', '.'))
        else invalid('Must be a number, e.g. 2.5 or 2,5.')
    }
  })
  return values
}

// Rules common to both formats

/** The stand the values describe, or null after reporting what is wrong with them; and the code if it is valid. */
function buildStand(values: Values, report: Report): Omit<ReadRow, 'row'> {
  let valid = !Object.values(values).includes(INVALID)
  const fail = (field: Field | '', message: string) => {
    valid = false
    report(field, message)
  }
  // Reads a value that has the right type; undefined when absent, missing or already reported as invalid.
  const get = <T extends Value>(field: Field) => {
    const value = values[field]
    return value === INVALID || value === MISSING ? undefined : (value as T | undefined)
  }

  // Composed form, so that "Ä" typed on a Mac and on Windows is one code in the database too.
  const code = get<string>('code')?.trim().normalize('NFC')
  let codeValid = false
  if (values.code === INVALID) {
    // reported by the reader
  } else if (!code) fail('code', 'Is required.')
  else if (code.length > STAND_LIMITS.codeMaxLength) fail('code', `At most ${STAND_LIMITS.codeMaxLength} characters.`)
  else if (CONTROL.test(code)) fail('code', 'Must not contain line breaks or control characters.')
  else codeValid = true

  const area = get<string>('area')?.trim()
  if (area !== undefined && area.length > STAND_LIMITS.areaMaxLength) fail('area', `At most ${STAND_LIMITS.areaMaxLength} characters.`)
  else if (area !== undefined && CONTROL.test(area)) fail('area', 'Must not contain line breaks or control characters.')

  const widthM = get<number>('widthM')
  const depthM = get<number>('depthM')
  for (const [field, metres] of [['widthM', widthM], ['depthM', depthM]] as const) {
    if (metres === undefined) continue
    if (!(metres > 0 && metres <= STAND_LIMITS.sideMaxM)) fail(field, `Must be more than 0 and at most ${STAND_LIMITS.sideMaxM} metres.`)
    else if (Math.abs(metres * 100 - Math.round(metres * 100)) > 1e-6) fail(field, 'At most two decimals (centimetres).')
  }
  const priceCents = get<number>('priceCents')
  if (priceCents !== undefined && !(Number.isInteger(priceCents) && priceCents >= 0 && priceCents <= STAND_LIMITS.priceMaxCents)) {
    fail('priceCents', `Must be a whole number of cents from 0 to ${STAND_LIMITS.priceMaxCents}.`)
  }
  const currency = get<string>('currency')
  if (currency !== undefined && currency.trim().toUpperCase() !== 'EUR') fail('currency', 'Only EUR is supported.')

  const features: StandFeatures = {}
  const power = get<boolean>('power')
  if (power !== undefined) features.power = power
  for (const field of ['tables', 'chairs'] as const) {
    const count = get<number>(field)
    if (count === undefined) continue
    if (Number.isInteger(count) && count >= 0 && count <= STAND_LIMITS.furnitureMax) features[field] = count
    else fail(field, `Must be a whole number from 0 to ${STAND_LIMITS.furnitureMax}.`)
  }

  const position: Partial<StandPosition> = {}
  if (POSITION.some((field) => values[field] !== undefined)) {
    for (const field of POSITION) {
      const n = get<number>(field)
      if (values[field] === INVALID) continue
      if (n === undefined) fail(field, 'Is required: a position has x, y, w and h.')
      else if (field === 'x' || field === 'y') {
        if (n >= 0 && n <= STAND_LIMITS.positionMax) position[field] = n
        else fail(field, `Must be from 0 to ${STAND_LIMITS.positionMax}.`)
      } else if (n > 0 && n <= STAND_LIMITS.positionMax) position[field] = n
      else fail(field, `Must be more than 0 and at most ${STAND_LIMITS.positionMax}.`)
    }
  }
  if (!valid || !codeValid || !code) return { code: codeValid && code ? code : null, stand: null }

  const stand: StandInput = { code }
  if (area) stand.area = area
  if (widthM !== undefined) stand.widthM = widthM
  if (depthM !== undefined) stand.depthM = depthM
  if (priceCents !== undefined) stand.priceCents = priceCents
  if (Object.keys(features).length > 0) stand.features = features
  if (Object.keys(position).length === POSITION.length) stand.position = position as StandPosition
  if (!standSchema.Check(stand)) {
    for (const error of standSchema.Errors(stand)) report('', `${error.instancePath || 'The stand'}: ${error.message}`)
    return { code, stand: null }
  }
  return { code, stand }
}
