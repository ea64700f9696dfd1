import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { Problem, type FieldIssue } from '../../http/problem.js'
import type { AppDeps } from '../../http/routes.js'
import { problemResponses, ref } from '../../http/schemas.js'
import { EventParams } from '../events/events.schemas.js'
import { MAX_BATCH, Occupancy, Scan, ScanBatch, ScanBatchResult, ScanResult } from './checkins.schemas.js'
import { checkinService, type ScanInput } from './checkins.service.js'
import type { CodeVerifier } from './code-keys.js'
import { doorOf, eventDoorOf } from './door-access.js'
import type { InvalidScanRecorder } from './invalid-scans.js'

const tags = ['check-in']
const security = [{ bearer: [] }]
// Device clocks drift; a scan dated further ahead than this is a broken clock, not an early scan.
const MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000
/** No ticket of this service was scanned before 2000: an older time is a broken clock too. */
const EARLIEST_SCAN = Date.UTC(2000, 0, 1)

/** The request's scans as the service takes them; a scan naming neither or both of code and ticketId is a 400. */
export function scanInputs(scans: Static<typeof Scan>[], path: (i: number) => string): ScanInput[] {
  const now = Date.now()
  const issues: FieldIssue[] = []
  const inputs = scans.map((scan, i) => {
    if ((scan.code === undefined) === (scan.ticketId === undefined)) {
      issues.push({ path: `${path(i)}/code`, message: 'exactly one of code and ticketId is required' })
    }
    const scannedAt = scan.scannedAt === undefined ? new Date(now) : new Date(scan.scannedAt)
    // A leap second (23:59:60) passes the date-time format but is no JS Date; year 0 is no PostgreSQL timestamp: both were 500s.
    if (Number.isNaN(scannedAt.getTime()) || scannedAt.getTime() < EARLIEST_SCAN) {
      issues.push({ path: `${path(i)}/scannedAt`, message: 'is not a valid point in time' })
    } else if (scannedAt.getTime() > now + MAX_CLOCK_AHEAD_MS) {
      issues.push({ path: `${path(i)}/scannedAt`, message: "is more than 5 minutes ahead of the server's clock" })
    }
    return { code: scan.code, ticketId: scan.ticketId?.toLowerCase(), direction: scan.direction ?? 'entry', scannedAt, nonce: scan.nonce }
  })
  if (issues.length) throw Problem.badRequest(`${issues[0].path} ${issues[0].message}`, issues)
  return inputs
}

const scanDescription =
  'Verifies the code (Ed25519, offline-capable) and judges it, in this order: `invalid_code`, `unknown_ticket`, ' +
  '`wrong_event`, `revoked`, `already_checked_in` / `not_checked_in`, else `ok` (a revoked ticket that is inside may still leave). ' +
  'A rejected scan is a 200 too. Every scan of a genuine code is recorded with its result; codes that fail the signature ' +
  'check are answered without touching the database and only counted. Of several doors scanning one ticket at once, exactly one ' +
  'gets `ok`. A `nonce` already sent by this device returns the first answer and changes nothing. `ticketId` instead of `code` ' +
  'checks in a ticket found with the door search. Door scanners of the event (vmd_) and its organizers.'

/** The verifier and the invalid-code counter come from the checkin feature (index.ts), which shares the counter with the stats. */
export const checkinRoutes: FastifyPluginAsyncTypebox<AppDeps & { verifier: CodeVerifier; invalidScans: InvalidScanRecorder }> = async (
  app,
  { db, verifier, invalidScans },
) => {
  const service = checkinService(db, verifier, invalidScans)

  app.post(
    '/v1/events/:eventId/checkins',
    {
      schema: {
        tags,
        security,
        summary: 'Scan a ticket at the door: entry (default) or exit',
        description: scanDescription,
        params: EventParams,
        body: ref(Scan),
        response: { 200: ref(ScanResult), ...problemResponses },
      },
    },
    async (request) => {
      const door = eventDoorOf(await doorOf(db, request.principal, request.params.eventId))
      const [input] = scanInputs([request.body], () => '/body')
      return service.scan(door, input)
    },
  )

  app.post(
    '/v1/events/:eventId/checkins/batch',
    {
      schema: {
        tags,
        security,
        summary: `Upload up to ${MAX_BATCH} scans made offline; judged in the order they were scanned, answered in the order sent`,
        description:
          'Each scan is judged as in `POST …/checkins`, placed by its `scannedAt` among the ticket\'s accepted scans: an entry ' +
          'scanned offline before an exit recorded online counts before it. Accepted scans already recorded are never changed. ' +
          'Results are in the order of the request, with the occupancy after the whole batch. A nonce sent before by this device, ' +
          'or twice in the batch, answers as the first time.',
        params: EventParams,
        body: ref(ScanBatch),
        response: { 200: ref(ScanBatchResult), ...problemResponses },
      },
    },
    async (request) => {
      const door = eventDoorOf(await doorOf(db, request.principal, request.params.eventId))
      const inputs = scanInputs(request.body.scans, (i) => `/body/scans/${i}`)
      return { results: await service.scanBatch(door, inputs) }
    },
  )

  app.get(
    '/v1/events/:eventId/occupancy',
    {
      schema: {
        tags,
        security,
        summary: 'People inside now, counted by the door; exact after every scan (door scanners of the event, its organizers)',
        description: 'Cheap to poll: a sum over a few counter rows. `inside` equals `entries − exits` as long as every device has uploaded its scans.',
        params: EventParams,
        response: { 200: ref(Occupancy), ...problemResponses },
      },
    },
    async (request, reply) => {
      const door = await doorOf(db, request.principal, request.params.eventId)
      reply.header('cache-control', 'no-store')
      return service.occupancy(door.eventId)
    },
  )
}
