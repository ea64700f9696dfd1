import { feature } from '../../http/routes.js'
import { bookingRoutes } from './bookings.routes.js'
import { bookingSchemas } from './bookings.schemas.js'
import { standRoutes } from './stands.routes.js'
import { standSchemas } from './stands.schemas.js'

/** Stands, the stand plan import, stand bookings and exhibitor passes. */
export const standsFeature = feature('stands', [...standSchemas, ...bookingSchemas], async (app, deps) => {
  await app.register(standRoutes, deps)
  await app.register(bookingRoutes, deps)
})
