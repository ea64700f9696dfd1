import type { FastifyInstance } from 'fastify'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/**
 * Every answer is JSON, CSV, a calendar file or an image that no browser should render as a page: the CSP
 * forbids loading anything and being framed. /docs (Swagger UI) sets its own, looser policy (see openapi.ts).
 */
export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Response headers a front end on another origin needs to read (the browser hides all others from it). */
export const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'WWW-Authenticate',
  'Content-Disposition',
  'Content-Language',
  'X-Request-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
]

/** Request headers a front end may send besides the CORS-safelisted ones. */
export const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'Accept-Language', 'X-Request-Id']

/**
 * Security headers (helmet), CORS for the front ends named in CORS_ORIGINS, and the request id echoed in
 * `X-Request-Id`. Registered before the routes, so that errors, 404s and 429s carry the headers too.
 */
export const securityPlugin = fp(async (app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) => {
  // Callback hooks on every request: no promise to make and await for a header.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    // HSTS is the TLS terminator's promise (the proxy in front, see README): this process speaks plain HTTP,
    // cannot tell whether a client reached it over TLS (trustProxy is off), and may serve a LAN over http.
    hsts: false,
    // A front end on another origin embeds ticket QR images and links calendar files: let it, when there is one.
    crossOriginResourcePolicy: { policy: corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
  })

  // Unset: no CORS at all, not even on preflights (same-origin only).
  if (corsOrigins.length === 0) return
  const allowed = new Set(corsOrigins)
  await app.register(cors, {
    // A function rather than the list: for any other origin the plugin then adds no CORS header at all
    // (with a list it still answers preflights and exposes headers), and the OPTIONS route answers 404.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    // Bearer tokens travel in a header, never in cookies: no credentialed CORS.
    credentials: false,
    maxAge: 600,
  })
})
