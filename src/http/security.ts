import type { FastifyInstance } from 'fastify'
import cors from '@fastify/cors'
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
  // What helmet 8 sends for the options we used to give it (CSP below, frameguard deny, no HSTS), written out once:
  // the headers never change, so one callback hook sets them all instead of helmet's middleware chain on every
  // request (4 % of the CPU of a forged-code scan). test/http/security-headers.test.ts checks them.
  const securityHeaders: Record<string, string> = {
    'content-security-policy': API_CSP.replace(/; /g, ';'),
    'cross-origin-opener-policy': 'same-origin',
    // A front end on another origin embeds ticket QR images and links calendar files: let it, when there is one.
    'cross-origin-resource-policy': corsOrigins.length > 0 ? 'cross-origin' : 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
    // HSTS is the TLS terminator's promise (the proxy in front, see README): this process speaks plain HTTP,
    // cannot tell whether a client reached it over TLS (trustProxy is off), and may serve a LAN over http.
  }
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders)
    reply.header('x-request-id', request.id)
    done()
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
