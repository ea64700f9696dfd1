import { Type } from 'typebox'
import { requireRole } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { Vocabularies, VocabularyKey, VocabularyKindParam, VocabularyTerm, VocabularyTermCreate, VocabularyTermPatch } from './vocabularies.schemas.js'
import { addVocabularyTerm, loadVocabulary, relabelVocabularyTerm } from './vocabularies.service.js'

export const vocabularyRoutes: FeatureRoutes = async (app, { db }) => {
  app.get(
    '/v1/vocabularies',
    {
      schema: {
        tags: ['associations'],
        summary: 'The vocabularies of association profiles: fields of activity, target groups, districts',
        response: { 200: ref(Vocabularies), ...problemResponses },
      },
    },
    async () => loadVocabulary(db),
  )

  app.post(
    '/v1/vocabularies/:kind',
    {
      schema: {
        tags: ['associations'],
        summary: 'Add a term at the end of a vocabulary (admin)',
        security: [{ bearer: [] }],
        params: Type.Object({ kind: VocabularyKindParam }),
        body: ref(VocabularyTermCreate),
        response: { 201: ref(VocabularyTerm), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin')
      return reply.code(201).send(await addVocabularyTerm(db, request.params.kind, request.body))
    },
  )

  app.patch(
    '/v1/vocabularies/:kind/:key',
    {
      schema: {
        tags: ['associations'],
        summary: "Change a term's labels (admin)",
        security: [{ bearer: [] }],
        params: Type.Object({ kind: VocabularyKindParam, key: VocabularyKey }),
        body: ref(VocabularyTermPatch),
        response: { 200: ref(VocabularyTerm), ...problemResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      return relabelVocabularyTerm(db, request.params.kind, request.params.key, request.body.labels)
    },
  )
}
