/**
 * One session driven through its whole lifecycle while an inspector watches:
 * unauthorized → authorizing → authorized → (the access token expires) expired
 * → refreshing → authorized → (the resource server rejects the token)
 * refreshing → authorized → revoked.
 */
import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { Console, Deferred, Effect, Fiber, Layer, Stream } from "effect"
import type { InspectionEvent, Observer } from "xstate"

export interface LifecycleOptions {
  /** The inspector the session's actor reports to. */
  readonly inspect: Observer<InspectionEvent>
  /** The machine's timers; `"effect"` lets a test move them with `TestClock`. Default `"system"`. */
  readonly clock?: "system" | "effect" | undefined
  /**
   * Runs once the session is authorized, before waiting for the access token
   * to expire: nothing in the program, `TestClock.adjust` in a test.
   */
  readonly whileWaiting?: Effect.Effect<void> | undefined
}

/** The lifecycle against the test server in context; prints each transition. */
export const lifecycle = (options: LifecycleOptions) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const provider = yield* Provider.discover(server.issuer)
    const clientLayer = OAuthClient.layer({ provider, client: TestServer.clientConfig(server.clients.web) })

    yield* Effect.gen(function*() {
      const session = yield* OAuthSession.make({
        key: "alice@inspector",
        refresh: "lazy",
        inspect: options.inspect,
        clock: options.clock ?? "system"
      })
      const expired = yield* Deferred.make<void>()
      const watcher = yield* session.changes.pipe(
        Stream.takeUntil((change) => change._tag === "StateChanged" && change.to === "revoked"),
        Stream.runForEach((change) =>
          change._tag === "StateChanged"
            ? Effect.zipRight(
              Console.log(`  ${change.from} → ${change.to}`),
              change.to === "expired" ? Deferred.succeed(expired, undefined) : Effect.void
            )
            : Effect.void
        ),
        Effect.fork
      )

      const request = yield* session.authorize()
      yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "alice" }))
      yield* Console.log("  (waiting for the access token to expire)")
      yield* options.whileWaiting ?? Effect.void
      yield* Deferred.await(expired)
      const refreshed = yield* session.tokens
      // A resource server answered 401 invalid_token: the session refreshes again.
      yield* session.tokenRejected(refreshed.accessToken)
      yield* session.accessToken
      yield* session.revoke
      yield* Fiber.join(watcher)
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(clientLayer, TokenStore.layerMemory)))
  })
