import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'

// The documentation is read by newcomers who follow its links: a moved file or a renamed heading must fail here,
// not in front of a reader. It checks files only; the walk-through in the README is run by hand.
const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8')

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(file)
    return entry.name.endsWith('.md') ? [file] : []
  })
}

const documents = ['README.md', 'CHANGELOG.md', ...markdownFiles('docs'), 'templates/README.md']

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsIn(file: string): Set<string> {
  const text = read(file).replace(/^```[\s\S]*?^```/gm, '')
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])))
}

/** Markdown links outside code blocks and code spans: [text](target). */
function linksIn(file: string): string[] {
  const text = read(file)
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
}

t.test('every relative link resolves to a file, and every anchor to a heading', async (t) => {
  for (const file of documents) {
    for (const link of linksIn(file)) {
      if (/^[a-z]+:/i.test(link)) continue // external; the README may have none (next test)
      const [target, anchor] = link.split('#')
      const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target))
      t.ok(!resolved.startsWith('..'), `${file}: ${link} stays inside the repository`)
      t.ok(fs.existsSync(path.join(root, resolved)), `${file}: ${link} exists`)
      if (anchor && resolved.endsWith('.md') && fs.existsSync(path.join(root, resolved))) {
        t.ok(anchorsIn(resolved).has(anchor), `${file}: ${link} names a heading of ${resolved}`)
      }
    }
  }
})

t.test('the README is the front door: short, self-contained, with the commands a newcomer needs', async (t) => {
  const readme = read('README.md')
  t.ok(Buffer.byteLength(readme) < 12 * 1024, `README.md is under 12 KB (${Buffer.byteLength(readme)} bytes)`)
  t.same(linksIn('README.md').filter((link) => /^[a-z]+:/i.test(link)), [], 'no link leaves the repository')
  t.notMatch(readme, /(^|\s)#\d+\b/, 'no issue numbers')
  t.match(readme, 'npm test')
  t.match(readme, 'npm start')
})

t.test('the README configuration table names every variable src/config.ts reads', async (t) => {
  const schema = read('src/config.ts').match(/const EnvSchema = Type\.Object\(\{([\s\S]*?)\n\}\)/)
  t.ok(schema, 'found the environment schema')
  const variables = [...(schema?.[1] ?? '').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1])
  t.ok(variables.length >= 10, `read ${variables.length} variables`)
  const table = read('README.md').split('\n').filter((line) => line.startsWith('| `'))
  for (const name of variables) t.ok(table.some((row) => row.includes(`\`${name}\``)), `${name} has a row`)
})

t.test('every decision record is listed in the index, numbered, with its three sections', async (t) => {
  const index = read('docs/decisions/README.md')
  const records = fs.readdirSync(path.join(root, 'docs/decisions')).filter((f) => /^\d{4}-.+\.md$/.test(f)).sort()
  t.ok(records.length > 0)
  records.forEach((record, i) => {
    t.equal(record.slice(0, 4), String(i + 1).padStart(4, '0'), `${record} is numbered in sequence`)
    t.ok(index.includes(`(${record})`), `${record} is in the index`)
    const text = read(`docs/decisions/${record}`)
    t.match(text, new RegExp(`^# ${i + 1}\\. `), `${record} starts with its number and title`)
    for (const section of ['## Context', '## Decision', '## Consequences']) t.match(text, section, `${record} has ${section}`)
  })
  t.notOk(fs.existsSync(path.join(root, 'docs/decisions.md')), 'the old single file is gone')
})

t.test('the CHANGELOG has an Unreleased section on top of the released versions', async (t) => {
  const versions = [...read('CHANGELOG.md').matchAll(/^## \[(.+?)\]/gm)].map((m) => m[1])
  t.equal(versions[0], 'Unreleased')
  t.ok(versions.includes('0.1.0'))
})
