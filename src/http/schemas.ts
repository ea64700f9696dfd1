import { Type, type Static, type TSchema } from 'typebox'

/**
 * `Type.Ref` to a registered schema, typed as the schema itself so a route whose reply has the wrong shape
 * fails to compile (a bare Ref types the reply as unknown).
 */
export function ref<T extends TSchema & { $id?: string }>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean'])

/**
 * The schema or null. A scalar becomes `type: [t, "null"]` (its enum, if any, takes null too) rather than
 * `anyOf: [schema, {type: null}]`: the same values in JSON Schema and OpenAPI 3.1, but fast-json-stringify writes a
 * type list with a `typeof` test, where an `anyOf` runs an Ajv validation for every value it serializes (a few per
 * cent of a scan's or a registration's CPU). Objects, refs and unions stay an `anyOf`.
 */
export const Nullable = <T extends TSchema>(schema: T) => {
  const type = (schema as { type?: unknown }).type
  if (typeof type !== 'string' || !SCALAR_TYPES.has(type) || '$ref' in schema) return Type.Union([schema, Type.Null()])
  const { enum: values, ...rest } = schema as TSchema & { enum?: unknown[] }
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'], ...(values ? { enum: [...values, null] } : {}) })
}

export { UUID_PATTERN } from '../shared/uuid.js'

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time', maxLength: 40 })
// Simple on purpose: the real check is the email that reaches the person.
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })

export const FieldIssue = Type.Object(
  { path: Type.String(), message: Type.String() },
  { $id: 'FieldIssue', additionalProperties: false },
)

export const ProblemDetails = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable snake_case error code' }),
    instance: Type.Optional(
      Type.String({ description: 'urn:uuid:<request id>: the id also sent in the X-Request-Id response header and in the logs' }),
    ),
    errors: Type.Optional(Type.Array(ref(FieldIssue))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
)

/** Every route documents problem+json for its failures. */
export const problemResponses = {
  '4xx': ref(ProblemDetails),
  '5xx': ref(ProblemDetails),
}

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
)

export const sharedSchemas = [FieldIssue, ProblemDetails]
