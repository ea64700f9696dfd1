import { randomUUID } from 'node:crypto'
/*
 * Generators for the bad-input corpus (test/hardening/bad-input*.test.ts).
 *
 * Every case is invalid on purpose: a valid base body (or query) is broken in one or two places chosen from the
 * route's own JSON schema (a required field removed, a field of the wrong type, a string over its maxLength or
 * off its pattern, a number out of range, an extra field, a __proto__ key…), or the envelope is broken (invalid
 * JSON, a wrong content type, an empty body, a body over the route's limit). Before a case is sent, the app's
 * own validator (src/http/validation.ts, with the app's shared schemas) confirms the body is invalid, so a
 * 2xx answer is always the service's bug, never the generator's luck.
 */
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client.js'
import { routeCatalog } from '../../src/http/body-limits.js'
import { findBadText } from '../../src/http/text-guard.js'
import { buildValidator } from '../../src/http/validation.js'
import { MAX_IMPORT_ROWS } from '../../src/features/stands/stand-import.js'
import { eventBody } from './app.js'
import { signUpBody } from './associations.js'
import { bearer, standsSetup, type StandsSetup } from './stands.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON schemas are untyped here on purpose
export type Schema = Record<string, any>

/** One generated request body: what is sent, and why it is invalid. */
export interface BodyCase {
  kind: string
  payload: string
  /** null: no content-type header at all */
  contentType: string | null
  /** the answer must be exactly this status (413 for bodies over the limit) */
  status?: number
}

export interface QueryCase {
  kind: string
  query: string
}

/** The seed every run uses unless BAD_INPUT_SEED says otherwise; printed with every failure. */
export const SEED = process.env.BAD_INPUT_SEED ? Number(process.env.BAD_INPUT_SEED) : 20261126
export const RUNS = process.env.BAD_INPUT_RUNS ? Number(process.env.BAD_INPUT_RUNS) : 1000

/** Resolves `$ref`s to the app's shared schemas (by `$id`), deep-copying, so generators see one plain tree. */
export function derefSchema(schema: Schema, defs: Record<string, Schema>, depth = 0): Schema {
  if (depth > 50) throw new Error('schema nesting too deep')
  if (Array.isArray(schema)) return schema.map((s) => derefSchema(s, defs, depth + 1)) as unknown as Schema
  if (schema === null || typeof schema !== 'object') return schema
  if (typeof schema.$ref === 'string') {
    const target = defs[schema.$ref.replace(/#$/, '')]
    if (!target) throw new Error(`unknown $ref ${schema.$ref}`)
    return derefSchema(target, defs, depth + 1)
  }
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema)) {
    out[key] = value !== null && typeof value === 'object' && key !== 'enum' && key !== 'default' ? derefSchema(value, defs, depth + 1) : value
  }
  return out
}

/** The app's own validator for a schema part (body: strict types; querystring: coerced, as in the app). */
export function validatorFor(app: FastifyInstance, schema: Schema, httpPart: 'body' | 'querystring'): (value: unknown) => boolean {
  const compile = buildValidator(app.getSchemas(), { customOptions: {}, plugins: [] })
  const validate = compile({ schema, method: 'POST', url: '/bad-input', httpPart } as never) as (value: unknown) => boolean
  return (value) => validate(structuredClone(value))
}

// ---------------------------------------------------------------------------------------------- strings

/** Single code points that stress length counting, encodings and text handling. */
const CODE_POINTS = ['a', 'Z', '0', ' ', 'ß', 'İ', 'ı', 'م', 'ע', '😀', '\u202E', '\u200F', '\u200B', '\u0000', '\u0007', '\n', '\t', '\u00A0', '\uFEFF', '\u0301']

/** Strings that have broken services before: empty, blank, NUL, RTL overrides, lone surrogates, injections… */
export const NASTY_STRINGS = [
  '',
  ' ',
  '   \t  ',
  '\u0000',
  'a\u0000b',
  '\u202Egnp.exe',
  'مرحبا بكم في المعرض',
  'שלום',
  '\u200F\u200E',
  'İstanbul Çalışma Ortaklığı',
  '👩‍👩‍👧‍👦',
  '\uD800',
  '\uDFFF\uD800',
  'e\u0301\u0301\u0301',
  '\r\n',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  "Robert'); DROP TABLE accounts;--",
  '${jndi:ldap://x}',
  '%00',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'x'.repeat(257),
  '\u0000'.repeat(64),
]

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CODE_POINTS), fc.integer({ min: 1, max: 3000 })).map(([c, n]) => c.repeat(n)) },
)

/** A string of exactly `n` code points (what Ajv's length counts), built from one of the stress code points. */
const codePoints = (min: number, max: number) =>
  fc.tuple(fc.constantFrom(...CODE_POINTS), fc.integer({ min, max })).map(([c, n]) => c.repeat(n))

const DEEP_MAX = 3000

/** Nested arrays or objects, deep enough to hurt a recursive parser or validator. */
export const deepJson: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 50, max: DEEP_MAX }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 50, max: DEEP_MAX / 2 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 50, max: DEEP_MAX / 2 }).map((d) => '[{"__proto__":'.repeat(d) + 'null' + '}]'.repeat(d)),
)

// ---------------------------------------------------------------------------------------------- values

const otherJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>

function typesOf(schema: Schema): Set<string> {
  const types = new Set<string>()
  for (const branch of schema.anyOf ?? schema.oneOf ?? [schema]) {
    if (branch.type) for (const t of [branch.type].flat()) types.add(t)
    else if (branch.enum) for (const v of branch.enum) types.add(v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v)
    else if (branch.properties) types.add('object')
  }
  if (types.has('number')) types.add('integer')
  return types
}

/** Values of a JSON type the schema does not allow. */
function wrongType(schema: Schema): fc.Arbitrary<Json> {
  const allowed = typesOf(schema)
  const options: fc.Arbitrary<Json>[] = []
  if (!allowed.has('string')) options.push(nastyString, fc.constant('1'), fc.constant('true'))
  if (!allowed.has('integer')) options.push(fc.integer(), fc.constantFrom(0, -1, 1e21, Number.MAX_SAFE_INTEGER + 2))
  if (!allowed.has('number')) options.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)))
  if (!allowed.has('boolean')) options.push(fc.boolean())
  if (!allowed.has('null')) options.push(fc.constant(null))
  if (!allowed.has('array')) options.push(fc.array(otherJson, { maxLength: 5 }), fc.constant([]))
  if (!allowed.has('object')) options.push(fc.dictionary(fc.string({ maxLength: 8 }), otherJson, { maxKeys: 4 }) as fc.Arbitrary<Json>, fc.constant({}))
  return fc.oneof(...options)
}

