/**
 * One line of the table `npm run bench -- all` prints at the end: one target of a bench and whether it was met.
 * The bench's headline numbers (ours, baseline, their ratio, p99) go on its first line only.
 */
export interface SummaryRow {
  /** what we measured, with its unit, e.g. "5,210 req/s" */
  ours?: string
  /** the same measured on the baseline, where the bench has one */
  baseline?: string
  /** ours against the baseline, as the bench states its target (a percentage or a factor) */
  ratio?: string
  p99?: string
  target: string
  actual: string
  ok: boolean
}

/** What a bench's run() returns: its targets, the headline numbers on the first. */
export type Summary = SummaryRow[]

/** What every bench/<name>.bench.ts exports as `scenario`; run.ts finds them by file name. */
export interface Scenario {
  /** one line shown by `npm run bench -- --list` */
  description: string
  /** prints its own tables and returns its summary; throws on a setup failure (a missed target is not a failure) */
  run(): Promise<Summary | void>
}
