// The consumer test's program (scripts/consumer-test.sh): written as a user of the
// published packages would, it signs in at the embedded authorization server,
// refreshes, revokes, and keeps a session, then prints one line.
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { SqlTokenStore } from "@effect-oauth/store-sql"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { Cause, Effect, Exit, Layer } from "effect"

const program = Effect.gen(function*() {
  const server = yield* TestServer.make()
  const provider = yield* Provider.discover(server.issuer)
  const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
  const request = yield* oauth.authorizationUrl()
  const callback = yield* server.approve(request.url, { accountId: "alice" })
  const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
  const refreshed = yield* oauth.refresh(tokens)
  yield* oauth.revoke(refreshed)
  const revoked = yield* Effect.either(oauth.refresh(refreshed))

  const session = yield* OAuthSession.make({ key: "alice", refresh: "lazy" }).pipe(
    Effect.provide(Layer.merge(Layer.succeed(OAuthClient.OAuthClient, oauth), TokenStore.layerMemory))
  )
  const authorization = yield* session.authorize()
  yield* session.completeAuthorization(yield* server.approve(authorization.url, { accountId: "alice" }))
  yield* session.accessToken
  const blob = TokenSet.toJson(refreshed)
  // The README installs the PostgreSQL driver only: the SQLite store says what is missing.
  const sqlite = yield* Effect.exit(Effect.scoped(Layer.build(SqlTokenStore.layerSqlite({ filename: ":memory:" }))))
  const driver = Exit.isFailure(sqlite) && Cause.pretty(sqlite.cause).includes("npm install @effect/sql-sqlite-node")
  return [
    "discovery",
    "code exchange",
    "refresh",
    revoked._tag === "Left" ? "revocation" : "revocation ignored",
    `session ${yield* session.state}`,
    `token blob ${blob.length > 0 ? "ok" : "empty"}`,
    driver ? "missing SQLite driver named" : "SQLite driver: unexpected outcome"
  ].join(", ")
})

const line = await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
console.log(line)
if (line.includes("unexpected") || line.includes("ignored")) process.exitCode = 1
