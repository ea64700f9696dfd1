import type { Summary, SummaryRow } from './scenario.js'

/** Prints rows as an aligned plain-text table; numbers right-aligned, everything else left. */
export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0])
  const cell = (v: string | number | undefined) => (v === undefined ? '' : String(v))
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (values: Array<string | number | undefined>, alignRight: boolean[]) =>
    values.map((v, i) => (alignRight[i] ? cell(v).padStart(widths[i]) : cell(v).padEnd(widths[i]))).join('  ')
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === 'number' || /^[\d.,]+( ?(ms|MB|s|%|x))?$/.test(cell(r[c]))))
  console.log(`\n${title}`)
  console.log(line(columns, numeric))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(columns.map((c) => row[c]), numeric))
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number | undefined) => (n === undefined ? '-' : `${n < 100 ? n.toFixed(1) : Math.round(n)} ms`),
  mb: (n: number) => `${Math.round(n)} MB`,
  pct: (n: number) => `${(n * 100).toFixed(0)}%`,
  verdict: (ok: boolean) => (ok ? 'PASS' : 'FAIL'),
}

export interface Verdict {
  target: string
  actual: string
  ok: boolean
}

/** Target lines shared by all scenarios, so the output reads the same; answers the lines, for `summarize`. */
export function printVerdicts(lines: Verdict[]): Verdict[] {
  printTable(
    'Targets',
    lines.map((l) => ({ target: l.target, actual: l.actual, result: fmt.verdict(l.ok) })),
  )
  return lines
}

/** A bench's summary for `npm run bench -- all`: its verdicts, with its headline numbers on the first line. */
export function summarize(verdicts: Verdict[], headline: Pick<SummaryRow, 'ours' | 'baseline' | 'ratio' | 'p99'>): Summary {
  return verdicts.map((v, i) => (i === 0 ? { ...headline, ...v } : { ...v }))
}

/** The one table of `npm run bench -- all`: every bench's targets, the bench named on its first line. */
export function printSummary(results: Array<{ bench: string; summary: Summary }>): void {
  const rows = results.flatMap(({ bench, summary }) =>
    summary.map((r, i) => ({
      bench: i === 0 ? bench : '',
      ours: r.ours ?? '',
      baseline: r.baseline ?? '',
      ratio: r.ratio ?? '',
      p99: r.p99 ?? '',
      target: r.target,
      actual: r.actual,
      result: fmt.verdict(r.ok),
    })),
  )
  printTable('Summary: every bench', rows)
  const failed = rows.filter((r) => r.result === 'FAIL').length
  console.log(`\n${rows.length - failed} of ${rows.length} targets met${failed ? `, ${failed} missed` : ''}`)
}
