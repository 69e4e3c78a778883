import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { Clock, Console, Deferred, Effect, Fiber, Layer, Redacted, Stream } from "effect"
import { mask, step } from "./print.js"

/**
 * The session lifecycle: one grant as an XState machine, with a 3-second access
 * token so expiry and refresh happen while you watch.
 */
export const sessionProgram = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const provider = yield* Provider.discover(server.issuer)
  const clientLayer = OAuthClient.layer({ provider, client: TestServer.clientConfig(server.clients.web) })

  yield* Effect.gen(function*() {
    const session = yield* OAuthSession.make({ key: "alice@demo", refresh: "lazy" })
    const start = yield* Clock.currentTimeMillis
    const expired = yield* Deferred.make<void>()
    const watcher = yield* session.changes.pipe(
      Stream.runForEach((change) =>
        change._tag === "StateChanged"
          ? Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const at = `${((now - start) / 1000).toFixed(1).padStart(5)} s`
            yield* Console.log(`    [${at}] state: ${change.from} → ${change.to}`)
            if (change.to === "expired") yield* Deferred.succeed(expired, undefined)
          })
          : Effect.void
      ),
      Effect.fork
    )
    yield* step("session", `key ${session.key}, lazy refresh, state ${yield* session.state}`)

    const request = yield* session.authorize()
    yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "alice" }))
    const tokens = yield* session.tokens
    yield* Console.log(`    access token ${mask(tokens.accessToken)}, expires in 3 s`)

    yield* step("waiting for the access token to expire", "the machine's timer moves it to expired; no request while idle")
    yield* Deferred.await(expired)

    const before = (yield* server.tokenRequests).byGrantType["refresh_token"] ?? 0
    const callers = 1000
    const results = yield* Effect.all(Array.from({ length: callers }, () => session.accessToken), {
      concurrency: "unbounded"
    })
    const after = (yield* server.tokenRequests).byGrantType["refresh_token"] ?? 0
    const first = results[0] === undefined ? undefined : Redacted.value(results[0])
    const same = results.filter((token) => Redacted.value(token) === first).length
    yield* step(`${callers} concurrent accessToken calls at expiry`, [
      `refresh requests at the server: ${after - before}`,
      `callers that got the same new token: ${same} of ${callers}`
    ])

    yield* step("revoke", "the app disconnects the user")
    yield* session.revoke
    const refused = yield* Effect.either(session.accessToken)
    yield* Console.log(
      `    accessToken → ${refused._tag === "Left" ? `${refused.left._tag}: ${refused.left.message}` : "a token (unexpected)"}`
    )
    yield* Fiber.interrupt(watcher)
  }).pipe(Effect.scoped, Effect.provide(Layer.merge(clientLayer, TokenStore.layerMemory)))
})
