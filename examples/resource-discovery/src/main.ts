/**
 * Runs the resource discovery example against an embedded authorization server
 * and a protected resource on another port.
 */
import { FetchHttpClient } from "@effect/platform"
import { TestServer } from "@effect-oauth/testing"
import { Console, Effect, Layer } from "effect"
import { program } from "./program.js"

const main = program.pipe(
  Effect.provide(Layer.merge(
    TestServer.layer({ pushedAuthorizationRequests: true, registration: true, resourceIndicators: true }),
    FetchHttpClient.layer
  )),
  Effect.catchAll((error) => Console.error(`failed: ${error.message}`).pipe(Effect.zipRight(Effect.fail(error))))
)

Effect.runPromise(main).then(
  () => process.exit(0),
  () => process.exit(1)
)
