import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TSchema } from 'typebox'
import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import type { AudienceSources } from '../mail/reminders.js'

/** What every feature's routes receive from buildApp: nothing global, nothing imported at module load. */
export interface AppDeps {
  config: Config
  db: Database
  /** who the visitors and exhibitors of an event are, for reminders and announcements */
  audiences: AudienceSources
}

export type FeatureRoutes = FastifyPluginAsyncTypebox<AppDeps>

/**
 * A feature as app.ts registers it, in one line: its named schemas, added to the whole app (other features
 * refer to them, and the OpenAPI document lists them as components), then its routes, which stay encapsulated.
 * The order of both is the order of the OpenAPI document, so a feature adds and registers in a fixed order.
 */
export function feature(name: string, schemas: readonly TSchema[], registerRoutes: (app: FastifyInstance, deps: AppDeps) => Promise<void>) {
  return fp<AppDeps>(
    async (app, deps) => {
      for (const schema of schemas) app.addSchema(schema)
      await registerRoutes(app, deps)
    },
    { name: `feature-${name}` },
  )
}
