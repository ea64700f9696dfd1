import type { FeatureRoutes } from '../../http/routes.js'
import { requireAccount } from '../../http/auth.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { loadEvent } from '../events/event-access.js'
import {
  ApproveBody,
  BookingListQuery,
  BookingParams,
  Pass,
  PassList,
  PassParams,
  PassPatch,
  RejectBody,
  StandBooking,
  StandBookingCreate,
  StandBookingList,
  WaitlistBody,
} from './bookings.schemas.js'
import { bookingView, createBooking, listBookings, loadBookingFor, performAction } from './bookings.service.js'
import { listPasses, loadPassFor, renamePass, revokePass } from './passes.service.js'

const tags = ['stand bookings']
const security = [{ bearer: [] }]

export const bookingRoutes: FeatureRoutes = async (app, { db, config }) => {
  app.post(
    '/v1/events/:eventId/stand-bookings',
    {
      schema: {
        tags,
        security,
        summary: 'Ask for a stand for an association (its members); 409 already_booked, 409 booking_closed',
        params: EventParams,
        body: ref(StandBookingCreate),
        response: { 201: ref(StandBooking), ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAccount(request)
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return reply.code(201).send(await createBooking(db, config, request.principal, event, request.body))
    },
  )

  app.get(
    '/v1/events/:eventId/stand-bookings',
    {
      schema: {
        tags,
        security,
        summary: "The event's stand bookings: all for its organizers, their associations' own for exhibitors",
        params: EventParams,
        querystring: BookingListQuery,
        response: { 200: ref(StandBookingList), ...problemResponses },
      },
    },
    async (request) => {
      requireAccount(request)
      const event = await loadEvent(db, request.principal, request.params.eventId, 'read')
      return listBookings(db, request.principal, event, request.query.status)
    },
  )

  app.get(
    '/v1/stand-bookings/:id',
    {
      schema: {
        tags,
        security,
        summary: 'A stand booking with its history (members of its association, organizers of its event)',
        params: BookingParams,
        response: { 200: ref(StandBooking), ...problemResponses },
      },
    },
    async (request) => bookingView(db, (await loadBookingFor(db, request.principal, request.params.id)).booking, true),
  )

  const actions = [
    ['approve', ApproveBody, 'Approve onto a free stand of the event (or move an approved booking to another): passes issued and emailed; 409 stand_taken'],
    ['reject', RejectBody, 'Reject, with the reason the association is told (final)'],
    ['waitlist', WaitlistBody, 'Put on the waitlist'],
  ] as const
  for (const [action, body, summary] of actions) {
    app.post(
      `/v1/stand-bookings/:id/${action}`,
      {
        schema: { tags, security, summary: `${summary} (organizers)`, params: BookingParams, body: ref(body), response: { 200: ref(StandBooking), ...problemResponses } },
      },
      async (request) => {
        const loaded = await loadBookingFor(db, request.principal, request.params.id)
        const input = (request.body ?? {}) as { standId?: string; reason?: string }
        return performAction(db, config, request.principal!, loaded, action, input)
      },
    )
  }

  app.delete(
    '/v1/stand-bookings/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Withdraw (members of the association) or cancel (organizers): the stand is freed, the passes revoked',
        description: 'When a stand is freed, `freedStand` names it and the waitlisted bookings that preferred it.',
        params: BookingParams,
        response: { 200: ref(StandBooking), ...problemResponses },
      },
    },
    async (request) => {
      const loaded = await loadBookingFor(db, request.principal, request.params.id)
      return performAction(db, config, request.principal!, loaded, 'delete')
    },
  )

  app.get(
    '/v1/stand-bookings/:id/passes',
    {
      schema: {
        tags,
        security,
        summary: "The booking's exhibitor passes (tickets of kind exhibitor), revoked ones marked",
        params: BookingParams,
        response: { 200: ref(PassList), ...problemResponses },
      },
    },
    async (request) => listPasses(db, (await loadBookingFor(db, request.principal, request.params.id)).booking.id),
  )

  app.patch(
    '/v1/passes/:ticketId',
    {
      schema: {
        tags,
        security,
        summary: 'Name the staff member who wears a pass (members of the association, organizers)',
        params: PassParams,
        body: ref(PassPatch),
        response: { 200: ref(Pass), ...problemResponses },
      },
    },
    async (request) => renamePass(db, await loadPassFor(db, request.principal, request.params.ticketId), request.body.holderName),
  )

  app.post(
    '/v1/passes/:ticketId/revoke',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke one pass: the door answers `revoked` from then on',
        params: PassParams,
        response: { 200: ref(Pass), ...problemResponses },
      },
    },
    async (request) => revokePass(db, await loadPassFor(db, request.principal, request.params.ticketId)),
  )
}
