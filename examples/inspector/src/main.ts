/**
 * Watch a session machine live: `npm run inspector` (add `-- --hold` to keep
 * the viewer open afterwards, until Ctrl+C).
 *
 * Starts an embedded authorization server and a loopback inspection relay,
 * connects `@statelyai/inspect`'s WebSocket inspector to the relay, and drives
 * one session (3-second access tokens) through its lifecycle. Open the printed
 * viewer URL to watch the states and the (redacted) context; every event is
 * replayed to a viewer that connects late.
 */
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect } from "effect"
import * as Inspector from "./inspector.js"
import { lifecycle } from "./lifecycle.js"
import * as Relay from "./relay.js"

const hold = process.argv.includes("--hold")
const port = Number(process.env["INSPECTOR_PORT"] ?? 0)

const main = Effect.gen(function*() {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return yield* Effect.fail(new Error(`INSPECTOR_PORT must be a TCP port number, not ${process.env["INSPECTOR_PORT"]}`))
  }
  const relay = yield* Relay.make({ port })
  yield* Console.log(`inspection relay  ${relay.url}`)
  yield* Console.log(`viewer            ${relay.viewerUrl}`)
  yield* Effect.gen(function*() {
    const inspect = yield* Inspector.connect(relay.url)
    yield* Console.log("session transitions:")
    yield* lifecycle({ inspect })
  }).pipe(Effect.scoped)
  if (hold) {
    yield* Console.log(`done; the viewer stays at ${relay.viewerUrl} until Ctrl+C`)
    yield* Effect.never
  }
}).pipe(
  Effect.scoped,
  Effect.provide(TestServer.layer({ rotateRefreshToken: true, accessTokenTtl: 3 })),
  Effect.provide(FetchHttpClient.layer)
)

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    console.error(`inspector failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
)
