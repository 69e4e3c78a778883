/**
 * The embedded authorization server in a process of its own, for the suites that
 * measure the client's CPU (`process.cpuUsage()` of the bench process then counts
 * the clients, not oidc-provider). Started by `bench/peers.ts` with an IPC channel:
 * it sends `{ ready }` with its issuer and clients, then answers `approve` (play the
 * user) and `counts` (token requests as the server saw them).
 */
import { FetchHttpClient } from "@effect/platform"
import { TestServer } from "@effect-oauth/testing"
import { Effect, Redacted } from "effect"

/** A registered client with its secret in clear (the bench's own server, on loopback). */
export interface PlainClient {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
}

const plain = (client: TestServer.RegisteredClient): PlainClient => ({
  clientId: client.clientId,
  clientSecret: client.clientSecret === undefined ? "" : Redacted.value(client.clientSecret),
  redirectUri: client.redirectUri
})

/** What the parent sends. */
export type ServerRequest =
  | { readonly id: number; readonly op: "approve"; readonly url: string; readonly accountId: string }
  | { readonly id: number; readonly op: "counts" }

/** What the server process sends back. */
export type ServerMessage =
  | {
    readonly ready: true
    readonly issuer: string
    readonly resourceUrl: string
    /** `client_secret_basic`. */
    readonly web: PlainClient
    /** `client_secret_post` (google-auth-library sends its secret in the body). */
    readonly post: PlainClient
  }
  | { readonly id: number; readonly result?: unknown; readonly error?: string }

const send = (message: ServerMessage) => process.send?.(message)

const program = Effect.gen(function*() {
  const server = yield* TestServer.make({ rotateRefreshToken: true, pushedAuthorizationRequests: true })
  const runtime = yield* Effect.runtime<never>()
  const run = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.runPromise(Effect.provide(effect, FetchHttpClient.layer).pipe(Effect.provide(runtime.context)))
  process.on("message", (request: ServerRequest) => {
    const answer = request.op === "counts"
      ? run(server.tokenRequests)
      : run(server.approve(request.url, { accountId: request.accountId }).pipe(Effect.map(String)))
    answer.then(
      (result) => send({ id: request.id, result }),
      (error: unknown) => send({ id: request.id, error: String(error) })
    )
  })
  send({
    ready: true,
    issuer: server.issuer,
    resourceUrl: server.resourceUrl,
    web: plain(server.clients.web),
    post: plain(server.clients.post)
  })
  yield* Effect.async<never>(() => {
    process.on("disconnect", () => process.exit(0))
  })
})

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(FetchHttpClient.layer)))
