import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { SessionMachine } from "@effect-oauth/session"
import { Chunk, Effect, Fiber, Queue, Redacted, Stream, TestClock } from "effect"
import type { Duration, Scope } from "effect"
import { FakeTokenServer } from "@effect-oauth/testing/FakeTokenServer"
import type { FakeServerOptions } from "@effect-oauth/testing/FakeTokenServer"

export interface Harness {
  readonly server: FakeTokenServer
  readonly store: TokenStore.Service
}

export const harness = (options: FakeServerOptions = {}, store?: TokenStore.Service): Effect.Effect<Harness> =>
  Effect.map(store === undefined ? TokenStore.makeMemory : Effect.succeed(store), (store) => ({
    server: new FakeTokenServer(options),
    store
  }))

export const session = (
  { server, store }: Harness,
  options: Partial<OAuthSession.Options> = {}
): Effect.Effect<OAuthSession.OAuthSession, TokenStore.TokenStoreError | OAuthError.ConfigurationError, Scope.Scope> =>
  OAuthSession.make({ key: "alice", refresh: "lazy", clock: "effect", ...options }).pipe(
    Effect.provideService(OAuthClient.OAuthClient, server.client),
    Effect.provideService(TokenStore.TokenStore, store)
  )

/** Authorizes `session` against the fake server: authorize → approve → callback. */
export const authorize = (
  { server }: Harness,
  session: OAuthSession.OAuthSession,
  options?: OAuthClient.AuthorizationUrlOptions
) =>
  Effect.gen(function*() {
    const request = yield* session.authorize(options)
    return yield* session.completeAuthorization(server.approve(request))
  })

/**
 * {@link authorize} against a harness whose server answers after `latency`: the
 * code exchange is let through by moving the TestClock once it has arrived.
 */
export const authorizeAfter = (h: Harness, session: OAuthSession.OAuthSession, latency: Duration.DurationInput) =>
  Effect.gen(function*() {
    const pending = yield* Effect.fork(authorize(h, session))
    yield* h.server.arrived("exchange", 1)
    yield* TestClock.adjust(latency)
    return yield* Fiber.join(pending)
  })

/** Collects the session's changes from now on; read them with `take`. */
export const record = (session: OAuthSession.OAuthSession) =>
  Effect.map(session.subscribe, (queue) => ({
    take: Effect.map(Queue.takeAll(queue), Chunk.toReadonlyArray),
    states: Effect.map(Queue.takeAll(queue), (changes) =>
      Chunk.toReadonlyArray(changes).flatMap((change) => change._tag === "StateChanged" ? [change.to] : []))
  }))

export const stateOf = (session: OAuthSession.OAuthSession): Effect.Effect<SessionMachine.State> => session.state

export { Fiber, Stream }

/** Waits until the session's snapshot satisfies `predicate` (or is in `state`). */
export const until = (
  session: OAuthSession.OAuthSession,
  predicate: SessionMachine.State | ((snapshot: SessionMachine.Snapshot) => boolean)
): Effect.Effect<SessionMachine.Snapshot> =>
  Effect.async<SessionMachine.Snapshot>((resume) => {
    const test = typeof predicate === "string" ? (s: SessionMachine.Snapshot) => SessionMachine.stateOf(s) === predicate : predicate
    const now = session.actor.getSnapshot()
    if (test(now)) return resume(Effect.succeed(now))
    const subscription = session.actor.subscribe((snapshot) => {
      if (!test(snapshot)) return
      subscription.unsubscribe()
      resume(Effect.succeed(snapshot))
    })
    return Effect.sync(() => subscription.unsubscribe())
  })

/** The tokens currently stored under `key`. */
export const storedAccessToken = (store: TokenStore.Service, key = "alice") =>
  Effect.map(store.get(key), (entry) => entry._tag === "Some" ? Redacted.value(entry.value.tokens.accessToken) : undefined)