/** A value that breaks one of the schema's own constraints while keeping an allowed type. */
function brokenConstraint(schema: Schema): fc.Arbitrary<Json>[] {
  const out: fc.Arbitrary<Json>[] = []
  for (const s of schema.anyOf ?? schema.oneOf ?? [schema]) {
    const type = [s.type].flat()[0]
    if (s.enum) {
      const values = s.enum as Json[]
      if (values.every((v) => typeof v === 'string')) {
        out.push(
          fc.oneof(
            fc.constantFrom(...values.map((v) => String(v).toUpperCase()), ...values.map((v) => ` ${v}`), ...values.map((v) => `${v}\u0000`)),
            nastyString,
          ).filter((v) => !values.includes(v)),
        )
      }
      if (values.every((v) => typeof v === 'boolean')) out.push(fc.constant(!values[0]))
      continue
    }
    if (type === 'string') {
      if (typeof s.maxLength === 'number') out.push(codePoints(s.maxLength + 1, s.maxLength + Math.min(3000, 2 * s.maxLength + 50)))
      if (s.minLength > 0) out.push(fc.string({ maxLength: s.minLength - 1 }), fc.constant(''))
      if (s.pattern) {
        const re = new RegExp(s.pattern, 'u')
        out.push(nastyString.filter((v) => !re.test(v)))
      }
      if (s.format === 'uuid') {
        out.push(
          fc.constantFrom('00000000-0000-0000-0000-00000000000g', '123', 'xyz', '{00000000-0000-0000-0000-000000000000}', '00000000000000000000000000000000 ', ''),
          fc.uuid().map((u) => `urn:uuid:${u}`),
          nastyString,
        )
      }
      // The last two pass the date-time format; the service must refuse them (SEMANTICALLY_INVALID).
      if (s.format === 'date-time') out.push(fc.constantFrom('2026-13-01T00:00:00Z', '2026-02-30T25:00:00Z', 'yesterday', '1700000000', '2026-01-01', '', '2026-12-31T23:59:60Z', '0000-01-01T00:00:00Z'), nastyString)
      if (s.format === 'email') out.push(fc.constantFrom('no-at-sign', '@example.org', 'a@', 'a b@example.org', 'a@b@c', ''), nastyString)
    }
    if (type === 'integer' || type === 'number') {
      if (typeof s.minimum === 'number') out.push(fc.integer({ min: -1e6, max: -1 }).map((d) => s.minimum + d), fc.constant(-1e300))
      if (typeof s.exclusiveMinimum === 'number') out.push(fc.constant(s.exclusiveMinimum), fc.constant(s.exclusiveMinimum - 0.5))
      if (typeof s.maximum === 'number') out.push(fc.integer({ min: 1, max: 1e6 }).map((d) => s.maximum + d), fc.constant(1e300))
      if (type === 'integer') out.push(fc.integer({ min: 0, max: 100 }).map((d) => d + 0.5))
    }
    if (type === 'array' && s.items) {
      out.push(fc.array(invalidValue(s.items), { minLength: 1, maxLength: 3 }))
    }
    if (type === 'object' && s.properties) {
      const keys = Object.keys(s.properties)
      if ((s.required ?? []).length > 0) out.push(fc.constant({}))
      if (s.additionalProperties === false) out.push(extraKey(keys).map((k) => ({ [k]: 1 })))
      out.push(fc.constantFrom(...keys).chain((k) => invalidValue(s.properties[k]).map((v) => ({ [k]: v }))))
    }
  }
  return out
}

/** Any value that the schema refuses. */
export function invalidValue(schema: Schema): fc.Arbitrary<Json> {
  return fc.oneof(wrongType(schema), ...brokenConstraint(schema))
}

/** A key an object schema does not list. */
function extraKey(known: string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom('constructor', 'prototype', 'toString', 'hasOwnProperty', 'isAdmin', 'role', 'id', '', ' ', '\u0000', '\u202Eadmin', 'مفتاح', 'a'.repeat(1000)),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    )
    .filter((k) => !known.includes(k))
}

// ---------------------------------------------------------------------------------------------- mutations of a base

type Path = (string | number)[]
type Mutation = { path: Path; op: 'set'; value: fc.Arbitrary<Json> } | { path: Path; op: 'delete' }

/** Every place of `value` where one constraint of `schema` can be broken, and how. */
function mutations(schema: Schema, value: Json | undefined, path: Path, out: Mutation[]) {
  out.push({ path, op: 'set', value: invalidValue(schema) })
  if (value === undefined || value === null) return
  const s = (schema.anyOf ?? schema.oneOf ?? [schema]).find((b: Schema) => typesOf(b).has(Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : '-')) ?? schema
  if (typeof value === 'object' && !Array.isArray(value) && s.properties) {
    for (const [key, propSchema] of Object.entries(s.properties as Record<string, Schema>)) {
      const present = key in value
      if (present) mutations(propSchema, value[key], [...path, key], out)
      else out.push({ path: [...path, key], op: 'set', value: invalidValue(propSchema) })
      if (present && (s.required ?? []).includes(key) && propSchema.default === undefined) out.push({ path: [...path, key], op: 'delete' })
    }
    if (s.additionalProperties === false) {
      const keys = Object.keys(s.properties)
      out.push({ path: [...path, '\u0001extra'], op: 'set', value: fc.constant(null) })
      out.push({ path: [...path, '\u0001extra'], op: 'set', value: extraKey(keys).chain((k) => otherJson.map((v) => ({ [k]: v }) as Json)) })
    }
    if (s.minProperties > 0) out.push({ path, op: 'set', value: fc.constant({}) })
  }
  if (Array.isArray(value) && s.items) {
    if (typeof s.maxItems === 'number' && value.length > 0) {
      const item = value[0]
      out.push({ path, op: 'set', value: fc.integer({ min: s.maxItems + 1, max: s.maxItems + 5 }).map((n) => Array.from({ length: n }, () => item)) })
    }
    if (s.minItems > 0) out.push({ path, op: 'set', value: fc.constant([]) })
    if (s.uniqueItems && value.length > 0) out.push({ path, op: 'set', value: fc.constant([value[0], value[0]]) })
    if (value.length > 0) mutations(s.items, value[0], [...path, 0], out)
    out.push({ path: [...path, value.length], op: 'set', value: invalidValue(s.items) })
  }
}

