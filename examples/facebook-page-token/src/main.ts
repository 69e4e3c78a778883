/**
 * Runs the walk-through against a local Facebook-shaped server; exits 0 on
 * success. Sixty days pass in a moment: the program runs on Effect's
 * `TestClock`, set to the current time and moved forward by the walk-through.
 */
import { FetchHttpClient } from "@effect/platform"
import { Clock, Console, Effect, TestClock, TestContext } from "effect"
import { program } from "./app.js"

const main = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  yield* Effect.gen(function*() {
    yield* TestClock.setTime(now)
    yield* program(TestClock.adjust).pipe(Effect.scoped)
  }).pipe(Effect.provide(TestContext.TestContext))
}).pipe(
  Effect.provide(FetchHttpClient.layer),
  Effect.tapError((error) => Console.error(`facebook-page-token failed: ${error.message}`))
)

Effect.runPromise(main).then(
  () => process.exit(0),
  () => process.exit(1)
)
