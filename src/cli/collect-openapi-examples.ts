import fs from 'node:fs'
import path from 'node:path'
import type { OperationExample } from '../http/openapi-docs.js'

/**
 * `RECORD_OPENAPI_EXAMPLES=$PWD/tmp/openapi-examples npm test`, then `npm run openapi:examples -- tmp/openapi-examples`
 * and `npm run openapi`: the document's examples become the smallest real request and answer each operation had in
 * the suite. Operations the run did not reach keep the example they had.
 */
export const EXAMPLES_PATH = new URL('../http/openapi-examples.json', import.meta.url)

/** Lists longer than this are cut: an example shows the shape, not a page of data. */
const MAX_ITEMS = 2

function shorten(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map(shorten)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]))
  return value
}

export function collectExamples(dir: string, previous: Record<string, OperationExample>): Record<string, OperationExample> {
  const best = new Map<string, { score: number; example: OperationExample }>()
  for (const file of fs.readdirSync(dir)) {
    const operationId = file.split('.')[0]
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { score: number; example: OperationExample }
    if (recorded.score < (best.get(operationId)?.score ?? Infinity)) best.set(operationId, recorded)
  }
  const examples = { ...previous }
  for (const [operationId, { example }] of best) {
    examples[operationId] = {
      ...(example.request ? { request: { ...example.request, body: shorten(example.request.body) } } : {}),
      ...(example.response ? { response: { ...example.response, body: shorten(example.response.body) } } : {}),
    }
  }
  return Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b)))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'tmp/openapi-examples'
  const previous = JSON.parse(fs.readFileSync(EXAMPLES_PATH, 'utf8')) as Record<string, OperationExample>
  const examples = collectExamples(dir, previous)
  fs.writeFileSync(EXAMPLES_PATH, JSON.stringify(examples, null, 2) + '\n')
  process.stdout.write(`${Object.keys(examples).length} operations with examples in ${EXAMPLES_PATH.pathname}\n`)
}
