import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'

export interface ProblemBody {
  code: string
  detail: string
  errors?: { path: string; message: string }[]
}

/** Asserts an RFC 9457 answer with the contract's code, and returns its body. */
export function problem(t: Test, res: LightMyRequestResponse, status: number, code: string): ProblemBody {
  t.equal(res.statusCode, status, `status ${status} ${code}`, { body: res.body.slice(0, 600) })
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json')
  const body = res.json()
  t.equal(body.code, code, `code ${code}`)
  t.equal(body.status, status, 'status in the body')
  t.equal(body.type, `urn:vereinsmesse:problem:${code}`)
  t.type(body.detail, 'string')
  // RFC 9457 `instance`: this request, by the id that is also in the X-Request-Id header and in the logs.
  t.match(body.instance, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'instance names the request')
  t.equal(body.instance, `urn:uuid:${res.headers['x-request-id']}`, 'instance is the X-Request-Id')
  return body
}
