import { feature } from '../../http/routes.js'
import { ticketRoutes } from './tickets.routes.js'

/** The QR images of tickets; the tickets themselves are issued by registrations and stand bookings. */
export const ticketsFeature = feature('tickets', [], async (app, deps) => {
  await app.register(ticketRoutes, deps)
})
