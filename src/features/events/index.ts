import { feature } from '../../http/routes.js'
import { eventRoutes } from './events.routes.js'
import { eventSchemas } from './events.schemas.js'

export const eventsFeature = feature('events', eventSchemas, async (app, deps) => {
  await app.register(eventRoutes, deps)
})
