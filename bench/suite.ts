/**
 * The shape every benchmark suite shares: `bench/main.ts` runs the suites and
 * prints their rows as one table.
 */

/** One measured figure: a row of the printed table. */
export interface Row {
  readonly suite: string
  readonly case: string
  readonly metric: string
  readonly value: string
  readonly note?: string | undefined
}

/** A named group of measurements; `run` starts what it needs and stops it before it resolves. */
export interface Suite {
  readonly name: string
  readonly description: string
  readonly run: () => Promise<ReadonlyArray<Row>>
}

/** Renders rows as a Markdown table (also readable in a terminal). */
export const formatTable = (rows: ReadonlyArray<Row>): string => {
  const header = ["suite", "case", "metric", "value", "note"]
  const cells = rows.map((row) => [row.suite, row.case, row.metric, row.value, row.note ?? ""])
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: ReadonlyArray<string>) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}
