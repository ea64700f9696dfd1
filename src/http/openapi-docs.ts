import { PROBLEM_CODES, type ProblemCode } from './problem-codes.js'

/**
 * What the OpenAPI document says about each route beyond its TypeBox schemas: a short declaration per route in
 * each feature's `*.docs.ts`, keyed `METHOD /path` as the route is registered. `documentOperations` turns them
 * into the document (operationId, security, per-status problem+json with code enums, headers, media types,
 * examples); the test-mode answer check (answer-check.ts) holds every route to what its declaration says.
 */
type Json = Record<string, any>

export type Credential = 'public' | 'session' | 'scanner' | 'manage'

export interface RouteDoc {
  operationId: string
  /** Alternatives, any one of which is enough; `public` means no token at all. */
  auth: Credential[]
  /** What the service code behind the route raises, beyond what every route of its kind answers (see `automaticCodes`). */
  errors?: ProblemCode[]
  /** Has a per-IP (or per-email) limit: 429 and the X-RateLimit-* headers (when RATE_LIMIT is on). */
  rateLimited?: boolean
  /** The 2xx answer, said in a few words. */
  ok: string
  /** The 2xx body when it is not JSON: media type → description. */
  media?: Record<string, string>
  /** Also answers JSON on the 2xx next to `media` (content negotiation with Accept). */
  alsoJson?: boolean
  /** Sends a strong ETag and answers 304 to a matching If-None-Match. */
  etag?: boolean
  /** The 201 carries `Location`, this path with `{id}` taken from the answer's `id`. */
  location?: string
  /** The JSON request body of a route that parses its body itself (no body schema). */
  requestJson?: Json
  /** Request bodies in other media types than JSON: media type → description. */
  requestMedia?: Record<string, string>
  /** Response headers the 2xx sets, beyond the ones every answer has. */
  headers?: Record<string, string>
  /** Request headers the route reads that are not in its schema. */
  reads?: Record<string, string>
  description?: string
}

export interface FeatureDocs {
  /** keyed `POST /v1/events/:eventId/registrations`, as the route is registered */
  routes: Record<string, RouteDoc>
  /** a description for each named schema ($id) the feature registers */
  schemas: Record<string, string>
}

export interface ApiText {
  guide: string
  tags: Record<string, string>
  parameters: (name: string, where: string, path: string) => string | undefined
  examples: Record<string, OperationExample>
  servers: { url: string; description: string }[]
}

export interface OperationExample {
  request?: { mediaType: string; body: unknown }
  response?: { status: number; mediaType: string; body: unknown }
}

export const SECURITY_SCHEMES = {
  sessionToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'vms_…',
    description: 'An account session (`vms_…`) from `POST /v1/auth/login` or a login link: admins, organizers, exhibitors.',
  },
  scannerToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'vmd_…',
    description: "A door scanner's token (`vmd_…`), shown once when an organizer adds the scanner: check-in at its one event.",
  },
  manageToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'vmr_…',
    description: "A registration's manage token (`vmr_…`), answered once on registering and sent in the confirmation email: that one registration.",
  },
} as const

const SCHEME_OF: Record<Exclude<Credential, 'public'>, keyof typeof SECURITY_SCHEMES> = {
  session: 'sessionToken',
  scanner: 'scannerToken',
  manage: 'manageToken',
}

/** `POST /v1/events/:eventId` for a document path `/v1/events/{eventId}`. */
export const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete'])

/**
 * The codes a route answers because of what it is, not what its service does: any token may be refused (401),
 * any input fail its schema (400), any body be too large or not JSON (413, 415), any route that reads the
 * database find it down (503), any bug (500), any limited route be hit too often (429).
 */
export function automaticCodes(method: string, path: string, operation: Json, doc: RouteDoc): ProblemCode[] {
  const codes: ProblemCode[] = ['unauthenticated', 'internal_error']
  const write = WRITE_METHODS.has(method)
  if (write || operation.parameters?.length || operation.requestBody) codes.push('invalid_request')
  if (write) codes.push('payload_too_large', 'unsupported_media_type')
  if (doc.rateLimited) codes.push('rate_limited')
  if (path !== '/health/live') codes.push('unavailable')
  return codes
}

