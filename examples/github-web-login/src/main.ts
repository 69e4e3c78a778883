/**
 * Runs the walk-through against a local GitHub-shaped server and exits; with
 * `--serve`, keeps the app running for a real browser (Ctrl-C stops it).
 */
import { NodeRuntime } from "@effect/platform-node"
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect } from "effect"
import { program, start } from "./app.js"

const serve = Effect.gen(function*() {
  const { app } = yield* start({ port: 3000 })
  yield* Console.log(`open ${app.url}/ in a browser (the GitHub-shaped server approves every sign-in); Ctrl-C stops`)
  return yield* Effect.never
})

const main = (process.argv.includes("--serve") ? serve : program).pipe(
  Effect.scoped,
  Effect.provide(FetchHttpClient.layer),
  Effect.tapError((error) => Console.error(`github-web-login failed: ${error.message}`))
)

NodeRuntime.runMain(main)
