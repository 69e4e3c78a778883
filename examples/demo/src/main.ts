/**
 * Runs the demo against an embedded authorization server; exits 0 on success.
 */
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect, Layer } from "effect"
import { TestServer } from "@effect-oauth/testing"
import { program } from "./demo.js"

const main = program.pipe(
  Effect.provide(Layer.merge(TestServer.layer({ rotateRefreshToken: true }), FetchHttpClient.layer)),
  Effect.catchAll((error) => Console.error(`demo failed: ${error.message}`).pipe(Effect.zipRight(Effect.fail(error))))
)

Effect.runPromise(main).then(
  () => process.exit(0),
  () => process.exit(1)
)
