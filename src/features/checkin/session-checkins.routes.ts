import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Database } from '../../db/client.js'
import type { Principal } from '../../http/auth.js'
import { Problem } from '../../http/problem.js'
import type { AppDeps } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { Scan, ScanBatch, ScanBatchResult, ScanResult } from './checkins.schemas.js'
import { scanInputs } from './checkins.routes.js'
import type { ScanInput } from './checkins.service.js'
import type { CodeVerifier, SignedCode } from './code-keys.js'
import { doorOf, type Door } from './door-access.js'
import type { InvalidScanRecorder } from './invalid-scans.js'
import { INVALID, findSessionAtDoor, sessionCheckinService, type SessionAtDoor } from './session-checkins.service.js'

import { SessionParams } from '../program/program.schemas.js'
const tags = ['check-in']
const security = [{ bearer: [] }]

/**
 * Who may scan at this session's door: a scanner of its event (a scanner bound to a room: that room's sessions
 * only, else 403), or the event's staff; as at the event's door otherwise (doorOf). A draft session is no door: 404.
 */
async function sessionDoor(db: Database, principal: Principal | null, sessionId: string): Promise<{ session: SessionAtDoor; door: Door }> {
  if (!principal) throw Problem.unauthenticated()
  const session = await findSessionAtDoor(db, sessionId)
  if (!session || session.status === 'draft') throw Problem.notFound('session')
  const door = await doorOf(db, principal, session.eventId)
  if (door.roomId && door.roomId !== session.roomId) throw Problem.forbidden("This scanner is bound to another room: it scans that room's sessions only.")
  return { session, door }
}

const description =
  'Judged as at the event\'s door (`invalid_code`, `unknown_ticket`, `wrong_event`, `revoked`, `already_checked_in` / ' +
  '`not_checked_in`), then for an entry: `no_reservation` (a `required` session and no `reserved` reservation of the ' +
  "ticket's registration; waitlisted is not enough; exhibitor passes need none) and `room_full` (the party does not fit the " +
  'seats left: people inside never exceed `seats`). `occupancy` is the room\'s: `{inside, capacity: seats}`. No entry at the ' +
  "fair's door is needed first. A code failing the signature check, from a scanner of the event, is answered `invalid_code` " +
  'before the session is read. A draft session is 404; a cancelled one answers entries with 409 `invalid_transition` and still ' +
  'counts exits. A scanner bound to another room: 403. Door scanners of the event (vmd_) and its organizers.'

/** Room doors of the program: the sessions' check-in (the event's door is checkins.routes.ts). */
export const sessionCheckinRoutes: FastifyPluginAsyncTypebox<AppDeps & { verifier: CodeVerifier; invalidScans: InvalidScanRecorder }> = async (
  app,
  { db, verifier, invalidScans },
) => {
  const service = sessionCheckinService(db, verifier, invalidScans)

  app.post(
    '/v1/sessions/:sessionId/checkins',
    {
      schema: {
        tags,
        security,
        summary: "Scan a ticket at a session's room door: entry (default) or exit",
        description,
        params: SessionParams,
        body: ref(Scan),
        response: { 200: ref(ScanResult), ...problemResponses },
      },
    },
    async (request) => {
      const [input] = scanInputs([request.body], () => '/body')
      const principal = request.principal
      // A forged code from a scanner: decided by its signature alone, as at the event's door (no database read).
      let signed: SignedCode | null | undefined
      if (principal?.kind === 'scanner' && input.code !== undefined) {
        signed = await service.signedCode(await doorOf(db, principal, principal.eventId), input)
        if (!signed) return INVALID
      }
      const { session, door } = await sessionDoor(db, principal, request.params.sessionId)
      assertOpenForEntry(session, [input])
      return service.scan(session, door, signed ?? (await service.signedCode(door, input)), input)
    },
  )

  app.post(
    '/v1/sessions/:sessionId/checkins/batch',
    {
      schema: {
        tags,
        security,
        summary: "Upload scans made offline at a session's room door; judged in the order they were scanned, answered in the order sent",
        description:
          'Each scan is judged as in `POST /v1/sessions/{sessionId}/checkins`, one after another by `scannedAt`, against the ' +
          'state at upload. Results are in the order of the request, with the occupancy after the whole batch. A nonce sent ' +
          'before by this device, or twice in the batch, answers as the first time.',
        params: SessionParams,
        body: ref(ScanBatch),
        response: { 200: ref(ScanBatchResult), ...problemResponses },
      },
    },
    async (request) => {
      const inputs = scanInputs(request.body.scans, (i) => `/body/scans/${i}`)
      const { session, door } = await sessionDoor(db, request.principal, request.params.sessionId)
      assertOpenForEntry(session, inputs)
      return { results: await service.scanBatch(session, door, inputs) }
    },
  )
}

/** Nobody is admitted to a session that does not take place; those inside may still leave and be counted. */
function assertOpenForEntry(session: SessionAtDoor, inputs: ScanInput[]) {
  if (session.status === 'cancelled' && inputs.some((i) => i.direction === 'entry')) {
    throw Problem.conflict('invalid_transition', 'The session is cancelled: its door admits nobody (exits are still counted).')
  }
}
