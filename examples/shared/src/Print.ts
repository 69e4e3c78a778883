/**
 * How the examples print: numbered steps, and credentials masked — never a
 * value, only that it exists and its length.
 */
import { Console, Effect, Redacted } from "effect"

/** A credential as the examples show it: `<redacted, 43 chars>`, or `(none)`. */
export const mask = (value: Redacted.Redacted<string> | string | undefined): string => {
  if (value === undefined) return "(none)"
  const length = (typeof value === "string" ? value : Redacted.value(value)).length
  return `<redacted, ${length} chars>`
}

/** Prints a step title and its details, indented. */
export const step = (title: string, lines: string | ReadonlyArray<string> = []): Effect.Effect<void> =>
  Console.log([`\n— ${title}`, ...(typeof lines === "string" ? [lines] : lines).map((line) => `    ${line}`)].join("\n"))

/** A duration in the largest unit that keeps it readable: `59 min`, `60 days`. */
export const duration = (millis: number): string => {
  const seconds = Math.round(millis / 1000)
  if (Math.abs(seconds) < 120) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (Math.abs(minutes) < 120) return `${minutes} min`
  const hours = Math.round(minutes / 60)
  if (Math.abs(hours) < 48) return `${hours} h`
  return `${Math.round(hours / 24)} days`
}

/** An ISO date-time (UTC, to the second) of epoch milliseconds. */
export const date = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * Runs `self` with its `Console.log` and `Console.error` output collected
 * instead of printed: returns the result and the text, for tests.
 */
export const capture = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, string], E, R> =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const base = yield* Effect.console
    const collect = (...args: ReadonlyArray<unknown>) => void lines.push(args.map(String).join(" "))
    const console: Console.Console = {
      ...base,
      log: (...args) => Effect.sync(() => collect(...args)),
      error: (...args) => Effect.sync(() => collect(...args)),
      unsafe: { ...base.unsafe, log: collect, error: collect }
    }
    const result = yield* Console.withConsole(self, console)
    return [result, lines.join("\n")] as const
  })

/**
 * The credentials of `issued` that appear in `output`, as is or URL-encoded
 * (for tests: the list must be empty). Reported by position, not by value.
 */
export const leaks = (output: string, issued: ReadonlyArray<string>): ReadonlyArray<string> =>
  issued.flatMap((credential, i) =>
    output.includes(credential) || output.includes(encodeURIComponent(credential)) ? [`credential #${i}`] : []
  )