function applyMutation(base: Json, path: Path, op: 'set' | 'delete', value: Json): Json {
  if (path.length === 0) return op === 'set' ? value : base
  const root = structuredClone(base)
  let node: Json = root
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return root
    node = (node as Record<string | number, Json>)[key]
  }
  if (node === null || typeof node !== 'object') return root
  const last = path[path.length - 1]
  const target = node as Record<string | number, Json>
  if (op === 'delete') delete target[last]
  else if (last === '\u0001extra') {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true })
    else target['\u0001extra'] = value
  } else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true })
  return root
}

/** Paths of the objects inside `value` (for key injection). */
function objectPaths(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === 'object') {
    if (!Array.isArray(value)) out.push(path)
    for (const [k, v] of Object.entries(value)) objectPaths(v, [...path, Array.isArray(value) ? Number(k) : k], out)
  }
  return out
}

const MARK = '\u0001mark'
/** Keys that Fastify's JSON parser refuses whatever the schema says. */
const POISONED = /"(__proto__|\\u005f_proto__)":|"constructor":\{"prototype"/

/** The JSON text of `base` with `raw` inserted as a member of the object at `path`. */
function injectMember(base: Json, path: Path, raw: string): string {
  const marked = applyMutation(base, [...path, MARK], 'set', 0)
  const text = JSON.stringify(marked)
  const key = JSON.stringify(MARK) + ':0'
  return text.includes(key + ',') ? text.replace(key + ',', raw + ',') : text.replace(key, raw)
}

/** The JSON text of `base` with the value at `path` replaced by `raw`. */
function replaceValue(base: Json, path: Path, raw: string): string {
  const marker = `${MARK}-value`
  return JSON.stringify(applyMutation(base, path, 'set', marker)).replace(JSON.stringify(marker), raw)
}

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/html; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  'image/png',
  'application/jsonp',
  'json',
  '',
]

const INVALID_JSON = [
  '{',
  '}',
  '{"a":1,}',
  '[1,]',
  "{'a':1}",
  '{a:1}',
  'NaN',
  'undefined',
  '{"a":01}',
  '{"a":"\u0001"}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"',
  '\u0000',
  '{"a":1}{"b":2}',
  '// comment\n{}',
  '{"a":Infinity}',
]

export interface BodyCaseOptions {
  schema: Schema
  /** a valid body: every case is a broken copy of it */
  base: Json
  limit: number
  /** the app's validator for this body: a case is only sent when it refuses it */
  validate(value: unknown): boolean
  /** extra content types the route takes (e.g. text/csv for the stand import), never sent as "wrong" */
  contentTypes?: string[]
}

/** Values the schema takes but the service must refuse: a leap second or year 0 (no JS Date, no PostgreSQL timestamp). */
const SEMANTICALLY_INVALID = /T23:59:60Z|"0000-01-01T/

/**
 * Whether a JSON payload is refused: it does not parse, the route's schema refuses it, it holds a NUL or a lone
 * surrogate (src/http/text-guard.ts refuses those everywhere) or a time no database can hold.
 */
function refused(payload: string, validate: (value: unknown) => boolean): boolean {
  try {
    const body = JSON.parse(payload.replace(/^\uFEFF/, ''))
    return !validate(body) || findBadText(body, '') !== null || SEMANTICALLY_INVALID.test(payload)
  } catch {
    return true
  }
}

/** Paths of the strings inside `value`. */
function stringPaths(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'string') out.push(path)
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringPaths(v, [...path, Array.isArray(value) ? Number(k) : k], out)
  return out
}

/** Text PostgreSQL cannot store, inside otherwise ordinary text. */
const unstorableText = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('\u0000', '\uD800', '\uDFFF', 'a\uDC00b'), fc.string({ unit: 'grapheme', maxLength: 10 }))
  .map(([a, bad, b]) => a + bad + b)

