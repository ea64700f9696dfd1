import { feature } from '../../http/routes.js'
import { programSchemas } from './program.schemas.js'
import { reservationRoutes } from './reservations.routes.js'
import { roomRoutes } from './rooms.routes.js'
import { sessionRoutes } from './sessions.routes.js'

/** The fair's program: rooms, sessions (forums, talks, workshops, performances) and seat reservations. */
export const programFeature = feature('program', programSchemas, async (app, deps) => {
  await app.register(roomRoutes, deps)
  await app.register(sessionRoutes, deps)
  await app.register(reservationRoutes, deps)
})
