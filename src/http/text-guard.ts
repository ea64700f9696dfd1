import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Problem } from './problem.js'

/**
 * PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate (legal as a JSON escape, `"\ud800"`) is no
 * character at all: either reaching the database was a 500. No field of this API can take them, so they are refused
 * before validation, wherever they are in the body or the query string, with the path of the first one.
 */
export function registerTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const where = findBadText(request.body, '/body') ?? findBadText(request.query, '/querystring')
    done(where ? Problem.invalidField(where, 'must not contain NUL characters or unpaired surrogates') : undefined)
  })
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const isBad = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s)

interface Visit {
  node: unknown
  key: string
  parent: Visit | null
}

/** The JSON-pointer path of a visit: built only for the one refused, not for every value walked past. */
function pathOf(visit: Visit, root: string): string {
  const keys: string[] = []
  for (let v: Visit | null = visit; v?.parent; v = v.parent) keys.push(v.key.replace(/~/g, '~0').replace(/\//g, '~1'))
  return root + keys.reverse().map((key) => `/${key}`).join('')
}

/** The JSON-pointer path of the first string (value or key) with a NUL or a lone surrogate, or null. Iterative: no stack to overflow. */
export function findBadText(value: unknown, root: string): string | null {
  const stack: Visit[] = [{ node: value, key: '', parent: null }]
  while (stack.length) {
    const visit = stack.pop()!
    const node = visit.node
    if (typeof node === 'string') {
      if (isBad(node)) return pathOf(visit, root)
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (isBad(key)) return pathOf(visit, root)
        stack.push({ node: (node as Record<string, unknown>)[key], key, parent: visit })
      }
    }
  }
  return null
}
