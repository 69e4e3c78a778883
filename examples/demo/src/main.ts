/**
 * Runs the demo against an embedded authorization server; exits 0 on success.
 */
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect } from "effect"
import { TestServer } from "@effect-oauth/testing"
import { program } from "./demo.js"
import { sessionProgram } from "./session.js"

const main = Effect.gen(function*() {
  yield* Console.log("Part 1 — the protocol, step by step (OAuthClient)")
  yield* program.pipe(Effect.provide(TestServer.layer({ rotateRefreshToken: true })))
  yield* Console.log("\nPart 2 — the session lifecycle (OAuthSession, an XState machine)")
  yield* sessionProgram.pipe(Effect.provide(TestServer.layer({ rotateRefreshToken: true, accessTokenTtl: 3 })))
}).pipe(
  Effect.provide(FetchHttpClient.layer),
  Effect.catchAll((error) => Console.error(`demo failed: ${error.message}`).pipe(Effect.zipRight(Effect.fail(error))))
)

Effect.runPromise(main).then(
  () => process.exit(0),
  () => process.exit(1)
)
