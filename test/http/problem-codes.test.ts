import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { PROBLEM_CODES } from '../../src/http/problem-codes.js'
import { OPENAPI_PATH } from '../../src/cli/write-openapi.js'

const SRC = new URL('../../src/', import.meta.url).pathname

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : []
  })
}

// Where codes are declared rather than raised: a code found only there can no longer happen.
const DECLARING = /problem-codes\.ts$|\.docs\.ts$|openapi-docs\.ts$|openapi-guide\.ts$/

t.test('every code a route may declare is still raised somewhere in src/', async (t) => {
  const raising = sourceFiles(SRC)
    .filter((file) => !DECLARING.test(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n')
  for (const code of Object.keys(PROBLEM_CODES)) {
    t.ok(raising.includes(`'${code}'`), `'${code}' occurs in the code that raises problems`)
  }
})

t.test("the document's problem responses use the catalogue's codes at their one status", async (t) => {
  const document = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'))
  const seen = new Set<string>()
  for (const [p, item] of Object.entries<Record<string, { responses: Record<string, any> }>>(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const [status, response] of Object.entries(operation.responses).filter(([s]) => /^[45]/.test(s))) {
        const codes: string[] = response.content['application/problem+json'].schema.allOf[1].properties.code.enum
        for (const code of codes) {
          seen.add(code)
          t.equal(PROBLEM_CODES[code as keyof typeof PROBLEM_CODES]?.status, Number(status), `${method} ${p}: ${code} is a ${status}`)
        }
      }
    }
  }
  t.same([...seen].sort(), Object.keys(PROBLEM_CODES).sort(), 'every code of the catalogue is declared by some route')
})
