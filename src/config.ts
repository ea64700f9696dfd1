import { envSchema } from 'env-schema'
import { Type, type Static } from 'typebox'
import path from 'node:path'

function choice<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: fallback })
}

// Values of these may hold credentials, so an error message never repeats them.
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SMTP_URL', 'ADMIN_PASSWORD'])

// The table in ../shared/API.md "Operations" is the contract: no variable here that is not there.
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Vereinsmesse <no-reply@localhost>' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
  ROLE: choice(['all', 'api', 'worker'] as const, 'all'),
  WORKER_POLL_MS: Type.Integer({ minimum: 50, maximum: 3_600_000, default: 2000 }),
  RATE_LIMIT: choice(['on', 'off'] as const, 'on'),
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
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
  publicUrl: string
  adminEmail?: string
  adminPassword?: string
  role: 'all' | 'api' | 'worker'
  workerPollMs: number
  rateLimit: boolean
  logLevel: string
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, the way shells and compose files usually mean them.
  const data = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  let raw: Static<typeof EnvSchema>
  try {
    raw = envSchema<Static<typeof EnvSchema>>({ schema: EnvSchema, data, dotenv: false })
  } catch (err) {
    throw new ConfigError(describeEnvError(err as Error & { errors?: EnvError[] }, data))
  }
  if ((raw.ADMIN_EMAIL === undefined) !== (raw.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      `Invalid configuration: ${raw.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'} must be set together with ${raw.ADMIN_EMAIL ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD'}`,
    )
  }
  return {
    port: raw.PORT,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
    dataDir: path.resolve(raw.DATA_DIR),
    smtpUrl: raw.SMTP_URL,
    mailFrom: raw.MAIL_FROM,
    publicUrl: (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    adminEmail: raw.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: raw.ADMIN_PASSWORD,
    role: raw.ROLE,
    workerPollMs: raw.WORKER_POLL_MS,
    rateLimit: raw.RATE_LIMIT === 'on',
    logLevel: raw.LOG_LEVEL,
  }
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