export function bodyCases({ schema, base, limit, validate, contentTypes = [] }: BodyCaseOptions): fc.Arbitrary<BodyCase> {
  if (!validate(base)) throw new Error(`the base body is not valid: ${JSON.stringify(base).slice(0, 300)}`)
  const all: Mutation[] = []
  mutations(schema, base, [], all)
  const baseText = JSON.stringify(base)
  const json = (kind: string) => (payload: string): BodyCase => ({ kind, payload, contentType: 'application/json' })
  const mutation = fc
    .constantFrom(...all)
    .chain((m): fc.Arbitrary<{ path: Path; op: 'set' | 'delete'; v: Json }> => (m.op === 'delete' ? fc.constant({ path: m.path, op: m.op, v: null }) : m.value.map((v) => ({ path: m.path, op: m.op, v }))))
  const paths = objectPaths(base)

  const schemaBroken = fc
    .array(mutation, { minLength: 1, maxLength: 2 })
    .map((ms) => ms.reduce<Json>((body, m) => applyMutation(body, m.path, m.op, m.v), base))
    .map((body) => JSON.stringify(body) ?? 'null')
    .map(json('schema'))
  const wrongTop = fc.oneof(fc.constantFrom('[]', '""', '0', 'null', 'true', '"{}"', JSON.stringify(baseText)), fc.constant(`[${baseText}]`)).map(json('top-level type'))
  const invalidJson = fc
    .oneof(
      fc.constantFrom(...INVALID_JSON),
      fc.integer({ min: 0, max: baseText.length - 1 }).map((n) => baseText.slice(0, n)),
      fc.string({ unit: 'binary', maxLength: 50 }).map((s) => baseText + s),
      fc.constant(baseText.replace(/"/g, "'")),
    )
    .map(json('invalid json'))
  const wrongContentType = fc
    .tuple(fc.constantFrom(...WRONG_CONTENT_TYPES.filter((c) => !contentTypes.some((ok) => c.startsWith(ok)))), fc.constantFrom(baseText, 'a=1&b=2', '<x/>'))
    .map(([contentType, payload]): BodyCase => ({ kind: 'content type', payload, contentType }))
  const noContentType = fc.constant<BodyCase>({ kind: 'no content type', payload: baseText, contentType: null })
  const empty = fc.constantFrom('', ' ', '\n').map(json('empty body'))
  const poison = fc
    .tuple(
      fc.constantFrom(...paths),
      fc.constantFrom('"__proto__":{"isAdmin":true}', '"__proto__":null', '"constructor":{"prototype":{"polluted":true}}', '"__proto__":{"role":"admin"}', '"constructor":1', '"prototype":{}', '"\\u005f_proto__":{"x":1}'),
    )
    .map(([path, raw]) => injectMember(base, path, raw))
    .map(json('__proto__ / constructor'))
  const deep = fc
    .tuple(fc.constantFrom(...all.filter((m) => m.path.length > 0 && m.path[m.path.length - 1] !== '\u0001extra').map((m) => m.path)), deepJson)
    .map(([path, raw]) => replaceValue(base, path, raw))
    .map(json('deep nesting'))
  const texts = stringPaths(base)
  const unstorable = texts.length
    ? fc.tuple(fc.constantFrom(...texts), unstorableText).map(([path, text]) => JSON.stringify(applyMutation(base, path, 'set', text))).map(json('NUL / lone surrogate'))
    : schemaBroken
  // A route that also takes CSV (the stand import) gets CSV that no reading makes valid: an unknown column,
  // an unclosed quote, a header and no rows, or a row with a value the schema refuses.
  const csvCell = fc.string({ unit: 'grapheme', maxLength: 12 }).map((c) => `"${c.replace(/"/g, '""')}"`)
  const invalidCsv = contentTypes.includes('text/csv')
    ? fc
        .oneof(
          fc.tuple(nastyString, fc.array(csvCell, { maxLength: 3 })).map(([col, cells]) => `code,zz${col.replace(/[\r\n",;]/g, '')}\nA1,${cells.join(',')}\n`),
          fc.constantFrom('code\n"A1\n', 'code,area\n', '', '\uFEFF', ';;;\n;;;', 'code,code\nA1,A1\n', 'code\nA1\na1\n', 'code,widthM\nA1,abc\n', 'code,widthM\nA1,-1\n', 'code,priceCents\nA1,1.5\n', 'code,power\nA1,vielleicht\n', 'code,x\nA1,1\n'),
          fc.tuple(fc.integer({ min: 33, max: 300 }), fc.constantFrom('a', 'ß', '😀')).map(([n, c]) => `code\n${c.repeat(n)}\n`),
        )
        .map((payload): BodyCase => ({ kind: 'invalid csv', payload, contentType: 'text/csv' }))
    : schemaBroken
  const overLimit = fc.integer({ min: 1, max: 4096 }).map(
    (extra): BodyCase => ({ kind: 'over the limit', payload: baseText + ' '.repeat(Math.max(0, limit - Buffer.byteLength(baseText)) + extra), contentType: 'application/json', status: 413 }),
  )

  const weighted: fc.WeightedArbitrary<BodyCase>[] = [
    { weight: 12, arbitrary: schemaBroken },
    { weight: 1, arbitrary: wrongTop },
    { weight: 2, arbitrary: invalidJson },
    { weight: 2, arbitrary: wrongContentType },
    { weight: 1, arbitrary: noContentType },
    { weight: 1, arbitrary: empty },
    { weight: 2, arbitrary: poison },
    { weight: 1, arbitrary: deep },
    { weight: 2, arbitrary: unstorable },
    { weight: 1, arbitrary: overLimit },
  ]
  if (contentTypes.includes('text/csv')) weighted.push({ weight: 4, arbitrary: invalidCsv })
  return fc
    .oneof(...weighted)
    .filter((c) => c.contentType !== 'application/json' || c.status === 413 || POISONED.test(c.payload) || refused(c.payload, validate))
}

// ---------------------------------------------------------------------------------------------- queries

/** The query string of an object whose values are strings or repeated strings (as Fastify's parser reads it back). */
export function toQueryString(query: Record<string, string | string[]>): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`)
  return parts.join('&')
}

/** A URL carries UTF-8: a lone surrogate arrives as U+FFFD, so that is what the oracle must judge. */
const wellFormed = (v: string) => v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
function wellFormedQuery(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(query)) Object.defineProperty(out, wellFormed(k), { value: Array.isArray(v) ? v.map(wellFormed) : wellFormed(v), enumerable: true, writable: true, configurable: true })
  return out
}

export interface QueryCaseOptions {
  schema: Schema
  base: Record<string, string>
  validate(value: unknown): boolean
}

const asText = (v: Json): string => (typeof v === 'string' ? v : JSON.stringify(v))

export function queryCases({ schema, base, validate }: QueryCaseOptions): fc.Arbitrary<QueryCase> {
  if (!validate(base)) throw new Error(`the base query is not valid: ${JSON.stringify(base)}`)
  const props = schema.properties as Record<string, Schema>
  const keys = Object.keys(props)
  const textFor = (s: Schema): fc.Arbitrary<string> => {
    const type = [...typesOf(s)][0]
    const numeric = type === 'integer' || type === 'number'
    return fc.oneof(
      invalidValue(s).map(asText),
      numeric ? fc.constantFrom('abc', '1.5', '', ' ', '1e999', '0x10', 'NaN', '-0.1', '١٢', '1\u0000', 'Infinity', '9'.repeat(400)) : nastyString,
    )
  }
  const set = fc.constantFrom(...keys).chain((key) =>
    fc.oneof({ weight: 4, arbitrary: textFor(props[key]) }, { weight: 1, arbitrary: fc.constantFrom('a\u0000', '\u0000\u0000', 'ab\u0000cd') }).map((v) => ({ ...base, [key]: v })),
  )
  const repeated = fc.constantFrom(...keys).chain((key) => fc.tuple(textFor(props[key]), nastyString).map(([a, b]) => ({ ...base, [key]: [base[key] ?? a, b] })))
  const required = (schema.required ?? []).filter((k: string) => props[k].default === undefined) as string[]
  const missing = required.length ? fc.constantFrom(...required).map((key) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key))) : set
  const extra =
    schema.additionalProperties === false
      ? fc.tuple(extraKey(keys).filter((k) => k !== ''), nastyString).map(([k, v]) => ({ ...base, [k]: v }))
      : set
  const generated = fc
    .oneof({ weight: 6, arbitrary: set }, { weight: 2, arbitrary: repeated }, { weight: 1, arbitrary: missing }, { weight: 2, arbitrary: extra })
    .map(wellFormedQuery)
    .filter((q) => !validate(q) || findBadText(q, '') !== null)
    .map((q): QueryCase => ({ kind: 'schema', query: toQueryString(q as Record<string, string | string[]>) }))
  // A cursor of the right alphabet that this service never gave out: the schema takes it, the list must not.
  const cursor = keys.includes('cursor')
    ? fc
        .oneof(
          fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/),
          // Any JSON but an array of strings (some lists' keys are just strings, e.g. a stand code: those are real cursors).
          fc
            .jsonValue({ maxDepth: 2 })
            .filter((v) => !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
            .map((v) => Buffer.from(JSON.stringify(v) ?? 'x').toString('base64url').slice(0, 200) || 'x'),
          fc.constantFrom('W10', 'bnVsbA', 'WzEsMiwzXQ', 'e30', 'WyJ4IiwxXQ'),
        )
        .map((c): QueryCase => ({ kind: 'foreign cursor', query: toQueryString({ ...base, cursor: c }) }))
    : generated
  return fc.oneof({ weight: 5, arbitrary: generated }, { weight: 1, arbitrary: cursor })
}

// ---------------------------------------------------------------------------------------------- fixtures and routes

/** One route under test: who asks (real credentials of the role the route is for), where, and a valid base. */
export interface RouteFixture {
  headers: Record<string, string>
  /** the url with real ids in its parameters */
  url: string
  body?: Json
  query?: Record<string, string>
  /** a body schema for a route that parses its body itself (the stand import) */
  bodySchema?: Schema
  contentTypes?: string[]
  /** what the route does to a body before judging it, so the oracle judges the same thing */
  normalize?: (body: unknown) => unknown
}

/** The stand import trims codes and areas (spreadsheet cells come padded), then is as strict as the create. */
function trimStands(body: unknown): unknown {
  if (!Array.isArray(body)) return body
  return body.map((row) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return row
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(row)) Object.defineProperty(out, k, { value: (k === 'code' || k === 'area') && typeof v === 'string' ? v.trim() : v, enumerable: true, writable: true, configurable: true })
    return out
  })
}

export interface Fixtures {
  setup: StandsSetup
  routes: Record<string, RouteFixture>
}

/** Everything the routes need, made once per test file through the real API (and the shared test helpers). */
export async function corpusFixtures(t: Test): Promise<Fixtures> {
  const setup = await standsSetup(t)
  const { ctx, admin, organizer } = setup
  const event = await setup.event()
  const eventId = event.id as string
  const guest = await setup.register(eventId, 1, 'Guest One')
  const scanner = await setup.scanner(eventId)
  const exhibitor = await setup.association('Kulturverein Nordstadt')
  const stand = await setup.stand(eventId, { area: 'Halle 1' })
  const booking = await setup.book(eventId, exhibitor)
  const pass = await setup.exhibitorPass(eventId)
  const anon = {}
  const a = admin.auth
  const o = organizer.auth
  const x = exhibitor.member.auth
  const e = `/v1/events/${eventId}`
  const page = { limit: '10' }
  const standCreate = { code: 'B7', area: 'Halle 2', widthM: 3, depthM: 2.5, priceCents: 5000, features: { power: true, tables: 1, chairs: 2 }, position: { x: 10, y: 20, w: 30, h: 25 } }
  const scan = { code: guest.ticket.code, direction: 'entry', scannedAt: new Date(Date.now() - 60_000).toISOString(), nonce: 'n-1' }
  const defs = ctx.app.getSchemas() as Record<string, Schema>
  const at = (minutes: number) => new Date(Date.parse(event.startsAt as string) + minutes * 60_000).toISOString()
  const room = await ctx.app.inject({ method: 'POST', url: `/v1/events/${eventId}/rooms`, headers: organizer.auth, payload: { name: 'Saal 1', capacity: 40 } }).then((r) => r.json())
  const sessionBody = { title: 'Forum Elternvereine', description: 'Mitmachen', kind: 'forum', topics: ['education'], languages: ['de', 'tr'], roomId: room.id, startsAt: at(60), endsAt: at(120), seats: 30, waitlist: true, reservation: 'required', hostAssociationIds: [exhibitor.id] }
  const session = await ctx.app.inject({ method: 'POST', url: `/v1/events/${eventId}/sessions`, headers: organizer.auth, payload: sessionBody }).then((r) => r.json())
  const routes: Record<string, RouteFixture> = {
    'POST /v1/auth/login': { headers: anon, url: '/v1/auth/login', body: { email: admin.email, password: 'correct horse battery' } },
    'POST /v1/auth/magic-link': { headers: anon, url: '/v1/auth/magic-link', body: { email: admin.email } },
    'POST /v1/auth/magic-link/verify': { headers: anon, url: '/v1/auth/magic-link/verify', body: { token: 'vml_not-a-real-token' } },
    'POST /v1/accounts': { headers: a, url: '/v1/accounts', body: { email: 'new-organizer@example.org', name: 'Neue Organisatorin', role: 'organizer', password: 'correct horse battery' } },
    'GET /v1/accounts': { headers: a, url: '/v1/accounts', query: { ...page, role: 'organizer' } },
    'PATCH /v1/accounts/:id': { headers: a, url: `/v1/accounts/${organizer.id}`, body: { name: 'Selin Kaya', role: 'organizer', language: 'tr' } },
    'PATCH /v1/me': { headers: x, url: '/v1/me', body: { name: 'Ayşe Yılmaz', language: 'ar' } },
    'POST /v1/me/password': { headers: x, url: '/v1/me/password', body: { currentPassword: 'correct horse battery', newPassword: 'a new passphrase' } },
    'POST /v1/me/erase/confirm': { headers: anon, url: '/v1/me/erase/confirm', body: { token: 'vml_not-a-real-token' } },
    'POST /v1/events': { headers: a, url: '/v1/events', body: eventBody({ description: 'Vereine stellen sich vor.', maxPartySize: 4, reminders: [{ audience: 'visitors', minutesBefore: 60 }] }) as Json },
    'GET /v1/events': { headers: anon, url: '/v1/events', query: { ...page, status: 'published' } },
    'PATCH /v1/events/:eventId': { headers: o, url: e, body: { title: 'Vereinsmesse 2026', venue: { name: 'Halle', address: 'Straße 1' }, reminders: [{ audience: 'exhibitors', minutesBefore: 30 }] } },
    'POST /v1/events/:eventId/announcements': { headers: o, url: `${e}/announcements`, body: { audience: 'visitors', subject: 'Parken', body: 'Bitte nutzen Sie die Bahn.' } },
    'GET /v1/events/:eventId/emails': { headers: o, url: `${e}/emails`, query: { ...page, status: 'queued' } },
    'POST /v1/events/:eventId/registrations': { headers: anon, url: `${e}/registrations`, body: { email: 'visitor@example.org', name: 'Zeynep Kaya', partySize: 2, language: 'tr', consent: { privacy: true }, accessibilityNeeds: 'Rollstuhl' } },
    'GET /v1/events/:eventId/registrations': { headers: o, url: `${e}/registrations`, query: { ...page, status: 'confirmed', q: 'Guest' } },
    'POST /v1/events/:eventId/registrations/resend': { headers: anon, url: `${e}/registrations/resend`, body: { email: guest.email } },
    'PATCH /v1/registrations/:id': { headers: bearer(guest.manageToken), url: `/v1/registrations/${guest.id}`, body: { name: 'Guest Renamed', partySize: 1, language: 'de' } },
    'POST /v1/events/:eventId/scanners': { headers: o, url: `${e}/scanners`, body: { label: 'Tablet', gate: 'Süd', roomId: room.id } },
    'GET /v1/events/:eventId/scanners': { headers: o, url: `${e}/scanners`, query: page },
    'POST /v1/events/:eventId/checkins': { headers: scanner.auth, url: `${e}/checkins`, body: scan },
    'POST /v1/events/:eventId/checkins/batch': { headers: scanner.auth, url: `${e}/checkins/batch`, body: { scans: [scan, { ticketId: guest.ticket.id, direction: 'exit', nonce: 'n-2' }] } },
    'POST /v1/sessions/:sessionId/checkins': { headers: scanner.auth, url: `/v1/sessions/${session.id}/checkins`, body: { ...scan, nonce: 'r-1' } },
    'POST /v1/sessions/:sessionId/checkins/batch': {
      headers: scanner.auth,
      url: `/v1/sessions/${session.id}/checkins/batch`,
      body: { scans: [{ ...scan, nonce: 'r-2' }, { ticketId: guest.ticket.id, direction: 'exit', nonce: 'r-3' }] },
    },
    'GET /v1/events/:eventId/attendees': { headers: scanner.auth, url: `${e}/attendees`, query: { q: 'Guest', limit: '5' } },
    'POST /v1/vocabularies/:kind': { headers: a, url: '/v1/vocabularies/fieldsOfActivity', body: { key: 'beekeeping', labels: { de: 'Imkerei', en: 'Beekeeping', tr: 'Arıcılık', ar: 'تربية النحل' } } },
    'PATCH /v1/vocabularies/:kind/:key': { headers: a, url: '/v1/vocabularies/fieldsOfActivity/culture', body: { labels: { de: 'Kultur', en: 'Culture', tr: 'Kültür', ar: '' } } },
    'POST /v1/associations': { headers: anon, url: '/v1/associations', body: signUpBody() as Json },
    'GET /v1/associations': { headers: anon, url: '/v1/associations', query: { ...page, q: 'verein', field: 'culture', district: 'innenstadt-nord' } },
    'PATCH /v1/associations/:id': { headers: x, url: `/v1/associations/${exhibitor.id}`, body: { name: 'Kulturverein Nord', legalForm: null, languages: ['de', 'ar'], fieldsOfActivity: ['culture'], website: 'https://example.org' } },
    'POST /v1/associations/:id/contact': { headers: x, url: `/v1/associations/${exhibitor.id}/contact`, body: { accountId: exhibitor.member.id } },
    'POST /v1/associations/:id/members': { headers: x, url: `/v1/associations/${exhibitor.id}/members`, body: { email: 'member@example.org', name: 'Mehmet Demir' } },
    'GET /v1/events/:eventId/exhibitors': { headers: anon, url: `${e}/exhibitors`, query: page },
    'GET /v1/events/:eventId/matches': { headers: x, url: `${e}/matches`, query: { associationId: exhibitor.id, lang: 'de', limit: '5' } },
    'POST /v1/co-exhibitors/confirm': { headers: anon, url: '/v1/co-exhibitors/confirm', body: { token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
    'POST /v1/co-exhibitors/decline': { headers: anon, url: '/v1/co-exhibitors/decline', body: { token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
    'POST /v1/events/:eventId/stands': { headers: o, url: `${e}/stands`, body: standCreate },
    'POST /v1/events/:eventId/stands/import': {
      headers: o,
      url: `${e}/stands/import`,
      body: [standCreate, { code: 'B8' }],
      bodySchema: { type: 'array', minItems: 1, maxItems: MAX_IMPORT_ROWS, items: derefSchema({ $ref: 'StandCreate' }, defs) },
      contentTypes: ['text/csv'],
      normalize: trimStands,
    },
    'PATCH /v1/stands/:standId': { headers: o, url: `/v1/stands/${stand.id}`, body: { code: 'A2', area: null, position: { x: 1, y: 2, w: 3, h: 4 }, features: { tables: 2 } } },
    'POST /v1/events/:eventId/stand-bookings': {
      headers: x,
      url: `${e}/stand-bookings`,
      body: { associationId: exhibitor.id, preferredStandIds: [stand.id], requirements: { tables: 1, chairs: 2, power: true, notes: 'Ecke' }, coExhibitorAssociationIds: [], staffPasses: 2 },
    },
    'GET /v1/events/:eventId/stand-bookings': { headers: o, url: `${e}/stand-bookings`, query: { status: 'requested' } },
    'POST /v1/stand-bookings/:id/approve': { headers: o, url: `/v1/stand-bookings/${booking.id}/approve`, body: { standId: stand.id } },
    'POST /v1/stand-bookings/:id/reject': { headers: o, url: `/v1/stand-bookings/${booking.id}/reject`, body: { reason: 'Kein Platz mehr' } },
    'POST /v1/stand-bookings/:id/waitlist': { headers: o, url: `/v1/stand-bookings/${booking.id}/waitlist`, body: { reason: 'Warteliste' } },
    'PATCH /v1/passes/:ticketId': { headers: o, url: `/v1/passes/${pass.id}`, body: { holderName: 'Standteam' } },
    'POST /v1/events/:eventId/rooms': { headers: o, url: `${e}/rooms`, body: { name: 'Saal 2', capacity: 30, accessible: true, notes: 'Beamer' } },
    'PATCH /v1/rooms/:roomId': { headers: o, url: `/v1/rooms/${room.id}`, body: { name: 'Saal Eins', capacity: 45, accessible: false, notes: null } },
    'POST /v1/events/:eventId/sessions': { headers: o, url: `${e}/sessions`, body: { ...sessionBody, startsAt: at(180), endsAt: at(240) } },
    'GET /v1/events/:eventId/sessions': { headers: anon, url: `${e}/sessions`, query: { ...page, topic: 'education', language: 'de', kind: 'forum', roomId: room.id, day: '2027-03-20' } },
    'PATCH /v1/sessions/:sessionId': { headers: o, url: `/v1/sessions/${session.id}`, body: { title: 'Forum Eltern', description: null, seats: 35, waitlist: false, languages: ['de'] } },
    'GET /v1/sessions/:sessionId/reservations': { headers: o, url: `/v1/sessions/${session.id}/reservations`, query: { ...page, status: 'reserved' } },
    'GET /v1/events/:eventId/meeting-slots': { headers: x, url: `${e}/meeting-slots`, query: { associationId: exhibitor.id } },
    'POST /v1/events/:eventId/meetings': {
      headers: x,
      url: `${e}/meetings`,
      body: { fromAssociationId: exhibitor.id, toAssociationId: randomUUID(), message: 'Treffen?', proposedSlots: [event.startsAt] },
    },
    'POST /v1/meetings/:id/accept': { headers: x, url: `/v1/meetings/${randomUUID()}/accept`, body: { startsAt: event.startsAt } },
    'POST /v1/meetings/:id/decline': { headers: x, url: `/v1/meetings/${randomUUID()}/decline`, body: { reason: 'Keine Zeit' } },
    'POST /v1/meetings/:id/reschedule': { headers: x, url: `/v1/meetings/${randomUUID()}/reschedule`, body: { startsAt: event.startsAt } },
    'GET /v1/associations/:id/meetings': { headers: x, url: `/v1/associations/${exhibitor.id}/meetings`, query: { eventId, limit: '10' } },
    'GET /v1/associations/:id/agenda.ics': { headers: x, url: `/v1/associations/${exhibitor.id}/agenda.ics`, query: { eventId } },
  }
  return { setup, routes }
}

// ---------------------------------------------------------------------------------------------- the database

/** Row count and a digest of every row, per table: equal before and after means nothing was written. */
export async function tableDigests(db: Database): Promise<Record<string, string>> {
  const tables = rowsOf(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`))
  const out: Record<string, string> = {}
  for (const { table_name } of tables as { table_name: string }[]) {
    const [row] = rowsOf(
      await db.execute(sql.raw(`select count(*)::text as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') as digest from "${table_name}" t`)),
    ) as { n: string; digest: string }[]
    out[table_name] = `${row.n}:${row.digest}`
  }
  return out
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  return Array.isArray(result) ? result : ((result as { rows: Record<string, unknown>[] }).rows ?? [])
}

