import fs from 'node:fs'
import path from 'node:path'

/** Every .ts file under `root`, with its text: the boundary tests read the source, they do not run it. */
export function sourceFiles(root: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.ts')) found.push({ file: full, text: fs.readFileSync(full, 'utf8') })
    }
  }
  walk(root)
  return found.sort((a, b) => a.file.localeCompare(b.file))
}

export interface Write {
  file: string
  line: number
  text: string
  /** where the statement starts: from here to its end is what a rule may inspect (e.g. the columns it sets) */
  index: number
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length

/** Comments may name a table in prose ("update tickets here"): blanked, keeping every offset and line. */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/[^\n]*/g, (m, lead: string | undefined) => {
    const keep = lead ?? ''
    return keep + m.slice(keep.length).replace(/[^\n]/g, ' ')
  })
}

/** Drizzle's `insert(t)`, `update(t)`, `delete(t)` and raw SQL `insert into`, `update`, `delete from` of a table. */
export function tableWrites(files: { file: string; text: string }[], drizzleName: string, sqlName: string): Write[] {
  const drizzle = new RegExp(`\\b(?:insert|update|delete)\\(\\s*${drizzleName}\\s*\\)`, 'g')
  const table = `(?:"?${sqlName}"?|\\$\\{\\s*${drizzleName}\\s*\\})`
  const raw = new RegExp(`\\b(?:insert\\s+into|update|delete\\s+from)\\s+(?:"?public"?\\.)?${table}(?![\\w"])`, 'gi')
  return matches(files, [drizzle, raw])
}

/**
 * Changes of the confirmed-people count (events.confirmed_people): drizzle `.set({ … confirmedPeople … })` or
 * `.values({ … confirmedPeople … })`, and raw SQL that assigns `confirmed_people`.
 */
export function confirmedCountWrites(files: { file: string; text: string }[]): Write[] {
  const found: Write[] = []
  for (const { file, text: source } of files) {
    const text = withoutComments(source)
    for (const call of text.matchAll(/\.(?:set|values)\(/g)) {
      const body = balanced(text, call.index + call[0].length - 1)
      if (/\bconfirmedPeople\b/.test(body)) found.push(at(file, source, text, call.index))
    }
    for (const m of text.matchAll(/\bset\b[^;`]*?"?\bconfirmed_people"?\s*=(?!=)/gi)) found.push(at(file, source, text, m.index))
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
}

function matches(files: { file: string; text: string }[], patterns: RegExp[]): Write[] {
  const found: Write[] = []
  for (const { file, text: source } of files) {
    const text = withoutComments(source)
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(at(file, source, text, m.index))
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
}

function at(file: string, source: string, text: string, index: number): Write {
  const line = lineOf(text, index)
  return { file, line, text: source.split('\n')[line - 1].trim(), index }
}

/** The text from an opening parenthesis to its match (strings and templates are not special: good enough for a scan). */
function balanced(text: string, open: number): string {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) return text.slice(open, i + 1)
  }
  return text.slice(open)
}

export const describe = (w: Write) => `${w.file}:${w.line}: ${w.text}`
