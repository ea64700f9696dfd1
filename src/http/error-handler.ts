import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable, isUniqueViolation } from '../db/errors.js'
import { Problem, sendProblem, type FieldIssue } from './problem.js'

// Framework and plugin errors carry only a status; these give them the contract's stable codes.
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/** Every error of the app, the framework and its plugins becomes problem+json here, and only here. */
export function toProblem(err: FastifyError & { validation?: unknown[] }): Problem {
  if (err instanceof Problem) return err
  if (err.validation) return validationProblem(err)
  if (isDatabaseUnavailable(err)) return Problem.unavailable()
  // A unique index that a service did not translate still means "conflicts with current state".
  if (isUniqueViolation(err)) return Problem.conflict('conflict', 'The request conflicts with existing data.')
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'invalid_request'
    // Framework messages (bad JSON, wrong content type) are safe and useful; they name no internals.
    return new Problem(CODE_BY_STATUS[status] ? status : 400, code, err.message)
  }
  return new Problem(500, 'internal_error', 'An unexpected error occurred; it has been logged.')
}

interface AjvIssue {
  instancePath: string
  message?: string
  keyword: string
  params: Record<string, unknown>
}

function validationProblem(err: FastifyError & { validation?: unknown[]; validationContext?: string }): Problem {
  const where = err.validationContext ?? 'body'
  const errors: FieldIssue[] = (err.validation as AjvIssue[]).map((issue) => {
    let path = `/${where}${issue.instancePath}`
    let message = issue.message ?? 'is invalid'
    if (issue.keyword === 'required') path += `/${issue.params.missingProperty}`
    if (issue.keyword === 'additionalProperties') {
      path += `/${issue.params.additionalProperty}`
      message = 'is not allowed'
    }
    return { path, message }
  })
  const first = errors[0]
  return Problem.badRequest(first ? `${first.path} ${first.message}` : 'The request is invalid.', errors)
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(err)
    if (problem.status >= 500) {
      request.log.error({ err }, problem.status === 503 ? 'database unavailable' : 'unhandled error')
    }
    return sendProblem(request, reply, problem)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new Problem(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0].slice(0, 200)}.`)),
  )
}

/** For Fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding, over-long params). */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(request, reply, toProblem(err))
}
