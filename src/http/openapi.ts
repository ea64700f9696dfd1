import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { apiText } from './openapi-guide.js'
import { documentOperations, type FeatureDocs } from './openapi-docs.js'

export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " +
  "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'"

/**
 * OpenAPI 3.1 with named components (every shared schema's $id), served at /openapi.json and browsable at /docs.
 * Each feature's declarations (`*.docs.ts`) complete what the route schemas say; see openapi-docs.ts.
 */
export const openapiPlugin = fp<{ features: FeatureDocs[] }>(async (app: FastifyInstance, { features }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vereinsmesse API',
        version: '1',
      },
      // The route schemas mark login routes with `bearer`; documentOperations replaces it per route with the
      // three token schemes the route's declaration names.
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transformObject: (generated) => ('openapiObject' in generated ? documentOperations(generated.openapiObject, features, apiText) : generated.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Replaces the API's "load nothing" CSP on the pages and files under /docs. Swagger UI's HTML loads only
    // its own scripts and styles (no inline script); it styles elements inline and draws icons as data: images.
    staticCSP: DOCS_CSP,
  })
  // A creation answers where the created thing lives, as its declaration says.
  const locations = new Map(features.flatMap((f) => Object.entries(f.routes)).flatMap(([key, doc]) => (doc.location ? [[key, doc.location]] : [])))
  app.addHook('preSerialization', (request, reply, payload: { id?: unknown } | null, done) => {
    const location = reply.statusCode === 201 && locations.get(`${request.method} ${request.routeOptions.url}`)
    if (location && typeof payload?.id === 'string') reply.header('location', location.replace('{id}', payload.id))
    done(null, payload)
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
})
