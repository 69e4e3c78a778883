/**
 * Runs the calendar sync against a local Google-shaped server; exits 0 on success.
 */
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect } from "effect"
import { program } from "./app.js"

const main = program.pipe(
  Effect.scoped,
  Effect.provide(FetchHttpClient.layer),
  Effect.tapError((error) => Console.error(`calendar sync failed: ${error.message}`))
)

Effect.runPromise(main).then(
  () => process.exit(0),
  () => process.exit(1)
)
