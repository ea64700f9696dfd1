import { feature } from '../../http/routes.js'
import { meetingRoutes } from './meetings.routes.js'
import { meetingSchemas } from './meetings.schemas.js'

/** Meetings between associations: requests, answers, slots and places, the scheduler, agendas and stats. */
export const meetingsFeature = feature('meetings', meetingSchemas, async (app, deps) => {
  await app.register(meetingRoutes, deps)
})
