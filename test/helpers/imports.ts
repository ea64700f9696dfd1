import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/** Every .ts file under `dir`, as paths relative to `root` with forward slashes. */
function sourceFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir ? `${dir}/${entry.name}` : entry.name
    if (entry.isDirectory()) return sourceFiles(root, relative)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : []
  })
}

/**
 * file → the files of the same tree it imports: static `import … from`, `export … from`, dynamic `import('…')`
 * (TypeScript's own pre-parser reads them, so comments and strings are not mistaken for imports). Only relative
 * specifiers are followed; `./x.js` names the source `./x.ts`.
 */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true)
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts'))
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** The import cycles: each strongly connected component of more than one file (or a file importing itself), sorted. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm; the graph has a few hundred nodes, so recursion depth is no concern.
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (file: string) => {
    index.set(file, counter)
    low.set(file, counter++)
    stack.push(file)
    onStack.add(file)
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(file, Math.min(low.get(file)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort())
  }
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file)
  return cycles
}

/** Lower layers: they are handed what they need by the composition root (app.ts, server.ts), never import a feature. */
export const LOWER_LAYERS = ['db/', 'http/', 'mail/', 'shared/', 'config.ts']

/** `file imports target` for each import of a feature by a lower layer. */
export function layerViolations(graph: Map<string, string[]>): string[] {
  const lower = (file: string) => LOWER_LAYERS.some((layer) => (layer.endsWith('/') ? file.startsWith(layer) : file === layer))
  return [...graph]
    .filter(([file]) => lower(file))
    .flatMap(([file, targets]) => targets.filter((target) => target.startsWith('features/')).map((target) => `${file} imports ${target}`))
    .sort()
}
