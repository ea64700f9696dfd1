import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { requireAccount } from '../../http/auth.js'
import { perIpLimit } from '../../http/rate-limits.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { normaliseLocale, type Locale } from '../../mail/templates.js'
import {
  AssociationContactTransfer,
  AssociationIdParams,
  AssociationMemberParams,
  AssociationList,
  AssociationListQuery,
  AssociationMember,
  AssociationMemberInvite,
  AssociationMemberList,
  AssociationPatch,
  AssociationPrivate,
  AssociationPublic,
  AssociationSignUp,
  AssociationSignUpResult,
} from './associations.schemas.js'
import {
  assertMayManage,
  findAssociation,
  inviteMember,
  listAssociations,
  listMembers,
  maySeePrivate,
  privateAssociation,
  publicAssociation,
  removeMember,
  signUp,
  transferContact,
  updateAssociation,
} from './associations.service.js'

/** Accounts have no language yet: an email goes out in the first language the browser asked for, else German. */
function requestLocale(request: FastifyRequest): Locale {
  return normaliseLocale(request.headers['accept-language']?.split(',')[0])
}

export const associationRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.post(
    '/v1/associations',
    {
      // Per IP only: the contact email sits inside the body, and a sign-up with a taken email is refused anyway.
      ...perIpLimit(app, config.rateLimit, { max: 10, timeWindow: '1 hour' }),
      schema: {
        tags: ['associations'],
        summary: 'Sign up an association with its first member (an exhibitor account); emails a verification link',
        body: ref(AssociationSignUp),
        response: { 201: ref(AssociationSignUpResult), ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await signUp(db, config, request.body, requestLocale(request))),
  )

  app.get(
    '/v1/associations',
    {
      schema: {
        tags: ['associations'],
        summary: 'The public directory of associations, by name; search, filter by field of activity and district',
        querystring: AssociationListQuery,
        response: { 200: ref(AssociationList), ...problemResponses },
      },
    },
    async (request) => listAssociations(db, request.query),
  )

  app.get(
    '/v1/associations/:id',
    {
      schema: {
        tags: ['associations'],
        summary: 'An association: the public profile, plus the private fields for its members, admins and organizers of events it booked at',
        params: AssociationIdParams,
        response: {
          200: Type.Union([ref(AssociationPrivate), ref(AssociationPublic)], {
            description: 'AssociationPrivate for its members, admins and organizers of an event it has a stand booking at; AssociationPublic for everyone else',
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const row = await findAssociation(db, request.params.id)
      const viewer = request.principal?.kind === 'account' ? request.principal.account : undefined
      return (await maySeePrivate(db, viewer, row.id)) ? privateAssociation(row) : publicAssociation(row)
    },
  )

  app.patch(
    '/v1/associations/:id',
    {
      schema: {
        tags: ['associations'],
        summary: "Change an association's profile (its members, admins)",
        security: [{ bearer: [] }],
        params: AssociationIdParams,
        body: ref(AssociationPatch),
        response: { 200: ref(AssociationPrivate), ...problemResponses },
      },
    },
    async (request) => {
      await assertMayManage(db, requireAccount(request), request.params.id)
      return updateAssociation(db, request.params.id, request.body)
    },
  )

  app.get(
    '/v1/associations/:id/members',
    {
      schema: {
        tags: ['associations'],
        summary: "An association's member accounts (its members, admins)",
        security: [{ bearer: [] }],
        params: AssociationIdParams,
        response: { 200: ref(AssociationMemberList), ...problemResponses },
      },
    },
    async (request) => {
      await assertMayManage(db, requireAccount(request), request.params.id)
      return listMembers(db, request.params.id)
    },
  )

  app.post(
    '/v1/associations/:id/members',
    {
      ...perIpLimit(app, config.rateLimit, { max: 30, timeWindow: '1 hour' }),
      schema: {
        tags: ['associations'],
        summary: 'Add a member by email and email them a login link valid for 7 days (its members, admins)',
        security: [{ bearer: [] }],
        params: AssociationIdParams,
        body: ref(AssociationMemberInvite),
        response: { 201: ref(AssociationMember), ...problemResponses },
      },
    },
    async (request, reply) => {
      const inviter = requireAccount(request)
      await assertMayManage(db, inviter, request.params.id)
      const { member } = await inviteMember(db, config, request.params.id, inviter, request.body, requestLocale(request))
      return reply.code(201).send(member)
    },
  )

  app.delete(
    '/v1/associations/:id/members/:accountId',
    {
      schema: {
        tags: ['associations'],
        summary: 'Remove a member, or leave (your own id); the association keeps at least one member, and its contact until transferred',
        security: [{ bearer: [] }],
        params: AssociationMemberParams,
        response: { 204: { type: 'null', description: 'removed' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      await assertMayManage(db, requireAccount(request), request.params.id)
      await removeMember(db, request.params.id, request.params.accountId)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/associations/:id/contact',
    {
      schema: {
        tags: ['associations'],
        summary: "Make another member the association's contact: their email becomes the contact address (its members, admins)",
        security: [{ bearer: [] }],
        params: AssociationIdParams,
        body: ref(AssociationContactTransfer),
        response: { 200: ref(AssociationPrivate), ...problemResponses },
      },
    },
    async (request) => {
      await assertMayManage(db, requireAccount(request), request.params.id)
      return transferContact(db, request.params.id, request.body.accountId)
    },
  )
}
