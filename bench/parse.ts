/**
 * Worst-case parse time per MiB of response: `TokenResponse.parse` on bodies built
 * to hurt a parser (long numeric-looking fields, unclosed markup, deep nesting,
 * repeated and many members, a long form body), each just under the 1 MiB cap.
 * The slowest input, in milliseconds per MiB, is the figure.
 */
import { TokenResponse } from "@effect-oauth/core"
import { Effect } from "effect"

const mib = 1024 * 1024
const fill = (unit: string, prefix = "", suffix = "") =>
  prefix + unit.repeat(Math.floor((mib - prefix.length - suffix.length - 16) / unit.length)) + suffix

const inputs: ReadonlyArray<readonly [string, string, string]> = [
  ["digits in expires_in", fill("1", `{"access_token":"at","expires_in":"`, `x"}`), "application/json"],
  ["<script repeated", fill("<script", "<html>"), "text/html"],
  ["< without >", fill("<"), "text/html"],
  ["deep nesting", `{"access_token":"at","x":${fill("[", "", "")}}`, "application/json"],
  ["repeated member", fill(`"x":1,`, `{"access_token":"at",`, `"y":1}`), "application/json"],
  ["many members", `{"access_token":"at",${Array.from({ length: 60_000 }, (_, i) => `"m${i}":1`).join(",")}}`, "application/json"],
  ["long form body", fill("a=b&", "access_token=at&", "z=1"), "application/x-www-form-urlencoded"]
]

const once = (body: string, type: string) =>
  Effect.runSync(Effect.either(TokenResponse.parse({ status: 200, headers: { "content-type": type }, body }, { requestedAt: 0 })))

/** Parses each hostile input `rounds` times; returns one line naming the worst. */
export const parseWorstCase = (rounds = 3): string => {
  let worst = { name: "", millisPerMib: 0 }
  for (const [name, body, type] of inputs) {
    let best = Number.POSITIVE_INFINITY
    for (let round = 0; round < rounds; round++) {
      const start = performance.now()
      once(body, type)
      best = Math.min(best, performance.now() - start)
    }
    const millisPerMib = best / (body.length / mib)
    if (millisPerMib > worst.millisPerMib) worst = { name, millisPerMib }
  }
  return `worst-case parse time per MiB of response: ${worst.millisPerMib.toFixed(1)} ms (${worst.name}; ${inputs.length} hostile inputs at the 1 MiB cap)`
}
