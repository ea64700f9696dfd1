import type { FastifyInstance, RouteOptions } from 'fastify'

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Every JSON route takes at most this many bytes unless the table below says otherwise. The largest ordinary
 * bodies (an association sign-up, a registration with 2,000 characters of accessibility needs) stay well under it
 * even when every character takes 4 bytes of UTF-8.
 */
export const DEFAULT_BODY_LIMIT = 16 * KiB

/**
 * Routes whose legitimate bodies are larger, with why. The sizes are the maximal legitimate bodies that
 * test/hardening/bad-input-limits.test.ts builds and sends (it also sends every route a body one byte over its limit).
 */
export const BODY_LIMITS: Record<string, { bytes: number; why: string }> = {
  'POST /v1/events/:eventId/stands/import': {
    bytes: 2 * MiB,
    why: '2,000 stands (MAX_IMPORT_ROWS) with every field at its longest: 1.14 MB as JSON, 0.91 MB as CSV',
  },
  'POST /v1/events/:eventId/checkins/batch': {
    bytes: 1 * MiB,
    why: '1,000 offline scans (MAX_BATCH) with 200-character codes, times and 64-character nonces: 346 KB',
  },
  'POST /v1/events/:eventId/announcements': {
    bytes: 64 * KiB,
    why: 'a 10,000-character body and a 200-character subject, 4 bytes of UTF-8 a character: 41 KB',
  },
  'POST /v1/events': {
    bytes: 64 * KiB,
    why: 'a 10,000-character description and the other texts at their longest, 4 bytes a character: 44 KB',
  },
  'PATCH /v1/events/:eventId': {
    bytes: 64 * KiB,
    why: 'the same 10,000-character description as the create',
  },
  'POST /v1/associations': {
    bytes: 32 * KiB,
    why: 'a 5,000-character description and the other sign-up texts at their longest, 4 bytes a character: 28 KB',
  },
  'PATCH /v1/associations/:id': {
    bytes: 32 * KiB,
    why: 'the same 5,000-character description as the sign-up',
  },
}

export function bodyLimitOf(method: string, url: string): number {
  return BODY_LIMITS[`${method} ${url}`]?.bytes ?? DEFAULT_BODY_LIMIT
}

export interface RouteEntry {
  method: string
  url: string
  schema: RouteOptions['schema']
  bodyLimit: number
}

const catalogs = new WeakMap<FastifyInstance, RouteEntry[]>()

/** Every route as it was registered (method, full url, schema, body limit): for tests that must cover each one. */
export function routeCatalog(app: FastifyInstance): readonly RouteEntry[] {
  return catalogs.get(app) ?? []
}

/**
 * Sets each route's body limit from the table (the table wins over a route's own option, so there is one place to
 * read them) and records the route in the catalog. Register it before any route.
 */
export function registerBodyLimits(app: FastifyInstance) {
  const catalog: RouteEntry[] = []
  catalogs.set(app, catalog)
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    for (const method of methods) catalog.push({ method, url: route.url, schema: route.schema, bodyLimit: bodyLimitOf(method, route.url) })
    route.bodyLimit = Math.max(...methods.map((method) => bodyLimitOf(method, route.url)))
  })
}
