import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { routeKey, type OperationExample } from './openapi-docs.js'

export interface AnswerCheckOptions {
  /** called with a sentence for every answer the OpenAPI document does not declare */
  report: (message: string) => void
  /** a directory to write each operation's smallest real request and 2xx answer to, for the document's examples */
  recordExamplesTo?: string
}

type Json = Record<string, any>

// The document depends on no configuration or data, so one per process serves every app a test file builds.
let operations: Map<string, Json> | undefined

/**
 * Test mode only (test/helpers/app.ts turns it on for every test): holds every answer against the document the
 * app serves, so the whole suite (bad-input corpus, authorisation matrix, each feature) proves that the
 * statuses and problem codes declared per route are the ones it answers.
 */
export const answerCheckPlugin = fp<AnswerCheckOptions>(async (app: FastifyInstance, { report, recordExamplesTo }) => {
  const operationsByRoute = () =>
    (operations ??= new Map(
      Object.entries<Json>((app.swagger() as Json).paths).flatMap(([p, item]) =>
        Object.entries<Json>(item).map(([method, operation]) => [routeKey(method, p), operation] as const),
      ),
    ))
  const best = new Map<string, number>()

  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url
    if (!url) return payload
    const key = `${request.method === 'HEAD' ? 'GET' : request.method} ${url}`
    const operation = operationsByRoute().get(key)
    if (!operation) return payload // hidden routes: /docs, /openapi.json
    const status = reply.statusCode
    const response = operation.responses[String(status)]
    const mediaType = String(reply.getHeader('content-type') ?? '').split(';')[0]
    if (!response) {
      report(`${key} answered ${status}${problemCode(mediaType, payload)}, a status its OpenAPI responses do not declare`)
    } else if (status >= 400) {
      const code = JSON.parse(String(payload)).code
      const declared: string[] = response.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? []
      if (!declared.includes(code)) report(`${key} answered ${status} ${code}, a code its OpenAPI ${status} does not declare (${declared.join(', ')})`)
    } else if (status < 300 && status !== 204 && !response.content?.[mediaType]) {
      report(`${key} answered ${status} as ${mediaType}, a media type its OpenAPI ${status} does not declare`)
    }
    if (recordExamplesTo && status < 300 && status !== 204 && typeof payload === 'string' && payload !== '') {
      recordExample(recordExamplesTo, best, operation.operationId, request.body, request.headers['content-type'], status, mediaType, payload)
    }
    return payload
  })
})

function problemCode(mediaType: string, payload: unknown) {
  return mediaType === 'application/problem+json' ? ` ${JSON.parse(String(payload)).code}` : ''
}

/** Keeps, per operation, the smallest answer that is not an empty list: short, and still shows a real item. */
function recordExample(
  dir: string,
  best: Map<string, number>,
  operationId: string,
  body: unknown,
  requestType: string | undefined,
  status: number,
  mediaType: string,
  payload: string,
) {
  const score = payload.length + (/\[\]/.test(payload) ? 1e6 : 0) + (typeof body === 'string' && body.length > 2000 ? 1e6 : 0)
  if (score >= (best.get(operationId) ?? Infinity)) return
  best.set(operationId, score)
  const example: OperationExample = {
    ...(body !== undefined && body !== null ? { request: { mediaType: (requestType ?? 'application/json').split(';')[0], body } } : {}),
    response: { status, mediaType, body: mediaType.endsWith('json') ? JSON.parse(payload) : payload },
  }
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, `${operationId}.${process.pid}.json`), JSON.stringify({ score, example }))
}
