import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
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
