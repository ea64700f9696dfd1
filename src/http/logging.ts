import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { IncomingMessage } from 'node:http'
import { randomUUID } from 'node:crypto'
import { UUID_PATTERN } from './schemas.js'

/** Where log lines go; tests pass a stream to read them. */
export interface LogDestination {
  write(line: string): void
}

/**
 * The request id: the caller's `X-Request-Id` when it is a UUID (a proxy or the front end can then follow one
 * request through its logs and ours), otherwise a new random UUID. Anything else is ignored rather than trusted:
 * it would land verbatim in every log line and in `instance`, which is a `urn:uuid:`.
 */
export function requestId(raw: IncomingMessage): string {
  const incoming = raw.headers['x-request-id']
  return typeof incoming === 'string' && UUID_PATTERN.test(incoming) ? incoming.toLowerCase() : randomUUID()
}

interface ErrorLike {
  name?: string
  message?: string
  code?: unknown
  stack?: string
  cause?: unknown
  query?: unknown
  params?: unknown
  constraint?: unknown
  constraint_name?: unknown
}

/**
 * Errors as log objects, by allow-list: database errors carry the values of the failed statement (drizzle's
 * `params`, PostgreSQL's `detail` such as "Key (email)=(…)" or "Failing row contains (…)"), which are personal
 * data. Kept: the class, the message, the SQL text with its $n placeholders, the PostgreSQL code and constraint.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (typeof err !== 'object' || err === null) return err
  const e = err as ErrorLike
  const isQueryError = typeof e.query === 'string' && 'params' in e
  const out: Record<string, unknown> = { type: err.constructor?.name || e.name || 'Error' }
  // drizzle's message is "Failed query: … params: <values>": the SQL alone is enough.
  if (typeof e.query === 'string') out.query = e.query
  if (isDatabaseError(e)) out.message = maskQuotedValue(String(e.message))
  else if (!isQueryError) out.message = e.message
  if (e.code !== undefined) out.code = e.code
  const constraint = e.constraint_name ?? e.constraint
  if (constraint !== undefined) out.constraint = constraint
  // A stack starts with the message: where that held values, only the frames are kept.
  if (e.stack) out.stack = isQueryError || isDatabaseError(e) ? framesOf(e.stack) : e.stack
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1)
  return out
}

// A PostgreSQL error has a five-character SQLSTATE; drizzle's wrapper is handled by its `query` above.
const isDatabaseError = (e: ErrorLike) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)

// PostgreSQL quotes the offending input after a colon: 'invalid input syntax for type integer: "Zeynep"'.
// Constraint and column names are quoted without the colon and stay.
const maskQuotedValue = (message: string) => message.replace(/: ".*"/s, ': "…"')

const framesOf = (stack: string) =>
  stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n')

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const TOKEN = /\bvm[a-z]_[A-Za-z0-9_-]{20,}/g

/**
 * The last line of defence, over every serialized line (the worker's too, it logs through a child logger):
 * email addresses and bearer or link tokens are masked wherever they appear, e.g. in an SMTP server's reply.
 * Names cannot be recognised this way, which is why nothing logs bodies, queries or rows in the first place.
 */
export function scrubLine(line: string): string {
  // Most lines hold neither an @ nor a token prefix: two substring checks instead of two regex scans.
  const withoutEmails = line.includes('@') ? line.replace(EMAIL, '[email]') : line
  return withoutEmails.includes('_') ? withoutEmails.replace(TOKEN, '[token]') : withoutEmails
}

/** Fastify's logger options: pino at LOG_LEVEL, with the serializers and the scrub above. */
export function loggerOptions(level: string, stream?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      err: serializeError,
      error: serializeError,
      // Only ever logged by hand; the path alone, because query strings carry tokens (?token=vmr_…).
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
    },
    hooks: { streamWrite: scrubLine },
  } as FastifyServerOptions['logger']
}

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogArgs = Parameters<FastifyBaseLogger['info']>
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1]

/**
 * A request's logger that makes its pino child (bound to the request id) only when it first writes a line its
 * level lets through. Fastify makes one child per request, and pino serializes the child's bindings as it makes it
 * (~1 µs, 2-3 % of the CPU of a forged-code scan), while at LOG_LEVEL warn most requests write no line at all.
 */
class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly requestBindings: Record<string, unknown>,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.requestBindings))
  }
  get level(): string {
    return this.#child?.level ?? this.parent.level
  }
  set level(level: string) {
    this.real.level = level
  }
  private write(method: LogMethod, args: LogArgs) {
    if (this.#child || (this.parent as FastifyBaseLogger & { isLevelEnabled(level: string): boolean }).isLevelEnabled(method)) {
      ;(this.real[method] as (...a: LogArgs) => void)(...args)
    }
  }
  fatal(...args: LogArgs) {
    this.write('fatal', args)
  }
  error(...args: LogArgs) {
    this.write('error', args)
  }
  warn(...args: LogArgs) {
    this.write('warn', args)
  }
  info(...args: LogArgs) {
    this.write('info', args)
  }
  debug(...args: LogArgs) {
    this.write('debug', args)
  }
  trace(...args: LogArgs) {
    this.write('trace', args)
  }
  silent() {}
  child(bindings: Record<string, unknown>, options?: ChildOptions): FastifyBaseLogger {
    return this.real.child(bindings, options)
  }
}

/** Fastify's childLoggerFactory: the lazy request logger above (a route's own level or serializers get pino's child at once). */
export function requestLogger(parent: FastifyBaseLogger, bindings: Record<string, unknown>, options: ChildOptions): FastifyBaseLogger {
  if (options && Object.keys(options).length > 0) return parent.child(bindings, options)
  return new RequestLogger(parent, bindings)
}