/** status → the codes a route may answer with it, from its declaration. */
export function declaredProblems(method: string, path: string, operation: Json, doc: RouteDoc): Map<number, ProblemCode[]> {
  const byStatus = new Map<number, ProblemCode[]>()
  for (const code of new Set([...automaticCodes(method, path, operation, doc), ...(doc.errors ?? [])])) {
    const status = PROBLEM_CODES[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b))
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
}

const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema })

const COMMON_HEADERS = {
  'X-Request-Id': header('The id of this request (UUID), also in the problem `instance` and in our logs: quote it when reporting a problem.', {
    type: 'string',
    format: 'uuid',
  }),
}

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': header('Requests allowed in the current window.', { type: 'integer' }),
  'X-RateLimit-Remaining': header('Requests left in the current window.', { type: 'integer' }),
  'X-RateLimit-Reset': header('Seconds until the window resets.', { type: 'integer' }),
}

function problemResponse(status: number, codes: ProblemCode[], rateLimited: boolean): Json {
  const headers: Json = { ...COMMON_HEADERS }
  if (status === 401) headers['WWW-Authenticate'] = header('`Bearer`: send `Authorization: Bearer <token>`.')
  if (status === 429 || status === 503) headers['Retry-After'] = header('Seconds to wait before retrying.', { type: 'integer' })
  if (status === 429 && rateLimited) Object.assign(headers, RATE_LIMIT_HEADERS)
  return {
    description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.map((code) => `\`${code}\` ${PROBLEM_CODES[code].description}`).join('; ')}.`,
    headers,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            {
              type: 'object',
              required: ['code'],
              properties: { code: { type: 'string', enum: codes, description: 'what went wrong; switch on it' } },
            },
          ],
        },
        example: problemExample(status, codes[0]),
      },
    },
  }
}

function problemExample(status: number, code: ProblemCode) {
  return {
    type: `urn:vereinsmesse:problem:${code}`,
    title: STATUS_TEXT[status] ?? 'Error',
    status,
    detail: PROBLEM_CODES[code].description.replace(/^./, (c) => c.toUpperCase()) + '.',
    code,
    instance: 'urn:uuid:0b8f3a5e-7c1d-4e2f-9a6b-5d4c3b2a1f00',
  }
}

const WHO: Record<Credential, string> = {
  public: 'anyone, without a token',
  session: 'an account session (`vms_`)',
  scanner: 'a door scanner token (`vmd_`)',
  manage: "the registration's manage token (`vmr_`)",
}

/** Rewrites the document @fastify/swagger generated so that it says everything the declarations say. */
export function documentOperations(document: Json, features: FeatureDocs[], text: ApiText): Json {
  const routes: Record<string, RouteDoc> = Object.assign({}, ...features.map((f) => f.routes))
  const used = new Set<string>()
  for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const key = routeKey(method, path)
      const doc = routes[key]
      if (!doc) throw new Error(`${key} has no OpenAPI declaration: add it to its feature's *.docs.ts`)
      used.add(key)
      documentOperation(method, path, operation, doc, text)
    }
  }
  const unused = Object.keys(routes).filter((key) => !used.has(key))
  if (unused.length) throw new Error(`OpenAPI declarations without a route: ${unused.join(', ')}`)

  pruneUnusedSchemas(document)
  const schemaText: Record<string, string> = Object.assign({}, ...features.map((f) => f.schemas))
  for (const [name, schema] of Object.entries<Json>(document.components.schemas)) {
    schema.description ??= schemaText[name]
    if (!schema.description) throw new Error(`schema ${name} has no description: add it to its feature's *.docs.ts`)
  }
  const usedTags = new Set(Object.values<Json>(document.paths).flatMap((item) => Object.values<Json>(item).flatMap((op) => op.tags ?? [])))
  return {
    openapi: document.openapi,
    info: { ...document.info, description: text.guide, license: { name: 'MIT', identifier: 'MIT' } },
    servers: text.servers,
    tags: [...usedTags].sort().map((name) => {
      if (!text.tags[name]) throw new Error(`tag ${name} has no description`)
      return { name, description: text.tags[name] }
    }),
    components: { ...document.components, securitySchemes: SECURITY_SCHEMES },
    paths: document.paths,
  }
}

