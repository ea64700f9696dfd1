import { feature } from '../../http/routes.js'
import { emailRoutes } from './email.routes.js'
import { emailSchemas } from './email.schemas.js'

/** Announcements and the event's outbox; what emails attach and who the audiences are is handed to the worker by server.ts. */
export const emailFeature = feature('email', emailSchemas, async (app, deps) => {
  await app.register(emailRoutes, deps)
})
