import { envSchema } from 'env-schema'
import { Type, type Static } from 'typebox'
import { isIP } from 'node:net'
import path from 'node:path'

function choice<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: fallback })
}

// Values of these may hold credentials, so an error message never repeats them.
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SMTP_URL', 'ADMIN_PASSWORD'])

/** Days after an event's end until its people's personal data is erased, unless the event sets its own retentionDays. */
export const RETENTION_DAYS_DEFAULT = 180

// The table in ../shared/API.md "Operations" is the contract: no variable here that is not there, except
// CORS_ORIGINS and TRUST_PROXY, which issue #7 adds, LOG_FORMAT, and RETENTION_DAYS_DEFAULT (issue #19; all documented in the
// README's configuration table).
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Vereinsmesse <no-reply@localhost>' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  SERVICE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
  ROLE: choice(['all', 'api', 'worker'] as const, 'all'),
  API_PROCESSES: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  WORKER_POLL_MS: Type.Integer({ minimum: 50, maximum: 3_600_000, default: 2000 }),
  RATE_LIMIT: choice(['on', 'off'] as const, 'on'),
  CORS_ORIGINS: Type.Optional(Type.String()),
  TRUST_PROXY: Type.Optional(Type.String()),
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  LOG_FORMAT: Type.Optional(Type.Unsafe<'pretty' | 'json'>({ type: 'string', enum: ['pretty', 'json'] })),
  RETENTION_DAYS_DEFAULT: Type.Integer({ minimum: 1, maximum: 3650, default: RETENTION_DAYS_DEFAULT }),
})

export interface Config {
  port: number
  host: string
  /** unset: embedded PGlite under dataDir */
  databaseUrl?: string
  dataDir: string
  /** unset: emails are written as .eml files under dataDir/outbox */
  smtpUrl?: string
  mailFrom: string
  /** the front end's address, base of the links in emails (default: serviceUrl) */
  publicUrl: string
  /** the service's own public address: the door app and the scanners' pairing links */
  serviceUrl: string
  adminEmail?: string
  adminPassword?: string
  role: 'all' | 'api' | 'worker'
  /** API processes on this machine (node:cluster, one port); more than 1 needs PostgreSQL (src/cluster.ts) */
  apiProcesses: number
  workerPollMs: number
  rateLimit: boolean
  /** exact origins (scheme://host[:port]) of front ends on another origin; empty: no CORS headers at all */
  corsOrigins: string[]
  /**
   * Fastify's trustProxy: which peers' X-Forwarded-For to believe, so per-IP limits see visitors and not the
   * load balancer. false: none (the peer is the client).
   */
  trustProxy: false | number | string
  logLevel: string
  /** unset: pretty when stdout is a terminal, JSON lines otherwise (src/http/log-format.ts) */
  logFormat?: 'pretty' | 'json'
  /** days after an event's end until its people's personal data is erased, for events without their own retentionDays */
  retentionDaysDefault: number
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, the way shells and compose files usually mean them.
  const data = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  let raw: Static<typeof EnvSchema>
  try {
    raw = envSchema<Static<typeof EnvSchema>>({ schema: EnvSchema, data, env: false, dotenv: false })
  } catch (err) {
    throw new ConfigError(describeEnvError(err as Error & { errors?: EnvError[] }, data))
  }
  if ((raw.ADMIN_EMAIL === undefined) !== (raw.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      `Invalid configuration: ${raw.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'} must be set together with ${raw.ADMIN_EMAIL ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD'}`,
    )
  }
  if (raw.API_PROCESSES > 1 && raw.DATABASE_URL === undefined) {
    throw new ConfigError('Invalid configuration: API_PROCESSES above 1 needs DATABASE_URL (the embedded database belongs to one process)')
  }
  const serviceUrl = (raw.SERVICE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, '')
  return {
    port: raw.PORT,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
    dataDir: path.resolve(raw.DATA_DIR),
    smtpUrl: raw.SMTP_URL,
    mailFrom: raw.MAIL_FROM,
    publicUrl: raw.PUBLIC_URL?.replace(/\/+$/, '') ?? serviceUrl,
    serviceUrl,
    adminEmail: raw.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: raw.ADMIN_PASSWORD,
    role: raw.ROLE,
    apiProcesses: raw.API_PROCESSES,
    workerPollMs: raw.WORKER_POLL_MS,
    rateLimit: raw.RATE_LIMIT === 'on',
    corsOrigins: parseOrigins(raw.CORS_ORIGINS),
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT,
    retentionDaysDefault: raw.RETENTION_DAYS_DEFAULT,
  }
}

const commaList = (value: string) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')

/**
 * A browser sends its Origin as scheme://host[:port] and CORS compares it byte for byte, so each entry must be
 * exactly that: a path, a trailing slash or a wildcard would silently never match (or match everyone).
 */
function parseOrigins(value: string | undefined): string[] {
  const entries = commaList(value ?? '')
  for (const entry of entries) {
    let origin: string | undefined
    try {
      const url = new URL(entry)
      if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin
    } catch {
      // not a URL at all: reported below
    }
    if (origin !== entry) {
      throw new ConfigError(
        `Invalid configuration: CORS_ORIGINS must be a comma-separated list of origins like https://messe.example.org (no path, no trailing slash) (got ${entry.includes('@') ? 'an entry with credentials' : JSON.stringify(entry)})`,
      )
    }
  }
  return [...new Set(entries)]
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** A number of proxy hops (1–10), or a comma-separated list of proxy addresses, CIDR ranges and proxy-addr's keywords. */
function parseTrustProxy(value: string | undefined): false | number | string {
  if (value === undefined) return false
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    if (hops >= 1 && hops <= 10) return hops
  } else {
    const entries = commaList(value)
    const valid = (entry: string) => {
      if (PROXY_KEYWORDS.has(entry)) return true
      const [address, prefix, extra] = entry.split('/')
      const family = isIP(address)
      if (family === 0 || extra !== undefined) return false
      return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
    }
    if (entries.length > 0 && entries.every(valid)) return entries.join(',')
  }
  throw new ConfigError(
    `Invalid configuration: TRUST_PROXY must be a number of proxy hops (1-10) or a comma-separated list of proxy addresses or CIDR ranges (got ${JSON.stringify(value)})`,
  )
}

interface EnvError {
  instancePath: string
  message?: string
  params?: Record<string, unknown>
}

function describeEnvError(err: Error & { errors?: EnvError[] }, data: Record<string, unknown>): string {
  const first = err.errors?.[0]
  if (!first) return `Invalid configuration: ${err.message}`
  const name = first.instancePath.replace(/^\//, '') || String(first.params?.missingProperty ?? '')
  const got = name in data && !SECRET_VARIABLES.has(name) ? ` (got ${JSON.stringify(String(data[name]))})` : ''
  const allowed = Array.isArray(first.params?.allowedValues) ? `: ${first.params.allowedValues.join(', ')}` : ''
  return `Invalid configuration: ${name} ${first.message}${allowed}${got}`
}