// ---------------------------------------------------------------------------------------------- the runner

export interface CorpusStats {
  route: string
  cases: number
  slowestMs: number
  /** time spent answering, as opposed to generating */
  answerMs: number
  byKind: Record<string, number>
  byStatus: Record<number, number>
}

/** Keys of the catalog's routes that take a body or a query string under a schema (the corpus must cover each). */
export function routesWithInput(app: FastifyInstance): string[] {
  return routeCatalog(app)
    .filter((r) => r.method !== 'HEAD' && r.schema && (r.schema.body || r.schema.querystring))
    .map((r) => `${r.method} ${r.url}`)
}

const MAX_MS = 1000

/**
 * Sends RUNS generated invalid requests to one route and checks every answer: a 4xx problem+json with a `code`
 * (413 for bodies over the limit), within a second. Throws with the seed and the case on the first failure.
 */
export async function runRoute(app: FastifyInstance, key: string, fixture: RouteFixture): Promise<CorpusStats> {
  const entry = routeCatalog(app).find((r) => `${r.method} ${r.url}` === key)
  if (!entry) throw new Error(`no route ${key}`)
  const method = entry.method as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  const defs = app.getSchemas() as Record<string, Schema>
  const stats: CorpusStats = { route: key, cases: 0, slowestMs: 0, answerMs: 0, byKind: {}, byStatus: {} }
  type Request = { kind: string; url: string; payload?: string; contentType?: string | null; status?: number }
  let requests: fc.Arbitrary<Request>
  if (fixture.body !== undefined) {
    const raw = fixture.bodySchema ?? (entry.schema?.body as Schema)
    const schema = derefSchema(raw, defs)
    const validateRaw = validatorFor(app, fixture.bodySchema ?? raw, 'body')
    const validate = fixture.normalize ? (v: unknown) => validateRaw(fixture.normalize!(v)) : validateRaw
    requests = bodyCases({ schema, base: fixture.body, limit: entry.bodyLimit, validate, contentTypes: fixture.contentTypes }).map((c) => ({ ...c, url: fixture.url }))
  } else if (fixture.query) {
    const raw = entry.schema?.querystring as Schema
    const schema = derefSchema(raw, defs)
    const validate = validatorFor(app, raw, 'querystring')
    requests = queryCases({ schema, base: fixture.query, validate }).map((c) => ({ kind: c.kind, url: `${fixture.url}?${c.query}` }))
  } else throw new Error(`fixture of ${key} has neither body nor query`)

  await fc.assert(
    fc.asyncProperty(requests, async (req) => {
      const headers: Record<string, string> = { ...fixture.headers }
      if (req.contentType) headers['content-type'] = req.contentType
      const started = performance.now()
      const res = await app.inject({ method, url: req.url, headers, ...(req.payload === undefined ? {} : { payload: req.payload }) })
      const ms = performance.now() - started
      stats.cases++
      stats.slowestMs = Math.max(stats.slowestMs, ms)
      stats.answerMs += ms
      stats.byKind[req.kind] = (stats.byKind[req.kind] ?? 0) + 1
      stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1
      const what = `${key} [${req.kind}] answered ${res.statusCode} in ${ms.toFixed(0)} ms: ${res.body.slice(0, 300)}`
      if (res.statusCode < 400 || res.statusCode >= 500) throw new Error(what)
      if (req.status && res.statusCode !== req.status) throw new Error(`expected ${req.status}: ${what}`)
      if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`not problem+json: ${what}`)
      const body = res.json() as { code?: unknown; status?: unknown }
      if (typeof body.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.code) || body.status !== res.statusCode) throw new Error(`no code: ${what}`)
      if (ms > MAX_MS) throw new Error(`too slow: ${what}`)
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 1 },
  )
  return stats
}

