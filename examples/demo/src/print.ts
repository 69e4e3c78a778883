import { Console, Effect } from "effect"

let counter = 0

/** Prints a numbered step with its details, indented. */
export const step = (title: string, lines: string | ReadonlyArray<string>): Effect.Effect<void> =>
  Console.log(
    [`\n${String(++counter).padStart(2)}. ${title}`, ...(typeof lines === "string" ? [lines] : lines).map((line) => `    ${line}`)]
      .join("\n")
  )

/** A credential as the demo shows it: never its value, only that it exists and its length. */
export { mask } from "@effect-oauth/example-shared/Print"

/** "expires in 59 s" from absolute times. */
export const when = (expiresAt: number | undefined, now: number): string =>
  expiresAt === undefined ? "no expiry" : `expires in ${Math.round((expiresAt - now) / 1000)} s`