/** Schemas registered for validation only (embedded where used, e.g. StandPosition) are not components of the API. */
function pruneUnusedSchemas(document: Json) {
  const schemas: Json = document.components.schemas
  const refsIn = (value: unknown) => new Set([...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]))
  const used = new Set<string>()
  for (let next = refsIn(document.paths); next.size; ) {
    const found = new Set<string>()
    for (const name of next) {
      if (used.has(name)) continue
      used.add(name)
      for (const inner of refsIn(schemas[name])) found.add(inner)
    }
    next = found
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name]
}

function documentOperation(method: string, path: string, operation: Json, doc: RouteDoc, text: ApiText) {
  const example = text.examples[doc.operationId]
  operation.operationId = doc.operationId
  operation.description ??= `${operation.summary}.`
  operation.description += `\n\nWho may call: ${doc.auth.map((c) => WHO[c]).join(', or ')}.`
  // `[]`: no token at all; `{}` next to schemes: a token is optional.
  operation.security = doc.auth.length === 1 && doc.auth[0] === 'public' ? [] : doc.auth.map((c) => (c === 'public' ? {} : { [SCHEME_OF[c]]: [] }))

  const parameters: Json[] = operation.parameters ?? []
  for (const [name, description] of Object.entries({
    ...doc.reads,
    ...(doc.etag ? { 'If-None-Match': 'The ETag of the copy you hold: answers 304 without a body when it is still current.' } : {}),
  })) {
    parameters.push({ in: 'header', name, required: false, description, schema: { type: 'string' } })
  }
  for (const parameter of parameters) {
    parameter.description ??= text.parameters(parameter.name, parameter.in, path)
    if (!parameter.description) throw new Error(`${routeKey(method, path)}: parameter ${parameter.in} ${parameter.name} has no description`)
  }
  if (parameters.length) operation.parameters = parameters

  if (!operation.requestBody && doc.requestJson) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: doc.requestJson } } }
  }
  if (operation.requestBody) {
    const json = operation.requestBody.content['application/json']
    for (const [mediaType, description] of Object.entries(doc.requestMedia ?? {})) {
      operation.requestBody.content[mediaType] = { schema: { type: 'string', description } }
    }
    operation.requestBody.description ??= json?.schema?.$ref ? `A ${json.schema.$ref.split('/').pop()}.` : 'The request body.'
    const content = example?.request && operation.requestBody.content[example.request.mediaType]
    if (content) content.example = example.request!.body
  }

  const responses: Json = {}
  for (const [status, response] of Object.entries<Json>(operation.responses)) {
    if (/^[45]xx$/i.test(status)) continue
    if (/^2/.test(status)) documentSuccess(Number(status), response, doc, example)
    if (status === '304') delete response.content
    response.headers = { ...COMMON_HEADERS, ...response.headers }
    responses[status] = response
  }
  for (const [status, codes] of declaredProblems(method, path, operation, doc)) {
    responses[status] = problemResponse(status, codes, doc.rateLimited === true)
  }
  operation.responses = responses
}

function documentSuccess(status: number, response: Json, doc: RouteDoc, example: OperationExample | undefined) {
  response.description = doc.ok
  if (doc.media) {
    const json = response.content?.['application/json']
    response.content = {
      ...Object.fromEntries(
        Object.entries(doc.media).map(([mediaType, description]) => [
          mediaType,
          response.content?.[mediaType] ?? { schema: { type: 'string', ...(/^image\/png/.test(mediaType) ? { format: 'binary' } : {}), description } },
        ]),
      ),
      ...(doc.alsoJson && json ? { 'application/json': json } : {}),
    }
  }
  const headers: Json = { ...response.headers }
  for (const [name, description] of Object.entries(doc.headers ?? {})) headers[name] ??= header(description)
  if (doc.etag) {
    headers.ETag ??= header('A strong validator: send it back as If-None-Match to get 304 while nothing changed.')
    headers['Cache-Control'] ??= header('How long and by whom the answer may be cached.')
  }
  if (doc.location && status === 201) headers.Location = header('Where the created thing lives.', { type: 'string', format: 'uri-reference' })
  if (doc.rateLimited) Object.assign(headers, RATE_LIMIT_HEADERS)
  response.headers = headers
  if (example?.response?.status === status && response.content?.[example.response.mediaType]) {
    response.content[example.response.mediaType].example = example.response.body
  }
}