/** Runs the corpus on each route of `keys`, checking that no table changed and the service is still ready. */
export async function runCorpus(t: Test, keys: string[]) {
  const { setup, routes } = await corpusFixtures(t)
  const { app, db } = setup.ctx
  const before = await tableDigests(db)
  const started = performance.now()
  const all: CorpusStats[] = []
  for (const key of keys) {
    const fixture = routes[key]
    if (!fixture) {
      t.fail(`no bad-input fixture for ${key}`)
      continue
    }
    try {
      const stats = await runRoute(app, key, fixture)
      all.push(stats)
      t.ok(stats.cases >= RUNS, `${key}: ${stats.cases} invalid requests, all 4xx problem+json with a code, slowest ${stats.slowestMs.toFixed(0)} ms, ${(stats.answerMs / 1000).toFixed(1)} s in all`)
    } catch (err) {
      t.fail(`${key} (seed ${SEED}; rerun: BAD_INPUT_SEED=${SEED} npx tap <this file>): ${(err as Error).message}`)
    }
  }
  const seconds = (performance.now() - started) / 1000
  t.same(await tableDigests(db), before, 'no row of any table changed')
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'the service is still ready')
  const slowest = all.reduce((m, s) => (s.slowestMs > m.slowestMs ? s : m), all[0])
  const total = all.reduce((n, s) => n + s.cases, 0)
  const answering = all.reduce((n, s) => n + s.answerMs, 0) / 1000
  const sum = (pick: (s: CorpusStats) => Record<string, number>) =>
    all.reduce<Record<string, number>>((acc, s) => {
      for (const [k, n] of Object.entries(pick(s))) acc[k] = (acc[k] ?? 0) + n
      return acc
    }, {})
  t.comment(`cases by kind: ${JSON.stringify(sum((s) => s.byKind))}; answers by status: ${JSON.stringify(sum((s) => s.byStatus))}`)
  t.comment(`bad-input corpus: seed ${SEED}, ${all.length} routes, ${total} cases in ${seconds.toFixed(1)} s (${answering.toFixed(1)} s answering), slowest ${slowest?.slowestMs.toFixed(1)} ms (${slowest?.route})`)
  return { stats: all, routes, setup }
}

