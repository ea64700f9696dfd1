import { feature } from '../../http/routes.js'
import { associationRoutes } from './associations.routes.js'
import { associationSchemas } from './associations.schemas.js'
import { coExhibitorRoutes } from './co-exhibitors.routes.js'
import { coExhibitorSchemas } from './co-exhibitors.schemas.js'
import { exhibitorRoutes } from './exhibitors.routes.js'
import { exhibitorSchemas } from './exhibitors.schemas.js'
import { matchRoutes } from './matches.routes.js'
import { matchSchemas } from './matches.schemas.js'
import { vocabularyRoutes } from './vocabularies.routes.js'
import { vocabularySchemas } from './vocabularies.schemas.js'

/** Associations, their profiles and vocabularies, the exhibitor list, matchmaking and co-exhibitors. */
export const associationsFeature = feature(
  'associations',
  [...vocabularySchemas, ...associationSchemas, ...exhibitorSchemas, ...matchSchemas, ...coExhibitorSchemas],
  async (app, deps) => {
    await app.register(vocabularyRoutes, deps)
    await app.register(associationRoutes, deps)
    await app.register(exhibitorRoutes, deps)
    await app.register(matchRoutes, deps)
    await app.register(coExhibitorRoutes, deps)
  },
)
