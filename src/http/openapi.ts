import type { FastifyInstance, preSerializationHookHandler } from 'fastify'
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
  // A creation answers where the created thing lives, as its declaration says. The hook goes on those routes only:
  // every other answer (a door scan, say) then runs no preSerialization hook at all.
  const locations = new Map(features.flatMap((f) => Object.entries(f.routes)).flatMap(([key, doc]) => (doc.location ? [[key, doc.location]] : [])))
  app.addHook('onRoute', (route) => {
    const location = [route.method].flat().map((method) => locations.get(`${method} ${route.url}`)).find(Boolean)
    if (!location) return
    const setLocation: preSerializationHookHandler = (_request, reply, payload, done) => {
      const id = (payload as { id?: unknown } | null)?.id
      if (reply.statusCode === 201 && typeof id === 'string') reply.header('location', location.replace('{id}', id))
      done(null, payload)
    }
    route.preSerialization = [route.preSerialization ?? []].flat().concat(setLocation)
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
})
