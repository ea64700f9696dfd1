import type { FastifyReply, FastifyRequest } from 'fastify'

export interface FieldIssue {
  path: string
  message: string
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
}

/** An error with a stable `code`, answered as RFC 9457 problem+json by the one error handler. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }

  static badRequest(detail: string, errors?: FieldIssue[]) {
    return new Problem(400, 'invalid_request', detail, errors)
  }
  static invalidField(path: string, message: string) {
    return Problem.badRequest(`${path} ${message}`, [{ path, message }])
  }
  static unauthenticated(detail = 'Valid credentials are required.') {
    return new Problem(401, 'unauthenticated', detail, undefined, { 'www-authenticate': 'Bearer' })
  }
  static forbidden(detail = 'Your account may not do this.') {
    return new Problem(403, 'forbidden', detail)
  }
  static notFound(what = 'resource') {
    return new Problem(404, 'not_found', `No such ${what}.`)
  }
  static conflict(code: string, detail: string) {
    return new Problem(409, code, detail)
  }
  static unavailable(detail = 'The database is unavailable; retry shortly.') {
    return new Problem(503, 'unavailable', detail, undefined, { 'retry-after': '5' })
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  const body: Record<string, unknown> = {
    type: `urn:vereinsmesse:problem:${problem.code}`,
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    // The request id (always a UUID, see http/logging.ts), as in the X-Request-Id header and every log line of the request.
    instance: `urn:uuid:${request.id}`,
  }
  if (problem.errors?.length) body.errors = problem.errors
  return reply
    .code(problem.status)
    // Also set by the security plugin's onRequest hook, which errors raised before routing (a bad URL) skip.
    .header('x-request-id', request.id)
    .headers(problem.headers)
    .type('application/problem+json; charset=utf-8')
    .send(body)
}
