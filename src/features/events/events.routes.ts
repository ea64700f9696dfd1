import { requireRole } from '../../http/auth.js'
import type { FeatureRoutes } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { loadEvent } from './event-access.js'
import {
  Event,
  EventCreate,
  EventList,
  EventListQuery,
  EventParams,
  EventPatch,
  OrganizerList,
  OrganizerParams,
} from './events.schemas.js'
import {
  assignOrganizer,
  cancelEvent,
  createEvent,
  listEvents,
  listOrganizers,
  patchEvent,
  publishEvent,
  removeOrganizer,
  toEvent,
} from './events.service.js'

const tags = ['events']
const security = [{ bearer: [] }]

export const eventRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.post(
    '/v1/events',
    {
      schema: {
        tags,
        security,
        summary: 'Create an event as a draft (admin)',
        body: ref(EventCreate),
        response: { 201: ref(Event), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin')
      return reply.code(201).send(toEvent(await createEvent(db, request.body)))
    },
  )

  app.get(
    '/v1/events',
    {
      schema: {
        tags,
        summary: 'List events: the public sees published ones, organizers also their own, admins all',
        querystring: EventListQuery,
        response: { 200: ref(EventList), ...problemResponses },
      },
    },
    async (request) => listEvents(db, request.principal, request.query),
  )

  app.get(
    '/v1/events/:eventId',
    {
      schema: {
        tags,
        summary: 'One event, by id or slug',
        params: EventParams,
        response: { 200: ref(Event), ...problemResponses },
      },
    },
    async (request) => toEvent(await loadEvent(db, request.principal, request.params.eventId, 'read')),
  )

  app.patch(
    '/v1/events/:eventId',
    {
      schema: {
        tags,
        security,
        summary: 'Change an event (its organizers, admin)',
        params: EventParams,
        body: ref(EventPatch),
        response: { 200: ref(Event), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return toEvent(await patchEvent(db, config, event.id, request.body))
    },
  )

  for (const [action, perform, summary] of [
    ['publish', publishEvent, 'Publish a draft: the public can see it and register'],
    ['cancel', cancelEvent, 'Cancel the event'],
  ] as const) {
    app.post(
      `/v1/events/:eventId/${action}`,
      {
        schema: { tags, security, summary, params: EventParams, response: { 200: ref(Event), ...problemResponses } },
      },
      async (request) => {
        const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
        return toEvent(await perform(db, event.id))
      },
    )
  }

  app.get(
    '/v1/events/:eventId/organizers',
    {
      schema: {
        tags,
        security,
        summary: 'The organizers assigned to an event',
        params: EventParams,
        response: { 200: ref(OrganizerList), ...problemResponses },
      },
    },
    async (request) => {
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return listOrganizers(db, event.id)
    },
  )

  app.put(
    '/v1/events/:eventId/organizers/:accountId',
    {
      schema: {
        tags,
        security,
        summary: 'Assign an organizer account to an event (admin); answers the organizers',
        params: OrganizerParams,
        response: { 200: ref(OrganizerList), ...problemResponses },
      },
    },
    async (request) => {
      requireRole(request, 'admin')
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      return assignOrganizer(db, event.id, request.params.accountId)
    },
  )

  app.delete(
    '/v1/events/:eventId/organizers/:accountId',
    {
      schema: {
        tags,
        security,
        summary: 'Remove an organizer from an event (admin)',
        params: OrganizerParams,
        response: { 204: { type: 'null', description: 'removed' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin')
      const event = await loadEvent(db, request.principal, request.params.eventId, 'manage')
      await removeOrganizer(db, event.id, request.params.accountId)
      return reply.code(204).send(null)
    },
  )
}
