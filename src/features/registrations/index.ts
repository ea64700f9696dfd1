import { feature } from '../../http/routes.js'
import { attendeeListRoutes } from './attendee-list.routes.js'
import { attendeeListSchemas } from './attendee-list.schemas.js'
import { privacyRoutes } from './privacy.routes.js'
import { privacySchemas } from './privacy.schemas.js'
import { registrationRoutes } from './registrations.routes.js'
import { registrationSchemas } from './registrations.schemas.js'

export const registrationsFeature = feature(
  'registrations',
  [...registrationSchemas, ...privacySchemas, ...attendeeListSchemas],
  async (app, deps) => {
    await app.register(registrationRoutes, deps)
    await app.register(privacyRoutes, deps)
    await app.register(attendeeListRoutes, deps)
  },
)
