import type { FeatureDocs } from './openapi-docs.js'

export const httpDocs: FeatureDocs = {
  routes: {
    'GET /health/live': { operationId: 'checkLiveness', auth: ['public'], ok: 'The process is up.' },
    'GET /health/ready': { operationId: 'checkReadiness', auth: ['public'], ok: 'The database answers and every migration is applied.' },
  },
  schemas: {
    FieldIssue: 'One invalid field of a 400: where (`/body/email`, `/querystring/limit`) and what is wrong with it.',
  },
}
