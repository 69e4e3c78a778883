/**
 * `npm run inspector`: two sessions drawn live at the printed URL until Ctrl+C.
 * Alice goes round her whole life: authorized → expired → refreshing, a 503
 * from the token endpoint (backing off) → authorized → revoked → authorizing
 * again. Bob, a session of a registry, refreshes beside her. `--rounds N` stops.
 */
import { OAuthClient, Provider } from "@effect-oauth/core"
import { Inspector } from "@effect-oauth/inspector"
import { OAuthSession, SessionRegistry, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Console, Effect, Layer, Logger } from "effect"

const at = process.argv.indexOf("--rounds")
const rounds = at === -1 ? Infinity : Number(process.argv[at + 1])
const ttl = 3 // seconds an access token lives
let unavailable = false // the next token request gets 503

const main = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const inspector = yield* Inspector.make({ port: Number(process.env["INSPECTOR_PORT"] ?? 0) })
  yield* Console.log(`inspector: ${inspector.url}\n(the URL carries its token; Ctrl+C stops)`)
  const http = (yield* HttpClient.HttpClient).pipe(HttpClient.transform((response, request) => {
    if (!unavailable || !request.url.endsWith("/token")) return response
    unavailable = false
    return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("busy", { status: 503 })))
  }))
  const provider = yield* Provider.discover(server.issuer)
  const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
    .pipe(Effect.provideService(HttpClient.HttpClient, http))
  const context = Layer.merge(Layer.succeed(OAuthClient.OAuthClient, client), TokenStore.layerMemory)
  const alice = yield* OAuthSession.make({ key: "alice", refresh: "lazy", inspect: inspector.inspect }).pipe(Effect.provide(context))
  const registry = yield* SessionRegistry.make({ clients: { demo: client }, session: { inspect: inspector.inspect } })
    .pipe(Effect.provide(context))
  const bob = { provider: "demo", account: "bob" }
  const request = yield* registry.authorize(bob)
  yield* registry.completeAuthorization(bob, yield* server.approve(request.url, { accountId: "bob" }))

  for (let round = 1; round <= rounds; round++) {
    const started = yield* alice.authorize()
    yield* alice.completeAuthorization(yield* server.approve(started.url, { accountId: "alice" }))
    yield* Effect.sleep(`${ttl + 1} seconds`) // authorized → expired
    unavailable = true
    yield* alice.accessToken // refreshing, 503, backing off, refreshing → authorized
    yield* registry.refresh(bob)
    yield* Effect.sleep("2 seconds")
    yield* alice.revoke
    yield* Console.log(`round ${round}: alice ${yield* alice.state}, bob refreshed`)
    yield* Effect.sleep("2 seconds")
  }
}).pipe(Effect.scoped, Effect.provide(TestServer.layer({ accessTokenTtl: ttl })), Effect.provide(FetchHttpClient.layer))

main.pipe(Effect.provide(Logger.remove(Logger.defaultLogger)), Effect.runPromise).then(
  () => process.exit(0),
  (error) => {
    console.error(`inspector failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
)
