/**
 * The README's compatibility table, written from a conformance run
 * (`scripts/conformance/run.ts`) between two markers.
 */

/** One runtime's outcome. */
export interface Result {
  readonly runtime: string
  readonly version: string
  readonly ok: boolean
  readonly detail: string
}

const begin = "<!-- compatibility:begin (written by npm run conformance -- --write) -->"
const end = "<!-- compatibility:end -->"

/** The table in markdown. */
export const renderTable = (results: ReadonlyArray<Result>): string =>
  [
    "| runtime | version | discovery, authorization URL, code exchange, refresh, revocation, session, OAuth 1.0a signature |",
    "| --- | --- | --- |",
    ...results.map((result) =>
      `| ${result.runtime} | ${result.version} | ${result.ok ? "passes" : `fails: ${result.detail.replace(/\|/g, "\\|")}`} |`
    )
  ].join("\n")

/** `readme` with the text between the markers replaced by `table`. */
export const replaceTable = (readme: string, table: string): string => {
  const from = readme.indexOf(begin)
  const to = readme.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${begin} … ${end}`)
  return `${readme.slice(0, from + begin.length)}\n${table}\n${readme.slice(to)}`
}
