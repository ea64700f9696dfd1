/** What every bench/<name>.bench.ts exports as `scenario`; run.ts finds them by file name. */
export interface Scenario {
  /** one line shown by `npm run bench -- --list` */
  description: string
  /** prints its own tables; throws on a setup failure (a missed target is not a failure) */
  run(): Promise<void>
}
