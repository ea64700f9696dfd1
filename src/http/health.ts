import { sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { migrationsApplied } from '../db/migrate.js'
import { Problem } from './problem.js'
import type { FeatureRoutes } from './routes.js'
import { problemResponses } from './schemas.js'

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })

export const healthRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/health/live',
    { schema: { tags: ['health'], summary: 'The process is up', response: { 200: Health } } },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers and every migration is applied',
        response: { 200: Health, ...problemResponses },
      },
    },
    async () => {
      await db.execute(sql`select 1`)
      if (!(await migrationsApplied(db))) throw Problem.unavailable('Database migrations are not applied yet.')
      return { status: 'ok' as const }
    },
  )
}