/** The routes of each corpus file (split so the files run in parallel); together: every route with input. */
export const CORPUS_GROUPS: Record<'accounts-events' | 'door-registrations' | 'exhibitors-stands' | 'program' | 'meetings', string[]> = {
  'accounts-events': [
    'POST /v1/auth/login',
    'POST /v1/auth/magic-link',
    'POST /v1/auth/magic-link/verify',
    'POST /v1/accounts',
    'GET /v1/accounts',
    'PATCH /v1/accounts/:id',
    'PATCH /v1/me',
    'POST /v1/me/password',
    'POST /v1/me/erase/confirm',
    'POST /v1/events',
    'GET /v1/events',
    'PATCH /v1/events/:eventId',
    'POST /v1/events/:eventId/announcements',
    'GET /v1/events/:eventId/emails',
    'POST /v1/vocabularies/:kind',
    'PATCH /v1/vocabularies/:kind/:key',
  ],
  'door-registrations': [
    'POST /v1/events/:eventId/registrations',
    'GET /v1/events/:eventId/registrations',
    'POST /v1/events/:eventId/registrations/resend',
    'PATCH /v1/registrations/:id',
    'POST /v1/events/:eventId/scanners',
    'GET /v1/events/:eventId/scanners',
    'POST /v1/events/:eventId/checkins',
    'POST /v1/events/:eventId/checkins/batch',
    'POST /v1/sessions/:sessionId/checkins',
    'POST /v1/sessions/:sessionId/checkins/batch',
    'GET /v1/events/:eventId/attendees',
    'GET /v1/events/:eventId/exhibitors',
    'GET /v1/events/:eventId/matches',
    'GET /v1/events/:eventId/stand-bookings',
  ],
  'exhibitors-stands': [
    'POST /v1/associations',
    'GET /v1/associations',
    'PATCH /v1/associations/:id',
    'POST /v1/associations/:id/contact',
    'POST /v1/associations/:id/members',
    'POST /v1/co-exhibitors/confirm',
    'POST /v1/co-exhibitors/decline',
    'POST /v1/events/:eventId/stands',
    'POST /v1/events/:eventId/stands/import',
    'PATCH /v1/stands/:standId',
    'POST /v1/events/:eventId/stand-bookings',
    'POST /v1/stand-bookings/:id/approve',
    'POST /v1/stand-bookings/:id/reject',
    'POST /v1/stand-bookings/:id/waitlist',
    'PATCH /v1/passes/:ticketId',
  ],
  program: [
    'POST /v1/events/:eventId/rooms',
    'PATCH /v1/rooms/:roomId',
    'POST /v1/events/:eventId/sessions',
    'GET /v1/events/:eventId/sessions',
    'PATCH /v1/sessions/:sessionId',
    'GET /v1/sessions/:sessionId/reservations',
  ],
  meetings: [
    'GET /v1/events/:eventId/meeting-slots',
    'POST /v1/events/:eventId/meetings',
    'POST /v1/meetings/:id/accept',
    'POST /v1/meetings/:id/decline',
    'POST /v1/meetings/:id/reschedule',
    'GET /v1/associations/:id/meetings',
    'GET /v1/associations/:id/agenda.ics',
  ],
}
