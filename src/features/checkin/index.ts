import { feature } from '../../http/routes.js'
import { checkinRoutes } from './checkins.routes.js'
import { checkinSchemas } from './checkins.schemas.js'
import { codeVerifier } from './code-keys.js'
import { doorRoutes } from './door.routes.js'
import { doorSchemas } from './door.schemas.js'
import { invalidScanRecorder } from './invalid-scans.js'
import { scannerRoutes } from './scanners.routes.js'
import { scannerSchemas } from './scanners.schemas.js'
import { sessionCheckinRoutes } from './session-checkins.routes.js'
import { statsRoutes } from './stats.routes.js'
import { statsSchemas } from './stats.schemas.js'

/** Door check-in: scanner devices, scans, the door's offline data, and the organizers' numbers. */
export const checkinFeature = feature('checkin', [...scannerSchemas, ...checkinSchemas, ...doorSchemas, ...statsSchemas], async (app, deps) => {
  const verifier = codeVerifier(deps.db)
  // One counter of invalid codes: the scans write it, the stats must include what it has not written yet.
  const invalidScans = invalidScanRecorder(deps.db, app.log)
  // Before the database closes (server.ts and the tests close the app first): the last counts are written.
  app.addHook('onClose', async () => {
    await verifier.close()
    await invalidScans.close()
  })
  await app.register(scannerRoutes, deps)
  await app.register(checkinRoutes, { ...deps, verifier, invalidScans })
  await app.register(sessionCheckinRoutes, { ...deps, verifier, invalidScans })
  await app.register(statsRoutes, { ...deps, invalidScans })
  await app.register(doorRoutes, deps)
})
