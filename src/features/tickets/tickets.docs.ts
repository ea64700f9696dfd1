import type { FeatureDocs } from '../../http/openapi-docs.js'

export const ticketDocs: FeatureDocs = {
  routes: Object.fromEntries(
    (['png', 'svg'] as const).map((format) => [
      `GET /v1/tickets/:ticketId/qr.${format}`,
      {
        operationId: format === 'png' ? 'getTicketQrPng' : 'getTicketQrSvg',
        auth: ['manage', 'session'],
        errors: ['not_found'],
        etag: true,
        ok: `The QR code of the ticket code, as ${format.toUpperCase()}.`,
        headers: { Vary: 'Authorization.' },
      },
    ]),
  ),
  schemas: {},
}
