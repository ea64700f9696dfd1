import t from 'tap'
import path from 'node:path'
import { sourceFiles } from '../helpers/source-scan.js'

// No module of src/ imports itself back through others: a cycle makes "who owns this rule" unanswerable,
// and load order decides what is undefined at import time.

type Graph = Map<string, string[]>

function importGraph(files: { file: string; text: string }[]): Graph {
  const graph: Graph = new Map()
  for (const { file, text } of files) {
    const targets = [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.join(path.dirname(file), m[1].replace(/\.js$/, '.ts')))
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** Every cycle found by a depth-first walk, as the chain of files that closes it. */
function cycles(graph: Graph): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const chain: string[] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    chain.push(file)
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'open') found.push([...chain.slice(chain.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    chain.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

t.test('no import cycles under src/', async (t) => {
  const found = cycles(importGraph(sourceFiles('src'))).map((c) => c.join(' -> '))
  t.same(found, [], `import cycles:\n${found.join('\n')}`)
})

t.test('the walk finds a cycle, long or of two files', async (t) => {
  const graph = importGraph([
    { file: 'src/a.ts', text: "import { b } from './b.js'" },
    { file: 'src/b.ts', text: "import type { A } from './a.js'\nimport { c } from './x/c.js'" },
    { file: 'src/x/c.ts', text: "export { d } from '../d.js'" },
    { file: 'src/d.ts', text: "const b = await import('./b.js')\nimport fs from 'node:fs'" },
  ])
  t.same(cycles(graph), [
    ['src/a.ts', 'src/b.ts', 'src/a.ts'],
    ['src/b.ts', 'src/x/c.ts', 'src/d.ts', 'src/b.ts'],
  ])
})
