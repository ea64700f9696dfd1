/**
 * `npm run bench -- --profile <scenario>`: every process a scenario starts with tsEntry() runs with `--cpu-prof`
 * (our server, the baseline, helpers) and writes a V8 CPU profile when it exits. After the scenario, each profile is
 * summed up into docs/perf/<scenario>.md: self time by function (the top of the flame graph's plateaus) and by
 * package, per process. The raw .cpuprofile files stay in the directory printed at the end (open one in Chrome
 * DevTools → Performance, or speedscope, for the flame graph); they are too large to commit.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './lib.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  hitCount?: number
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Where a function lives: a package under node_modules, our own src/ or bench/, node's internals, or V8's pseudo-frames. */
export function ownerOf(url: string): string {
  if (!url) return '(V8)'
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return 'node'
  const file = url.replace(/^file:\/\//, '')
  const relative = path.relative(ROOT, file)
  return relative.startsWith('..') ? file : relative.split('/').slice(0, 2).join('/')
}

export interface ProfileSummary {
  totalMs: number
  byFunction: Array<{ name: string; where: string; selfMs: number }>
  byOwner: Array<{ owner: string; selfMs: number }>
}

/** Self time per function and per owner from the samples' time deltas (hitCount alone ignores uneven intervals). */
export function summarise(profile: CpuProfile): ProfileSummary {
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfById = new Map<number, number>()
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))
  const byFunction = new Map<string, { name: string; where: string; selfMs: number }>()
  const byOwner = new Map<string, number>()
  let totalMs = 0
  for (const [id, ms] of selfById) {
    const { functionName, url, lineNumber } = nodeById.get(id)!.callFrame
    totalMs += ms
    const name = functionName || '(anonymous)'
    const where = url ? `${ownerOf(url)}:${path.basename(url)}:${lineNumber + 1}` : ''
    const key = `${name}|${where}`
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0 }
    entry.selfMs += ms
    byFunction.set(key, entry)
    const owner = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : ownerOf(url)
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms)
  }
  return {
    totalMs,
    byFunction: [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs),
    byOwner: [...byOwner.entries()].map(([owner, selfMs]) => ({ owner, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  }
}

function table(summary: ProfileSummary, top: number): string {
  const busy = summary.totalMs - (summary.byOwner.find((o) => o.owner === '(idle)')?.selfMs ?? 0)
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)} %`
  const lines = [
    `Busy ${(busy / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s sampled; shares are of the busy time.`,
    '',
    '| by package / folder | self | share |',
    '|---|---:|---:|',
    ...summary.byOwner.filter((o) => o.owner !== '(idle)').slice(0, 15).map((o) => `| ${o.owner} | ${o.selfMs.toFixed(0)} ms | ${pct(o.selfMs)} |`),
    '',
    '| function | where | self | share |',
    '|---|---|---:|---:|',
    ...summary.byFunction
      .filter((f) => f.name !== '(idle)')
      .slice(0, top)
      .map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.where} | ${f.selfMs.toFixed(0)} ms | ${pct(f.selfMs)} |`),
  ]
  return lines.join('\n')
}

/**
 * Sums up the profiles in `dir` written by `procs` (name and pid: V8 puts the pid in the file name) into
 * docs/perf/<scenario>.md; returns that file's path.
 */
export function writeProfileSummary(scenario: string, dir: string, procs: Array<{ name: string; pid: number }>, top = 30): string | null {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []
  if (files.length === 0) return null
  const sections = files.map((file) => {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (others: tsx's loader thread)
    const [pid, thread] = file.split('.').slice(3, 5).map(Number)
    const name = `${procs.find((p) => p.pid === pid)?.name ?? `pid ${pid}`}${thread === 0 ? '' : ` (thread ${thread})`}`
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
    return { name, text: `## ${name}\n\n${table(summarise(profile), top)}\n` }
  })
  const out = path.join(ROOT, 'docs', 'perf', `${scenario}.md`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const header =
    `# CPU profile: bench \`${scenario}\`\n\n` +
    `Written by \`npm run bench -- --profile ${scenario}\` on ${new Date().toISOString().slice(0, 10)} ` +
    `(node ${process.version}). Self time per function (the flat top of a flame graph) of each process the bench started; ` +
    `the whole run (set-up, warm-up and all phases) is in it. The .cpuprofile files themselves were in ${dir}.\n`
  fs.writeFileSync(out, `${header}\n${sections.map((s) => s.text).join('\n')}`)
  return out
}
