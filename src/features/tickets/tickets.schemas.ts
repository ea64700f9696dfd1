import { Type } from 'typebox'
import { Uuid } from '../../http/schemas.js'

export const TicketParams = Type.Object({ ticketId: Uuid }, { additionalProperties: false })

/** Not JSON: a 200 documents its media type; the body is sent as is, never serialised. */
export const qrImageResponse = (mediaType: 'image/png' | 'image/svg+xml', description: string) => ({
  description,
  headers: {
    ETag: { type: 'string', description: 'strong: the same code always gives the same image' },
    'Cache-Control': { type: 'string', description: 'private, max-age=86400, immutable' },
  },
  content: { [mediaType]: { schema: { type: 'string', format: 'binary', description } } },
})

export const notModifiedResponse = { type: 'null', description: 'Not modified: the If-None-Match tag is still current' }
