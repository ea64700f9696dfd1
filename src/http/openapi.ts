import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " +
  "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'"

/** OpenAPI 3.1 with named components (every shared schema's $id), served at /openapi.json and browsable at /docs. */
export const openapiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vereinsmesse API',
        version: '1',
        description:
          'Registration, tickets, door check-in and stand bookings for an association fair. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'vms_ (account session), vmd_ (door scanner) or vmr_ (registration manage token)',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Replaces the API's "load nothing" CSP on the pages and files under /docs. Swagger UI's HTML loads only
    // its own scripts and styles (no inline script); it styles elements inline and draws icons as data: images.
    staticCSP: DOCS_CSP,
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
})
