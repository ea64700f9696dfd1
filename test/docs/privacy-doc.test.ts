import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

// docs/privacy.md is what organisers show their data-protection officer: it must name every table of the schema,
// and a table with a column that points at a person must be in its "with personal data" section.
const root = path.resolve(import.meta.dirname, '../..')
const schema = fs.readFileSync(path.join(root, 'src/db/schema.ts'), 'utf8')
const doc = fs.readFileSync(path.join(root, 'docs/privacy.md'), 'utf8')

/** Each pgTable of the schema with the SQL names of its columns (the text up to the next table). */
function schemaTables(source: string): Map<string, string[]> {
  const starts = [...source.matchAll(/pgTable\(\s*'([a-z_]+)'/g)]
  return new Map(
    starts.map((m, i) => {
      const body = source.slice(m.index, starts[i + 1]?.index ?? source.length)
      return [m[1], [...body.matchAll(/\b[a-zA-Z]+\('([a-z_]+)'/g)].map((c) => c[1])]
    }),
  )
}

/** The tables named in the first column of a section's table: "| `name` |". */
function documentedTables(markdown: string, heading: string): Set<string> {
  const start = markdown.indexOf(`## ${heading}`)
  if (start < 0) return new Set()
  const end = markdown.indexOf('\n## ', start + 3)
  const section = markdown.slice(start, end < 0 ? undefined : end)
  return new Set([...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]))
}

// Columns that hold or point at a person: a table with one of them has personal data.
const PERSONAL_COLUMNS = new Set(['email', 'holder_name', 'account_id', 'registration_id', 'to_address', 'contact_email', 'created_by', 'actor_account_id'])

function gaps(tables: Map<string, string[]>, markdown: string): string[] {
  const personal = documentedTables(markdown, 'Tables with personal data')
  const other = documentedTables(markdown, 'Tables without personal data')
  const out: string[] = []
  for (const [table, columns] of tables) {
    if (!personal.has(table) && !other.has(table)) out.push(`${table} is not in docs/privacy.md`)
    const pointing = columns.filter((c) => PERSONAL_COLUMNS.has(c))
    if (pointing.length && !personal.has(table)) out.push(`${table} has ${pointing.join(', ')} but is not under "Tables with personal data"`)
  }
  for (const table of [...personal, ...other]) if (!tables.has(table)) out.push(`${table} is in docs/privacy.md but not in the schema`)
  return out
}

t.test('docs/privacy.md names every table of the schema, and every table with personal data as such', async (t) => {
  const tables = schemaTables(schema)
  t.ok(tables.size >= 29, `the schema has ${tables.size} tables`)
  for (const program of ['rooms', 'program_sessions', 'session_reservations', 'session_attendance']) t.ok(tables.has(program), `${program} is read`)
  t.same(tables.get('accounts')?.includes('email'), true, 'columns are read')
  t.same(gaps(tables, doc), [])
})

t.test('the check fails on a missing table, a misfiled one and a stale one', async (t) => {
  const tables = schemaTables(schema)
  const withNew = new Map([...tables, ['visitor_photos', ['id', 'registration_id', 'image']]])
  t.same(gaps(withNew, doc), ['visitor_photos is not in docs/privacy.md', 'visitor_photos has registration_id but is not under "Tables with personal data"'])
  const misfiled = doc.replace(/^\| `tickets` \|.*\n/m, '') + '\n| `tickets` | x | y |\n'
  t.ok(gaps(tables, misfiled).some((g) => g.startsWith('tickets has')), 'a personal table listed as without personal data')
  t.same(gaps(new Map([...tables].filter(([name]) => name !== 'rooms')), doc), ['rooms is in docs/privacy.md but not in the schema'])
})
