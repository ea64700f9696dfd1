import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import { tickets, type TicketRow } from '../../db/schema.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import { isEventStaff } from '../events/event-access.js'
import { mayManagePass } from '../stands/passes.service.js'
import type { QrFormat } from './qr.js'

/**
 * The ticket, for its registration's manage token or staff of its event (admins, the event's organizers).
 * No credentials: 401. Anyone else, and an unknown id: 404, the same answer, so nobody learns which ids exist.
 * A revoked ticket is 404 for its holder too ("ticket revoked": nothing to show at the door any more); staff
 * still see it, to help someone at the desk.
 */
export async function loadTicketFor(db: Queryable, principal: Principal | null, ticketId: string): Promise<TicketRow> {
  if (!principal) throw Problem.unauthenticated()
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId))
  if (ticket) {
    if (await isEventStaff(db, principal, ticket.eventId)) return ticket
    // An exhibitor pass: members of its booking's association see it like staff do (revoked ones too).
    if (ticket.bookingId !== null && (await mayManagePass(db, principal, ticket))) return ticket
    const holder = principal.kind === 'registration' && ticket.registrationId !== null && principal.registrationId === ticket.registrationId
    if (holder) {
      if (ticket.revokedAt) throw new Problem(404, 'not_found', 'ticket revoked')
      return ticket
    }
  }
  throw Problem.notFound('ticket')
}

// Bump when the rendering (qr.ts options, size) changes, so clients holding an old ETag get the new image.
const RENDER_VERSION = 'qr1'

/** Strong validator of the image: the image is a pure function of the code, the format and the renderer. */
export function qrEtag(code: string, format: QrFormat): string {
  return `"${createHash('sha256').update(`${RENDER_VERSION}\0${format}\0${code}`).digest('base64url').slice(0, 32)}"`
}

