import t from 'tap'
import { fileURLToPath } from 'node:url'
import { importCycles, importGraph, layerViolations, LOWER_LAYERS } from '../helpers/imports.js'

// The import statements of every file under src/: the layering the style guide promises, checked.
const graph = importGraph(fileURLToPath(new URL('../../src/', import.meta.url)))

t.test('the graph is read (a check that finds no files would pass on anything)', async (t) => {
  t.ok(graph.size > 50, `${graph.size} files`)
  t.ok(graph.get('app.ts')?.includes('http/auth.ts'), 'app.ts imports http/auth.ts')
  t.ok(graph.get('server.ts')?.includes('app.ts'), "server.ts's dynamic import('./app.js') is seen")
})

t.test('no import cycle anywhere in src/', async (t) => {
  const cycles = importCycles(graph)
  t.same(cycles.map((files) => files.join(' ↔ ')), [], 'files that import each other, directly or around a loop')
})

t.test(`${LOWER_LAYERS.join(', ')} never import a feature`, async (t) => {
  t.same(layerViolations(graph), [], 'the composition root (app.ts, server.ts) hands lower layers what features provide')
})
