import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FeatureRoutes } from '../../http/routes.js'
import { matchesIfNoneMatch } from '../../http/etag.js'
import { problemResponses } from '../../http/schemas.js'
import { notModifiedResponse, qrImageResponse, TicketParams } from './tickets.schemas.js'
import { renderTicketQr, type QrFormat } from './qr.js'
import { loadTicketFor, qrEtag } from './tickets.service.js'

const tags = ['tickets']
const security = [{ bearer: [] }]
const MEDIA_TYPES: Record<QrFormat, string> = { png: 'image/png', svg: 'image/svg+xml' }
// The image of a code never changes; private because only the holder and staff may see it.
const CACHE_CONTROL = 'private, max-age=86400, immutable'

/**
 * `GET /v1/tickets/{ticketId}/qr.png|svg`: rendered on request, outside any transaction (PNG costs ~4 ms of
 * CPU). Access is decided before the validators are compared, so a 304 never reveals more than a 200 would.
 */
export const ticketRoutes: FeatureRoutes = async (app, { db }) => {
  const serve = (format: QrFormat) => async (request: FastifyRequest<{ Params: { ticketId: string } }>, reply: FastifyReply) => {
    const ticket = await loadTicketFor(db, request.principal, request.params.ticketId)
    const etag = qrEtag(ticket.code, format)
    reply.header('etag', etag).header('cache-control', CACHE_CONTROL).header('vary', 'Authorization')
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send()
    const image = await renderTicketQr(ticket.code, format)
    return reply.type(format === 'svg' ? 'image/svg+xml; charset=utf-8' : MEDIA_TYPES.png).send(image)
  }

  for (const format of ['png', 'svg'] as const) {
    app.get(
      `/v1/tickets/:ticketId/qr.${format}`,
      {
        schema: {
          tags,
          security,
          summary: `The ticket's QR code as ${format.toUpperCase()} (the registration's manage token, or staff of the event)`,
          description:
            'The QR holds the ticket `code`. Cacheable: strong ETag, `If-None-Match` answers 304. A revoked ticket is 404 for its holder; staff still get it.',
          params: TicketParams,
          response: {
            200: qrImageResponse(MEDIA_TYPES[format] as 'image/png' | 'image/svg+xml', `QR code of the ticket code (${MEDIA_TYPES[format]})`),
            304: notModifiedResponse,
            ...problemResponses,
          },
        },
      },
      serve(format),
    )
  }
}
